import fs from 'node:fs';

/**
 * How one thread shared the machine's processors, from the kernel's scheduler statistics
 * (/proc/PID/task/TID/schedstat, Linux): the time it ran, and the time it was ready to run but
 * waited for a processor that another thread or process held. On a machine of two cores where the
 * bench's terminals and phones run beside the hub, the second is what the hub's answers owe to the
 * machine rather than to the hub's own work.
 */
export interface ThreadSchedule {
  ranMs: number;
  /** Ready to run, waiting on a processor's run queue. */
  waitedMs: number;
  /** Times it was put on a processor. */
  slices: number;
}

/** A process's main thread's schedule so far, or undefined where the kernel does not keep it. */
export function threadSchedule(pid: number): ThreadSchedule | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8');
  } catch {
    return undefined;
  }
  const [ran, waited, slices] = text.trim().split(/\s+/).map(Number);
  if (![ran, waited, slices].every((n) => Number.isFinite(n))) return undefined;
  return { ranMs: ran! / 1e6, waitedMs: waited! / 1e6, slices: slices! };
}

/** What a thread did between two readings (undefined where either is missing). */
export function scheduleBetween(before: ThreadSchedule | undefined, after: ThreadSchedule | undefined): ThreadSchedule | undefined {
  if (!before || !after) return undefined;
  return { ranMs: after.ranMs - before.ranMs, waitedMs: after.waitedMs - before.waitedMs, slices: after.slices - before.slices };
}

/** Several stretches of the same thread's work as one (runs of a phase pooled). */
export function scheduleSum(parts: (ThreadSchedule | undefined)[]): ThreadSchedule | undefined {
  if (parts.length === 0 || parts.some((p) => !p)) return undefined;
  return parts.reduce<ThreadSchedule>((a, p) => ({ ranMs: a.ranMs + p!.ranMs, waitedMs: a.waitedMs + p!.waitedMs, slices: a.slices + p!.slices }), { ranMs: 0, waitedMs: 0, slices: 0 });
}

const msText = (ms: number) => `${Math.round(ms).toLocaleString('en')} ms`;

/** The wait's share of the time the thread was ready to run (ran or waited), in whole percent. */
const waitedShare = (s: ThreadSchedule) => {
  const ready = s.ranMs + s.waitedMs;
  return ready > 0 ? Math.round((100 * s.waitedMs) / ready) : 0;
};

/** "ran 5,583 ms, waited for a processor 1,880 ms (25% of the time it was ready to run)". */
export function describeSchedule(s: ThreadSchedule | undefined): string {
  if (!s) return 'not known (no scheduler statistics on this system)';
  return `ran ${msText(s.ranMs)}, waited for a processor ${msText(s.waitedMs)} (${waitedShare(s)}% of the time it was ready to run)`;
}

/** "1,880 ms (25%)": the wait alone, and its share of the time the thread was ready, for a table's column. */
export function waitedFigure(s: ThreadSchedule | undefined): string {
  return s ? `${msText(s.waitedMs)} (${waitedShare(s)}%)` : '-';
}

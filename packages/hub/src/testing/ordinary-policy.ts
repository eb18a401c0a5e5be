import fs from 'node:fs';
import path from 'node:path';

/** Linux's scheduling policies (sched(7)) as /proc shows them. */
export const SCHED_OTHER = 0;
export const SCHED_BATCH = 3;
export const SCHED_IDLE = 5;

/**
 * A thread's scheduling policy and nice value, from the kernel (proc(5): /proc/PID/task/TID/stat,
 * fields 41 and 19), by default of the process's first thread; undefined where there is no such file
 * (not Linux, or the thread has ended).
 */
export function threadPolicy(pid: number, tid: number = pid): ThreadPolicy | undefined {
  return policyIn(`/proc/${pid}/task/${tid}/stat`);
}

/** The policy and nice value of each of a process's threads, as threadPolicy ([] where there is no such process). */
export function threadPolicies(pid: number): ThreadPolicy[] {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.flatMap((tid) => threadPolicy(pid, Number(tid)) ?? []);
}

/** The calling thread's own policy and nice value (/proc/thread-self), as threadPolicy. */
export function ownThreadPolicy(): ThreadPolicy | undefined {
  return policyIn('/proc/thread-self/stat');
}

export interface ThreadPolicy {
  policy: number;
  nice: number;
}

function policyIn(statFile: string): ThreadPolicy | undefined {
  try {
    // The command's name, in parentheses, may hold spaces: the fields are counted after it.
    const fields = fs.readFileSync(statFile, 'utf8').split(') ').at(-1)!.split(' ');
    return { policy: Number(fields[38]), nice: Number(fields[16]) };
  } catch {
    return undefined;
  }
}

/**
 * A program to start as the benches start what they measure (a hub, the floor's flush server):
 * under the ordinary policy. A bench's own process runs its stand-ins under SCHED_BATCH (the
 * scripts' stand-ins.ts), and a child takes the policy of the thread that starts it:
 * SCHED_RESET_ON_FORK gives back only the real-time policies and a negative nice value (sched(7)),
 * not SCHED_BATCH. So when this thread is under SCHED_BATCH, the program is started through
 * util-linux's `chrt --other 0`, which sets the policy and then runs the program in its own place
 * (the same process, so the same pid): every thread the program makes starts under the ordinary
 * policy. Otherwise (the tests, a system without /proc or without chrt) the program is started as
 * it is.
 */
export function underOrdinaryPolicy(file: string, args: string[]): [string, string[]] {
  const own = ownThreadPolicy();
  // Only from SCHED_BATCH: leaving SCHED_IDLE takes a privilege the bench may not have (sched(7)), and chrt would then not run the program at all.
  if (own?.policy !== SCHED_BATCH) return [file, args];
  // Found on this process's PATH, not the child's (a test may give the child an empty one).
  const chrt = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'chrt')).find((candidate) => fs.existsSync(candidate));
  return chrt ? [chrt, ['--other', '0', file, ...args]] : [file, args];
}

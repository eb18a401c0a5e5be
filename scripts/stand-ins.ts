import { execFileSync } from 'node:child_process';

/**
 * The benches' stand-ins (the terminals, the phones, the QR client: in a hall, machines of their
 * own) under Linux's SCHED_BATCH policy (sched(7)), set by util-linux's chrt on each of a process's
 * threads. A process under SCHED_BATCH keeps its fair share of the processors, but waking (an answer
 * or an event has come) it does not take a processor from the thread running there: on a 2-core
 * machine, each of the hub's writes to a stand-in's socket woke the stand-in, which took the hub's
 * core in the middle of its turn (its writes to 60 terminals, its answer), something no terminal on
 * a machine of its own does. Measured beside 3,000 phones (docs/performance.md, "The stand-ins give
 * way"): the hub's thread waited for a processor 14% of its ready time against 21%, and 5-6% with no
 * phone against 9-11%.
 *
 * With `children: 'as they were'` (the bench's own process) what it starts later (the hubs, the
 * flush server, PostgreSQL) runs under the ordinary policy again (SCHED_RESET_ON_FORK): only the
 * stand-ins give way, never what is measured.
 */
export function giveWayAsStandIn(pid: number, children: 'as they were' | 'the same' = 'the same'): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  try {
    execFileSync('chrt', ['--batch', ...(children === 'as they were' ? ['--reset-on-fork'] : []), '--all-tasks', '--pid', '0', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (error) {
    return (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
  }
}

/** The bench's own process as a stand-in (its terminals, its HTTP clients), said on its first line. */
export function benchGivesWay(): void {
  const refused = giveWayAsStandIn(process.pid, 'as they were');
  console.log(
    refused
      ? `The bench's stand-ins run under the ordinary policy (SCHED_BATCH could not be set: ${refused}); waking, they may take a processor from the hub`
      : "The bench's stand-ins (terminals, phones, the QR client) run under SCHED_BATCH: their fair share, but they do not take a processor from the hub when they wake; the hubs and the flush server run under the ordinary policy",
  );
}

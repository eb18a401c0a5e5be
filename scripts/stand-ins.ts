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
 * What a bench starts to measure (the hubs, the floor's flush server) it starts through
 * underOrdinaryPolicy (packages/hub/src/testing/ordinary-policy.ts): a child inherits SCHED_BATCH,
 * which SCHED_RESET_ON_FORK does not give back (it resets only the real-time policies), and from
 * 2026-12-05 evening until that was found the benches' hubs ran under SCHED_BATCH too. Only the
 * stand-ins give way, never what is measured. (The city's PostgreSQL, started at nice 10, and the
 * year generator's writers stay under the bench's policy: a city's server is not the hall's PC, and
 * the year is written before anything is timed.)
 */
export function giveWayAsStandIn(pid: number): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  try {
    execFileSync('chrt', ['--batch', '--all-tasks', '--pid', '0', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (error) {
    return (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
  }
}

/** The bench's own process as a stand-in (its terminals, its HTTP clients), said on its first line. */
export function benchGivesWay(): void {
  const refused = giveWayAsStandIn(process.pid);
  console.log(
    refused
      ? `The bench's stand-ins run under the ordinary policy (SCHED_BATCH could not be set: ${refused}); waking, they may take a processor from the hub`
      : "The bench's stand-ins (terminals, phones, the QR client) run under SCHED_BATCH: their fair share, but they do not take a processor from the hub when they wake; the hubs and the flush server are started under the ordinary policy",
  );
}

import type { NamedTerminal } from '@servicehall/core';
import { builtEntry, HUB_BUILT } from '@servicehall/hub/built';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PartedTail, ShipperOptions, UpstreamStatus } from './ship';
import { terminalsJson } from './terminals';

/** The hub's side of shipping: a worker thread that ships, and the status it last reported. */
export interface Upstream {
  status(): UpstreamStatus;
  /** The hall appended events up to `seq`: ship them now. */
  appended(seq: number): void;
  /**
   * The hall's terminals as its console's board lists them, which only the hub knows (credentials, links, the
   * terminals it remembers): said at the start and whenever the list changes; the city gets them as they were
   * last said (Shipper.terminals). Said again unchanged, nothing goes to the worker.
   */
  terminals(terminals: readonly NamedTerminal[]): void;
  /** The list last said to the worker (terminals()), as JSON for halls.terminals; undefined before the first. */
  terminalsSaid(): string | undefined;
  stop(): Promise<void>;
}

// A hub run built (packages/hub/dist, the hub's built.ts) starts the worker's build, without tsx; else these files, through tsx.
const BOOT = HUB_BUILT ? pathToFileURL(builtEntry('upstream-boot')) : new URL('./boot.mjs', import.meta.url);
/** The nice value of the shipper's thread (set by boot.mjs before its code loads): the hub's own threads keep the process's, and come first when the cores are busy. */
export const SHIPPER_NICE = 10;
/** How long the hall counts as busy after a busy second, and how often the worker is told. */
const BUSY_FOR_MS = 3_000;
const BUSY_SAY_MS = 500;
/** Events in a second from which the hall counts as busy (a hall serving citizens appends several a second). */
const BUSY_EVENTS = 5;

/**
 * Whether the hall is serving: five events or more within a second, not the hub's own event now and
 * then. Says until when the shipper should count it busy, at most every BUSY_SAY_MS.
 */
export class HallPace {
  private secondStarted = -Infinity;
  private events = 0;
  private said = -Infinity;

  appended(events: number, now: number): number | undefined {
    if (now - this.secondStarted > 1000) {
      this.secondStarted = now;
      this.events = 0;
    }
    this.events += events;
    if (this.events < BUSY_EVENTS || now - this.said < BUSY_SAY_MS) return undefined;
    this.said = now;
    return now + BUSY_FOR_MS;
  }
}
const ENTRY = (HUB_BUILT ? pathToFileURL(builtEntry('upstream-worker')) : new URL('./worker.ts', import.meta.url)).href;

/**
 * Starts shipping the hall's log in a worker thread: its reads of the log (a read-only SQLite
 * connection of its own), its masking and its PostgreSQL round trips never hold up a command.
 */
export function startUpstream(
  options: ShipperOptions,
  onStatus: (status: UpstreamStatus) => void = () => undefined,
  /** The city set aside a parted tail of this hall (see Shipper.checkLineage): the hub logs it. */
  onParted: (parted: PartedTail) => void = () => undefined,
): Upstream {
  let status: UpstreamStatus = { hall: options.hall, state: 'connecting', shippedSeq: 0, hallSeq: 0, behindEvents: 0, behindSeconds: 0, eventsPerSecond: 0 };
  let hallSeq = 0;
  // When the hall appended while the worker last said it was caught up: the age of what waits since.
  let appendedSince: number | undefined;
  let waking = false;
  let terminalsSaid = options.terminals && terminalsJson(options.terminals);
  const pace = new HallPace();
  const worker = new Worker(BOOT, { workerData: { entry: ENTRY, typescript: !HUB_BUILT, options, nice: SHIPPER_NICE } });
  const stopped = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (message: { kind: 'status'; status: UpstreamStatus } | { kind: 'parted'; parted: PartedTail } | { kind: 'stopped' }) => {
    if (message.kind === 'parted') onParted(message.parted);
    if (message.kind === 'status') {
      status = message.status;
      if (status.shippedSeq >= hallSeq) appendedSince = undefined;
      onStatus(status);
    }
    // Its shipper has stopped (its connections closed, its log let go): the thread would stay alive on its port alone.
    if (message.kind === 'stopped') void worker.terminate();
  });
  worker.on('error', (error) => {
    status = { ...status, state: 'stopped', message: `the upstream worker failed: ${error.message}` };
    onStatus(status);
  });
  // The worker is no reason for the hub's process to stay.
  worker.unref();
  return {
    status() {
      // The hall may have gone on since the worker last looked.
      const seq = Math.max(hallSeq, status.hallSeq);
      const since = status.waitingSince ?? (seq > status.shippedSeq ? appendedSince : undefined);
      const behindSeconds = since === undefined ? 0 : Math.max(0, Math.round((Date.now() - since) / 1000));
      return { ...status, hallSeq: seq, behindEvents: Math.max(0, seq - status.shippedSeq), behindSeconds };
    },
    appended(seq) {
      if (seq > hallSeq && appendedSince === undefined && status.shippedSeq >= hallSeq) appendedSince = Date.now();
      // The hall is serving: the shipper leaves it most of the time for a while (ShipperOptions.busyShare).
      const until = pace.appended(Math.max(0, seq - hallSeq), Date.now());
      if (until !== undefined) worker.postMessage({ kind: 'busy', until });
      hallSeq = Math.max(hallSeq, seq);
      // One wake-up in flight is enough: a busy hall appends many times while a batch is on its way.
      if (waking) return;
      waking = true;
      setImmediate(() => {
        waking = false;
        worker.postMessage({ kind: 'wake' });
      });
    },
    terminals(terminals) {
      // Said again only when it changed: the hub calls this at every link, pairing and device report.
      const said = terminalsJson(terminals);
      if (said === terminalsSaid) return;
      terminalsSaid = said;
      worker.postMessage({ kind: 'terminals', terminals: JSON.parse(said) as NamedTerminal[] });
    },
    terminalsSaid: () => terminalsSaid,
    async stop() {
      worker.postMessage({ kind: 'stop' });
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      await stopped;
      clearTimeout(timer);
    },
  };
}

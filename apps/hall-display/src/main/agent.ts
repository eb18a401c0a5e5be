import type { AgentContext, AgentParts } from '@servicehall/agent';
import { findWindow, itemWaits, waitingTickets, waitPhrase, type Catalogue, type DeviceReport, type HallEvent, type HallView } from '@servicehall/core';
import path from 'node:path';
import { Announcer, realClock, type Announcement, type AnnouncerClock, type Speaker } from '../shared/announcer';
import type { Announced, Board, CallShown, HallDisplayShape, ScreenVoice, VoicePlan } from '../shared/api';
import { stringsFor } from '../shared/strings';
import { announcedOf, chooseVoice, voiceFailedReport, voiceReport } from '../shared/voice';
import { checkEspeak, espeakSpeaker, type EspeakCheck } from './espeak';
import { DisplayOptionsSchema, type DisplayOptions } from './options';

/**
 * Calls kept for the screen: it shows fewer, the rest lets the screen's announcer catch up on a burst.
 * Beyond these, every call still waiting for its citizen is kept too (one a window at most): a burst
 * from more windows than this (60 windows in one second, one batch of events) is said whole.
 */
export const CALL_LOG = 30;
const ANNOUNCED_LOG = 200;
const COMPLAINT_ITEM = 'ZX-YJ-TS';

/** H-15: the complaint phone, and the window that serves the complaint item (意见建议及投诉受理). */
export function complaintChannels(catalogue: Catalogue, itemCode?: string): Board['complaint'] {
  const item =
    catalogue.items.find((i) => i.code === (itemCode ?? COMPLAINT_ITEM)) ?? (itemCode ? undefined : catalogue.items.find((i) => i.name.includes('投诉')));
  const window = item ? catalogue.windows.find((w) => w.serves.includes(item.code)) : undefined;
  return { phone: catalogue.hall.complaintPhone, window: window && { number: window.number, name: window.name } };
}

/** The tickets each window has called and not yet seen come: an announcement stands only while its call does. */
export function calledNow(view: HallView): Board['calledNow'] {
  const out: Board['calledNow'] = [];
  for (const [window, id] of view.current) {
    const t = view.tickets.get(id);
    if (t?.state === 'called' && t.window === window) out.push({ ticket: t.number, window });
  }
  return out.sort((a, b) => a.window - b.window);
}

/** `now`: the hub's clock, which the waits are counted by. */
export function boardOf(view: HallView, calls: CallShown[], options: Pick<DisplayOptions, 'notices' | 'complaintItem'>, language: string | undefined, now: number): Board {
  const waitedFor = new Set(waitingTickets(view).map((t) => t.serviceCode));
  const waits = itemWaits(view, now, [...waitedFor]);
  return {
    seq: view.seq,
    hallName: view.catalogue.hall.name,
    hallNameEn: view.catalogue.hall.nameEn,
    timeZone: view.catalogue.hall.timeZone,
    calls,
    calledNow: calledNow(view),
    // Per item: the people waiting, and the wait of a ticket taken now, from the queue policy itself (H-09).
    waiting: view.catalogue.items
      .filter((item) => waitedFor.has(item.code))
      .map((item) => {
        const w = waits.get(item.code)!;
        return { code: item.code, name: item.name, waiting: w.waiting, minutes: w.minutes, wait: waitPhrase(w) };
      }),
    notices: options.notices?.length ? options.notices : stringsFor(language).defaultNotices,
    complaint: complaintChannels(view.catalogue, options.complaintItem),
  };
}

function windowName(view: HallView, window: number): string {
  return findWindow(view.catalogue, window)?.name ?? `${window}号窗口`;
}

/** The calls in the events, in the order the windows made them: numbers only, never names (H-19). */
export function callsIn(events: readonly HallEvent[], view: HallView): CallShown[] {
  const out: CallShown[] = [];
  for (const e of events) {
    if (e.type !== 'ticket.called' && e.type !== 'ticket.recalled') continue;
    // A call typed at a window while no hub answered, reconciled later: it happened long ago, and is neither shown nor announced now.
    if (e.type === 'ticket.called' && e.happenedAt !== undefined) continue;
    const t = view.tickets.get(e.id);
    if (!t) continue;
    out.push({ seq: e.seq, ticket: t.number, window: e.window, windowName: windowName(view, e.window), at: e.at, recall: e.type === 'ticket.recalled', ...(t.remote ? { remote: true } : {}) });
  }
  return out;
}

/** Newest first; a recall comes to the top again. The CALL_LOG newest, and older ones still `standing` (called now at their window). */
export function recordCalls(calls: CallShown[], fresh: readonly CallShown[], standing: Board['calledNow'] = []): CallShown[] {
  let out = calls;
  for (const c of fresh) out = [c, ...out.filter((x) => x.ticket !== c.ticket)];
  const waiting = new Set(standing.map((c) => `${c.ticket}@${c.window}`));
  return out.filter((c, i) => i < CALL_LOG || waiting.has(`${c.ticket}@${c.window}`));
}

/** The calls a view holds without its events (after a snapshot): the tickets' last calls, newest first, seq 0. */
export function callsFromView(view: HallView): CallShown[] {
  return [...view.tickets.values()]
    .filter((t) => t.lastCalledAt !== undefined && t.window !== undefined)
    .sort((a, b) => b.lastCalledAt! - a.lastCalledAt! || b.number.localeCompare(a.number))
    .slice(0, CALL_LOG)
    .map((t) => ({ seq: 0, ticket: t.number, window: t.window!, windowName: windowName(view, t.window!), at: t.lastCalledAt!, recall: t.recalls > 0, ...(t.remote ? { remote: true } : {}) }));
}

/** What the hall heard, newest last: kept by the agent wherever the voice ran, for the log and for checks. */
export class AnnouncementLog {
  private readonly entries: Announced[] = [];

  add(entry: Announced): void {
    this.entries.push(entry);
    if (this.entries.length > ANNOUNCED_LOG) this.entries.shift();
  }

  list(): Announced[] {
    return [...this.entries];
  }
}

/** A log entry from the screen, checked: bad input from the renderer is dropped, never trusted. */
export function parseAnnounced(input: unknown): Announced | undefined {
  const e = input as Partial<Announced> | null;
  if (!e || typeof e !== 'object') return undefined;
  const int = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  if (!int(e.seq, 0, Number.MAX_SAFE_INTEGER) || !int(e.window, 1, 999) || !int(e.time, 0, 5) || !int(e.at, 0, Number.MAX_SAFE_INTEGER)) return undefined;
  if (typeof e.ticket !== 'string' || !/^[A-Z]{0,2}\d{1,5}$/.test(e.ticket) || typeof e.text !== 'string' || e.text.length > 80) return undefined;
  if (e.voice !== 'speech-synthesis' && e.voice !== 'espeak-ng' && e.voice !== 'chime-only') return undefined;
  if (e.skipped !== undefined && e.skipped !== 'no-longer-called' && e.skipped !== 'too-old') return undefined;
  if (e.failed !== undefined && (typeof e.failed !== 'string' || e.failed.length === 0 || e.failed.length > 200 || /[\r\n]/.test(e.failed))) return undefined;
  return { seq: e.seq!, ticket: e.ticket, window: e.window!, recall: e.recall === true, text: e.text, time: e.time!, voice: e.voice, at: e.at!, ...(e.skipped ? { skipped: e.skipped } : {}), ...(e.failed ? { failed: e.failed } : {}) };
}

export interface HallDisplayDeps {
  checkEspeak?: () => Promise<EspeakCheck>;
  speaker?: (dir: string) => Speaker;
  /** How the voice's pauses pass (a test's pass at once); a call's age is always counted by the hub's clock. */
  sleep?: AnnouncerClock['sleep'];
  /** How long the agent waits for a screen to say what voice it has before it decides alone. */
  screenWaitMs?: number;
}

export interface HallDisplayAgentParts extends AgentParts<HallDisplayShape> {
  announcements: AnnouncementLog;
}

/**
 * The hall screen's agent: turns the hub's view into the board, decides the voice (and reports it
 * to the hub), keeps the announcement log, and runs the announcement queue itself when the voice is
 * espeak-ng.
 */
export function createHallDisplayAgent(
  ctx: AgentContext<HallDisplayShape>,
  options: DisplayOptions = DisplayOptionsSchema.parse({}),
  deps: HallDisplayDeps = {},
): HallDisplayAgentParts {
  // The calls' times are the hub's: a call is too old to announce by the hub's clock, never by this PC's, which may be minutes off.
  const clock: AnnouncerClock = { now: () => ctx.client.hubNow(), sleep: deps.sleep ?? realClock.sleep };
  const log = new AnnouncementLog();
  const espeak = (deps.checkEspeak ?? checkEspeak)().catch((): EspeakCheck => ({ usable: false, reason: 'no-espeak-ng' }));
  let calls: CallShown[] = [];
  let plan: VoicePlan = {
    mode: 'deciding',
    runsIn: 'renderer',
    repeat: options.repeat,
    gapMs: options.gapMs,
    chimeMs: options.chimeMs,
    captionMs: options.captionMs,
    maxAgeMs: options.maxAgeMs,
  };
  let reported: string | undefined;
  /** The voice's report while it works (decide's): what the board shows again once a failed voice says a call. */
  let working: DeviceReport | undefined;
  let announcer: Announcer | undefined;
  let stopped = false;
  ctx.push('voice', plan);
  ctx.push('announcing', null);

  const stillCalled = (a: Announcement) => {
    const view = ctx.client.view;
    if (!view) return true;
    const id = view.current.get(a.window);
    const t = id ? view.tickets.get(id) : undefined;
    return t?.state === 'called' && t.number === a.ticket;
  };

  const startAgentVoice = () => {
    announcer?.stop();
    const speaker = (deps.speaker ?? ((dir) => espeakSpeaker(dir)))(path.join(ctx.config.dataDir, 'voice'));
    announcer = new Announcer({
      speaker,
      clock,
      repeat: options.repeat,
      gapMs: options.gapMs,
      maxAgeMs: options.maxAgeMs,
      stillCalled,
      onEvent: (e) => {
        if (e.kind === 'started') ctx.push('announcing', { ticket: e.call.ticket, window: e.call.window, text: e.text });
        if (e.kind === 'finished' || e.kind === 'skipped') ctx.push('announcing', null);
        // A saying that failed is logged where it is heard (heard); a chime that failed alone, here.
        if (e.kind === 'failed' && e.part === 'chime') ctx.log(`the chime failed on ${e.call.ticket}: ${e.message}`);
        const entry = announcedOf(e, 'espeak-ng', clock.now());
        if (entry) heard(entry);
      },
    });
  };

  const decide = async (screen: ScreenVoice | undefined): Promise<VoicePlan> => {
    const check = await espeak;
    const mode = chooseVoice(options.voice, { zhVoice: Boolean(screen?.zhVoice), espeak: check.usable });
    const runsIn = mode === 'espeak-ng' ? 'agent' : 'renderer';
    if (stopped) return plan;
    if (mode !== plan.mode) {
      if (runsIn === 'agent') startAgentVoice();
      else {
        announcer?.stop();
        announcer = undefined;
      }
      plan = { ...plan, mode, runsIn };
      ctx.push('voice', plan);
      ctx.log(`voice: ${mode}${check.usable ? '' : ` (espeak-ng: ${check.reason})`}${screen?.zhVoice ? `, screen voice ${screen.zhVoice}` : ''}`);
    }
    working = voiceReport(mode, options.voice, check.usable ? undefined : check.reason);
    tell(working);
    return plan;
  };

  /** The voice's state to the hub, on change only: it records it as devices.reported; the outbox carries it over a lost link. */
  const tell = (report: DeviceReport) => {
    const key = JSON.stringify(report);
    if (key === reported) return;
    reported = key;
    ctx.client.send({ type: 'reportDevices', devices: [report] }).then(
      (answer) => {
        if (!answer.ok) ctx.log(`the hub did not take the voice report: ${answer.code}`);
      },
      () => undefined,
    );
  };

  /**
   * What the hall heard, wherever the voice ran (here or in the screen): kept in the log; a call the voice
   * could not say makes the voice a fault on the board (the supervisors alerted), the next call said mends it.
   */
  const heard = (entry: Announced) => {
    log.add(entry);
    if (entry.failed) {
      ctx.log(`the voice could not say ${entry.ticket}: ${entry.failed}`);
      tell(voiceFailedReport(entry.failed));
    } else if (entry.time > 0 && working) tell(working);
  };

  // A screen that never says what it can do (none attached yet) must not keep the hall silent.
  const alone = setTimeout(() => {
    if (plan.mode === 'deciding') void decide(undefined);
  }, deps.screenWaitMs ?? 5000);

  const unsubscribe = ctx.client.subscribe((change) => {
    if (change.kind !== 'view') return;
    try {
      if (change.snapshot) calls = callsFromView(change.view);
      else {
        const fresh = callsIn(change.events, change.view);
        calls = recordCalls(calls, fresh, calledNow(change.view));
        if (announcer && plan.runsIn === 'agent') for (const c of fresh) announcer.enqueue(c);
      }
      ctx.push('board', boardOf(change.view, calls, options, ctx.config.language, ctx.client.hubNow()));
    } catch (error) {
      ctx.log(`the board could not be made: ${error instanceof Error ? error.message : error}`);
    }
  });

  return {
    announcements: log,
    handlers: {
      hello: () => ({ terminal: ctx.config.terminal, language: ctx.config.language, pageMs: options.pageMs }),
      screenVoice: (voice) => {
        const zhVoice = typeof voice?.zhVoice === 'string' && voice.zhVoice.length > 0 ? voice.zhVoice.slice(0, 80) : undefined;
        clearTimeout(alone);
        return decide({ zhVoice });
      },
      announced: (entry) => {
        const e = parseAnnounced(entry);
        if (e) heard(e);
      },
    },
    stop() {
      stopped = true;
      clearTimeout(alone);
      announcer?.stop();
      unsubscribe();
    },
  };
}

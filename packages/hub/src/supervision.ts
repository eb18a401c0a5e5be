import { alertChanges, alertNotice, hallDay, hallItemNames, hallTerminalNames, hallTerminals, isConfigured, type Actor, type AlertSubject, type HallView, type Language, type NamedTerminal, type OverdueReport, type StandbyLink, type TerminalPresence } from '@servicehall/core';
import { overdueAlertReports } from './casework';
import type { HallTokenTerminals, TerminalCredentials } from './enrolment';
import { log } from './log';
import { opsText } from './ops-strings';
import type { HallNotifications } from './notifications';
import { HallStore } from './store';
import type { LinkedTerminal } from './terminals';

const HUB: Actor = { role: 'admin', terminal: 'hub' };
const HUB_SCOPE = ':hub';

/**
 * What is overdue in the hall's records, each source one function of the store and the time: the
 * follow-up steps, complaints and case routes (casework.ts). A new kind of record adds its source
 * here, one line; the alerts, the board and the notices follow without more.
 */
export type OverdueSource = (store: HallStore, now: number) => OverdueReport[];
export const OVERDUE_SOURCES: OverdueSource[] = [overdueAlertReports];

/**
 * The events after which the overdue records are read again: those that change an open follow-up,
 * complaint or case route, or the calendar and time zone that count their days. Nothing else can
 * (a case recorded at a window, many a minute in a busy hall, changes none of them), and otherwise
 * they are read again when the hall's day turns: they are due by the day. On a hall of a year, with
 * thousands of follow-ups left open, a read takes tens of milliseconds of the hub's event loop.
 */
const CHANGES_OVERDUE = /^(followUp\.|complaint\.|caseRoute\.|calendar\.|catalogue\.replaced$)/;

/**
 * An alert whose condition ended less than this before it came back (a printer's cover opened and shut, a
 * loose cable, a queue about its threshold) is shown and sounded on the console again, but not sent to the
 * channels again: a device that flaps every minute would fill the duty group and the supervisors' phones.
 */
export const FLAP_QUIET_MS = 10 * 60_000;

/** When each alert's condition (its key) last ended today: the source of the quiet after a flap. */
function lastCleared(view: HallView): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of view.alerts.values()) if (a.clearedAt !== undefined && a.clearedAt > (out.get(a.key) ?? -Infinity)) out.set(a.key, a.clearedAt);
  return out;
}

/** The terminals linked now with the hall token itself, not a credential of their own (older installations); not the console. */
export function hallTokenLinks(linked: readonly LinkedTerminal[]): LinkedTerminal[] {
  return linked.filter((l) => !l.credentialId && l.role !== 'admin');
}

/**
 * The terminals the hall expects, each with whether it is linked now and when it was last heard (H-04): those with a
 * live credential, then those linked with the hall token itself (older installations), linked now or remembered
 * (HallTokenTerminals: offline once they drop off, until the administrator removes them or HALL_TOKEN_KEPT_DAYS pass).
 */
export function terminalPresence(credentials: TerminalCredentials, linked: readonly LinkedTerminal[], now: number, hallToken: HallTokenTerminals): TerminalPresence[] {
  const out: TerminalPresence[] = [];
  for (const c of credentials.list(now, true)) {
    const link = linked.find((l) => l.credentialId === c.id);
    out.push({ terminal: c.terminal, role: c.role, ...(c.window !== undefined ? { window: c.window } : {}), online: !!link, ...(c.lastSeen !== undefined ? { lastSeen: c.lastSeen } : {}) });
  }
  for (const l of hallTokenLinks(linked))
    if (!out.some((p) => p.terminal === l.terminal))
      out.push({ terminal: l.terminal, role: l.role, ...(l.window !== undefined ? { window: l.window } : {}), online: true, lastSeen: now });
  for (const h of hallToken.list(now))
    if (!out.some((p) => p.terminal === h.terminal)) out.push({ terminal: h.terminal, role: h.role, ...(h.window !== undefined ? { window: h.window } : {}), online: false, lastSeen: h.lastSeen });
  return out;
}

/** The hall's terminals as the console's board lists them (core's hallTerminals), as the city names them (halls.terminals). */
export function cityTerminals(view: HallView, presence: readonly TerminalPresence[]): NamedTerminal[] {
  return hallTerminals(view, presence).map((t) => ({ terminal: t.terminal, role: t.role, ...(t.window !== undefined ? { window: t.window } : {}) }));
}

/**
 * The hub's side of the alerts: after every change and on a steady beat (waits and pauses grow with
 * the clock), it works out with core's rules whether an alert begins or ends, and only then records
 * it with a command of its own. A raised alert goes to the notification channels in the same
 * transaction, keyed by its id: sent once, retried by the outbox.
 */
/** The least time between two reviews after changes (see HallSupervision.soon). */
const REVIEW_GAP_MS = 200;

export class HallSupervision {
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private reviewedAt: number | undefined;
  private stopped = false;
  private readonly stopEvents: () => void;
  private overdue: { day: string; at: number; reports: OverdueReport[] } | undefined;
  /** Since when (the hub's clock) the standby has not been in step, as the reviews saw it. */
  private unlinked: StandbyLink | undefined;

  constructor(
    private readonly store: HallStore,
    private readonly presence: () => TerminalPresence[],
    private readonly notifications: HallNotifications | undefined,
    private readonly options: {
      clock: () => number;
      everyMs?: number;
      overdue?: readonly OverdueSource[];
      /** The standby's link as the replication sees it, when one is configured (SERVICEHALL_PEER). */
      standby?: () => 'in-step' | 'behind' | 'none';
    },
  ) {
    this.stopEvents = store.onEvents((events) => {
      // Casework that moved may have ended (or begun) something overdue.
      if (events.some((e) => CHANGES_OVERDUE.test(e.type))) this.overdue = undefined;
      this.soon();
    });
  }

  start(): void {
    this.timer = setInterval(() => this.soon(), this.options.everyMs ?? 5_000);
    this.timer.unref();
    this.soon();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.stopEvents();
  }

  /**
   * A review after the current work, once however many changes asked for it, and at most one in
   * REVIEW_GAP_MS: a hall under load changes hundreds of times a second, and an alert a fifth of a
   * second later is as good.
   */
  soon(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      if (this.stopped) return;
      this.reviewedAt = performance.now();
      try {
        this.review();
      } catch (error) {
        log.error({ err: error }, opsText('alertsReviewFailed'));
      }
    };
    const wait = this.reviewedAt === undefined ? 0 : this.reviewedAt + REVIEW_GAP_MS - performance.now();
    if (wait <= 0) setImmediate(go);
    else setTimeout(go, wait).unref();
  }

  /** The facts only the hub has: the terminals' links, what is overdue in its records, and its standby's link. */
  facts(now = this.options.clock()): { now: number; terminals: TerminalPresence[]; overdue: OverdueReport[]; standby?: StandbyLink } {
    const day = hallDay(now, this.store.view.catalogue.hall.timeZone);
    if (!this.overdue || this.overdue.day !== day || now < this.overdue.at)
      this.overdue = { day, at: now, reports: (this.options.overdue ?? OVERDUE_SOURCES).flatMap((source) => source(this.store, now)) };
    const state = this.options.standby?.();
    this.unlinked = state === undefined || state === 'in-step' ? undefined : { state, since: Math.min(this.unlinked?.since ?? now, now) };
    return { now, terminals: this.presence(), overdue: this.overdue.reports, ...(this.unlinked ? { standby: this.unlinked } : {}) };
  }

  /** Records the alerts that begin or end now; does nothing (and writes nothing) when none does. Says how many events it made. */
  review(): number {
    const store = this.store;
    // A standby follows the log of the hub in charge and writes nothing of its own.
    if (!store.role.inCharge || store.isDiskFull || !isConfigured(store.view.catalogue)) return 0;
    store.openDayIfDue();
    const facts = this.facts();
    if (alertChanges(store.view, facts).length === 0) return 0;
    const known = new Set(store.view.alerts.keys());
    const cleared = lastCleared(store.view);
    let queued = 0;
    const { events } = store.execute({ id: HallStore.ownId('alerts'), type: 'reviewAlerts', terminals: facts.terminals, overdue: facts.overdue, ...(facts.standby ? { standby: facts.standby } : {}) }, HUB, {
      scope: HUB_SCOPE,
      within: () => {
        // Named only when an alert begins: a review (after every change and on the beat) mostly raises none.
        const names = new Map<Language, ReadonlyMap<string, string>>();
        const namesIn = (language: Language) => names.get(language) ?? names.set(language, hallTerminalNames(store.view, facts.terminals, language)).get(language)!;
        const items = new Map<Language, ReadonlyMap<string, string>>();
        const itemsIn = (language: Language) => items.get(language) ?? items.set(language, hallItemNames(store.view, language)).get(language)!;
        for (const a of store.view.alerts.values()) {
          if (known.has(a.id)) continue;
          const quietSince = cleared.get(a.key);
          if (quietSince !== undefined && a.raisedAt - quietSince < FLAP_QUIET_MS) continue;
          const notifier = this.notifications?.notifier;
          // Each channel reads the terminals' and the items' names in its own language (取号机 2, Kiosk 2; 居民身份证换领, ID card renewal).
          const notices = { 'zh-CN': alertNotice(a.subject, namesIn('zh-CN'), itemsIn('zh-CN')), en: alertNotice(a.subject, namesIn('en'), itemsIn('en')) };
          let r = notifier?.notify(notices['zh-CN'], { key: `alert:${a.id}`, at: a.raisedAt, inLanguages: { en: notices.en } });
          // A terminal's words the notice cannot carry (a number that reads as a phone's): the fault goes out without them.
          if (r && !r.ok && a.subject.kind === 'device-fault' && a.subject.detail !== undefined) {
            const bare = (notice: AlertSubject) => {
              const { detail: _, ...rest } = notice as Extract<AlertSubject, { kind: 'device-fault' }>;
              return rest;
            };
            r = notifier!.notify(bare(notices['zh-CN']), { key: `alert:${a.id}`, at: a.raisedAt, inLanguages: { en: bare(notices.en) } });
          }
          if (r && !r.ok) log.warn({ alert: a.id, code: r.code }, opsText('alertNotQueued', { alert: a.id, code: r.code, problem: r.message }));
          else if (r) queued += r.queued.filter((q) => !q.repeated).length;
        }
      },
    });
    if (queued > 0) this.notifications?.wake();
    return events.length;
  }
}

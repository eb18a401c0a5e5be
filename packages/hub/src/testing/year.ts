import {
  addCalendarDays,
  hallCalendar,
  hallDay,
  isBadRating,
  localTime,
  type Actor,
  type Catalogue,
  type Command,
  type CommandBody,
  type FollowUpStep,
  type PriorityReason,
  type RatingLevel,
  type ServiceItem,
  type WorkingCalendar,
} from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { FACT_TABLE_LIST, onConflictAdd } from '@servicehall/reports/facts';
import type { Answer } from '@servicehall/protocol';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Db } from '../db';
import { housekeep } from '../housekeeping';
import { KEY_FILE } from '../files';
import { HallStore } from '../store';
import { FACTS_SEQ_KEY } from '../report-facts';
import { hallKeyOf } from './hall-db';

/**
 * A busy hall's history, written through the hub's own path: every ticket is issued, called,
 * served, given its outcome and rated by commands that HallStore decides and applies, with the
 * clock injected, on the working days of the calendar. Seeded and deterministic: the same options
 * give the same database. The year bench, the reports, the city and continuity use it; tests make
 * a few days of it in a second.
 *
 * Bump the version whenever what it writes changes: cached histories are keyed by it.
 */
export const HISTORY_GENERATOR_VERSION = 3;

export interface HistoryOptions {
  /** Folder of the hall database (hall.db), made when new. A folder that holds a hall goes on from it. */
  dataDir: string;
  /** Working days of history, ending on `lastDay`. */
  days: number;
  /** Tickets on an ordinary day; Mondays bring more, Fridays fewer. Default 12,000. */
  ticketsPerDay?: number;
  /** The last day of the history (YYYY-MM-DD); default the day before today in the hall. */
  lastDay?: string;
  /** Default 1. */
  seed?: number;
  /** The hall; default busyHall(). A database that holds a hall keeps its own. */
  catalogue?: Catalogue;
  /** Whose working days the history has; default the hall's (the statutory one with its own changes). */
  calendar?: WorkingCalendar;
  /** Told after each day. */
  onDay?: (day: DaySummary) => void;
}

export interface DaySummary {
  day: string;
  /** Days written so far, and of how many. */
  done: number;
  of: number;
  tickets: number;
  commands: number;
}

export interface HistorySummary {
  firstDay: string;
  lastDay: string;
  days: number;
  tickets: number;
  commands: number;
  /** Commands the hall's rules refused (a daily quota reached, say): part of a real history too. */
  refused: number;
  /** The last event's sequence number. */
  seq: number;
  /** Time taken, and processor time spent (user and system, every process that wrote). */
  ms: number;
  cpuMs?: number;
}

/**
 * The demo hall made big: `windows` windows (default 150) serving the demo's items in the demo's
 * groups, a clerk at each, four-digit numbers, the demo's quotas ten times over.
 */
export function busyHall(options: { windows?: number } = {}): Catalogue {
  const demo = demoCatalogue();
  const count = options.windows ?? 150;
  const c = structuredClone(demo);
  c.numbering = { digits: 4, first: 1, last: 9999 };
  for (const item of c.items) if (item.dailyQuota !== undefined) item.dailyQuota = Math.min(9999, item.dailyQuota * 10);
  c.windows = Array.from({ length: count }, (_, i) => {
    const model = demo.windows[i % demo.windows.length]!;
    return { ...model, number: i + 1, name: `${i + 1}号窗口`, serves: [...model.serves] };
  });
  c.clerks = c.windows.map((w) => ({ number: String(3000 + w.number), name: `工作人员${w.number}`, department: w.department ?? demo.departments[0]!.name }));
  return c;
}

/** mulberry32: small, fast, good enough for a simulation, and the same everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The instant of a local time (minutes after midnight) on a day in the hall's zone. */
function instant(day: string, minutes: number, timeZone: string): number {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  const local = localTime(utcMidnight, timeZone);
  const ahead = local.day === day ? local.minutes : local.minutes - 1440;
  return utcMidnight - ahead * 60_000 + Math.round(minutes * 60_000);
}

/** Working days from the calendar, the last `count` of them up to `lastDay`, oldest first. */
export function workingDays(calendar: WorkingCalendar, lastDay: string, count: number): string[] {
  const out: string[] = [];
  for (let day = lastDay; out.length < count; day = addCalendarDays(day, -1)) if (calendar.isWorkingDay(day)) out.push(day);
  return out.reverse();
}

/** A min-heap of timed actions; ties keep their order. */
class Agenda {
  private heap: { t: number; n: number; run: () => void }[] = [];
  private n = 0;

  get size(): number {
    return this.heap.length;
  }

  private static less(h: { t: number; n: number }[], a: number, b: number): boolean {
    return h[a]!.t < h[b]!.t || (h[a]!.t === h[b]!.t && h[a]!.n < h[b]!.n);
  }

  /** Runs `run` at `t`, in whole milliseconds as the hub's own clock (Date.now) counts them. */
  at(t: number, run: () => void): void {
    const h = this.heap;
    h.push({ t: Math.round(t), n: this.n++, run });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.t < h[i]!.t || (h[p]!.t === h[i]!.t && h[p]!.n < h[i]!.n)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  next(): { t: number; run: () => void } | undefined {
    const h = this.heap;
    const top = h[0];
    if (!top) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && Agenda.less(h, l, m)) m = l;
        if (r < h.length && Agenda.less(h, r, m)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

const MIN = 60_000;
/** Commands written in one transaction by the history generator. */
const COMMANDS_PER_COMMIT = 10_000;
const LEVELS: [RatingLevel, number][] = [
  ['very-satisfied', 0.85],
  ['satisfied', 0.12],
  ['basically-satisfied', 0.022],
  ['dissatisfied', 0.005],
  ['very-dissatisfied', 0.003],
];
const REASONS: PriorityReason[] = ['elderly', 'elderly', 'elderly', 'disabled', 'pregnant', 'military'];
const STEPS: FollowUpStep[] = ['verify', 'fix', 'reply', 'revisit'];

interface Returning {
  caseNumber: string;
  serviceCode: string;
  materials: string[];
}

interface WindowSim {
  number: number;
  actor: Actor;
  pad: Actor;
  clerk: string;
  busy: boolean;
  /** A ticket this window holds (挂起), and since when: it is called back after the next service. */
  held?: { id: string; since: number };
}

/**
 * Writes `days` working days of a busy hall into the database in `dataDir` and says what it wrote.
 * Synchronous; durability is relaxed while it writes (the database is whole once it returns).
 */
export function generateHistory(options: HistoryOptions): HistorySummary {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const perDay = options.ticketsPerDay ?? 12_000;
  const rng = random(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
  const chance = (p: number) => rng() < p;
  const between = (lo: number, hi: number) => lo + rng() * (hi - lo);
  const hex = (n: number) => Math.floor(rng() * 16 ** n).toString(16).padStart(n, '0');
  // Terminals' command ids are random UUIDs, from the seeded stream here, in the last days, whose
  // answers the hall still keeps. An answer older than its window would only be pruned: commands
  // before the window keep none (and get cheaper ids in order, never stored).
  let counter = 0;
  const commandId = (kept: boolean) =>
    kept ? `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(rng() * 4)).toString(16)}${hex(3)}-${hex(6)}${hex(6)}` : `history-${(counter++).toString(36).padStart(8, '0')}`;

  const db: Db = openDatabase(options.dataDir);
  // A history is written once, by one writer, and is whole when this returns: no flush on the way.
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  let now = 0;
  // A database that holds a hall goes on with its own; a new one is seeded with the given hall.
  const held = HallStore.hasCatalogue(db) ? (db.prepare("SELECT value FROM hall WHERE key = 'catalogue'").get() as { value: string }) : undefined;
  const catalogue0 = held ? (JSON.parse(held.value) as Catalogue) : (options.catalogue ?? busyHall());
  const calendar = options.calendar ?? hallCalendar(catalogue0);
  const lastDay = options.lastDay ?? addCalendarDays(hallDay(Date.now(), catalogue0.hall.timeZone), -1);
  const days = workingDays(calendar, lastDay, options.days);
  const tz = catalogue0.hall.timeZone;
  // The window of kept answers (7 days) as it stands at the history's end, with a day to spare.
  const answersKeptFrom = instant(addCalendarDays(lastDay, -8), 0, tz);
  if (!held) HallStore.seed(db, catalogue0, instant(days[0]!, 7 * 60, tz));
  const store = new HallStore(db, () => now, hallKeyOf(options.dataDir));
  const catalogue = store.view.catalogue;
  const admin: Actor = { role: 'admin', terminal: 'admin-console' };
  const kiosks: Actor[] = Array.from({ length: 8 }, (_, i) => ({ role: 'kiosk', terminal: `kiosk-${i + 1}` }));
  const windows: WindowSim[] = catalogue.windows.map((w, i) => ({
    number: w.number,
    actor: { role: 'window', terminal: `window-${w.number}`, window: w.number },
    pad: { role: 'rating-pad', terminal: `pad-${w.number}`, window: w.number },
    clerk: catalogue.clerks[i % Math.max(1, catalogue.clerks.length)]?.number ?? String(3000 + w.number),
    busy: false,
  }));
  const windowsFor = new Map<string, WindowSim[]>();
  for (const w of catalogue.windows) for (const code of w.serves) windowsFor.set(code, [...(windowsFor.get(code) ?? []), windows.find((x) => x.number === w.number)!]);
  const items = catalogue.items.filter((i) => windowsFor.has(i.code));
  // Each item draws citizens in proportion to the windows serving it over its service time, so that the hall copes.
  const weights = items.map((i) => windowsFor.get(i.code)!.length / i.typicalServiceMinutes);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const pickItem = (): ServiceItem => {
    let x = rng() * totalWeight;
    for (let i = 0; i < items.length; i++) if ((x -= weights[i]!) <= 0) return items[i]!;
    return items[items.length - 1]!;
  };
  // Service takes what the hall can give: the windows' day over the day's citizens.
  const meanTypical = items.reduce((a, i, k) => a + i.typicalServiceMinutes * weights[k]!, 0) / totalWeight;
  const scale = Math.min(1, Math.max(0.05, ((catalogue.windows.length * 400) / perDay - 1.2) / meanTypical));

  let commands = 0;
  let refused = 0;
  let tickets = 0;
  // Commands are committed COMMANDS_PER_COMMIT at a time, and the reports' fact rows of a day are
  // written once each, at its end (the history is whole only once it is written, see above).
  let inTransaction = false;
  const begin = () => {
    if (inTransaction) return;
    db.exec('BEGIN');
    inTransaction = true;
  };
  const commit = () => {
    if (!inTransaction) return;
    db.exec('COMMIT');
    inTransaction = false;
  };
  const run = (body: CommandBody, actor: Actor): Answer => {
    begin();
    const kept = now >= answersKeptFrom;
    const command = { ...body, id: commandId(kept), madeAt: now } as Command;
    const { answer } = store.execute(command, actor, { keepAnswer: kept });
    commands += 1;
    if (!answer.ok) refused += 1;
    if (commands % COMMANDS_PER_COMMIT === 0) commit();
    return answer;
  };

  const returning = new Map<string, Returning[]>();
  const secondRatings = new Map<string, string[]>();
  const followUpSteps = new Map<string, { id: string; step: FollowUpStep | 'appeal' }[]>();
  const later = <T>(map: Map<string, T[]>, day: string | undefined, value: T) => {
    if (day) map.set(day, [...(map.get(day) ?? []), value]);
  };
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const workingDayAfter = (day: string, n: number) => days[dayIndex.get(day)! + n];

  days.forEach((day, index) => {
    const agenda = new Agenda();
    const at = (minutes: number) => instant(day, minutes, tz);
    const dayTickets = { n: 0 };
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    const n = Math.round(perDay * ([1, 1.12, 1.02, 1, 0.97, 0.9, 1][weekday] ?? 1) * between(0.95, 1.05));

    const wake = (code: string, t: number) => {
      for (const w of windowsFor.get(code) ?? [])
        if (!w.busy) {
          w.busy = true;
          agenda.at(t + between(5_000, 20_000), () => call(w));
          return;
        }
    };
    const free = (w: WindowSim) => agenda.at(now + between(10_000, 30_000), () => (w.held && now - w.held.since > 3 * MIN ? callBack(w) : call(w)));
    const call = (w: WindowSim) => {
      const a = run({ type: 'callNext', window: w.number }, w.actor);
      if (a.ok && a.ticket) return called(w, a.ticket.id, a.ticket.serviceCode, caseOfTicket.get(a.ticket.id));
      if (w.held) return callBack(w);
      w.busy = false;
    };
    const callBack = (w: WindowSim) => {
      const held = w.held!.id;
      w.held = undefined;
      const a = run({ type: 'callTicket', window: w.number, ticketId: held }, w.actor);
      if (a.ok && a.ticket) called(w, a.ticket.id, a.ticket.serviceCode, undefined);
      else free(w);
    };
    const caseOfTicket = new Map<string, Returning>();
    const called = (w: WindowSim, ticketId: string, code: string, back: Returning | undefined) => {
      if (chance(0.03)) {
        agenda.at(now + 30_000, () => run({ type: 'recall', window: w.number }, w.actor));
        agenda.at(now + 60_000, () => run({ type: 'recall', window: w.number }, w.actor));
        agenda.at(now + 120_000, () => {
          run({ type: 'markNoShow', window: w.number }, w.actor);
          free(w);
        });
        return;
      }
      agenda.at(now + between(20_000, 70_000), () => {
        run({ type: 'startService', window: w.number }, w.actor);
        const item = catalogue.items.find((i) => i.code === code)!;
        const minutes = item.typicalServiceMinutes * scale * Math.exp(between(-0.5, 0.5));
        const end = now + Math.max(1, minutes) * MIN;
        if (chance(0.01)) {
          agenda.at(end, () => {
            const others = items.filter((i) => i.code !== code);
            const to = pick(others);
            const a = run({ type: 'transferTicket', window: w.number, toService: to.code, reason: '实际办理事项为' + to.name }, w.actor);
            if (a.ok) wake(to.code, now);
            free(w);
          });
          return;
        }
        if (!w.held && chance(0.005)) {
          agenda.at(now + between(1, 3) * MIN, () => {
            run({ type: 'holdTicket', window: w.number }, w.actor);
            w.held = { id: ticketId, since: now };
            free(w);
          });
          return;
        }
        agenda.at(end - 10_000, () => outcome(w, ticketId, item, back));
        agenda.at(end, () => {
          run({ type: 'finishService', window: w.number }, w.actor);
          if (chance(0.85)) agenda.at(now + between(5_000, 60_000), () => rate(w, ticketId));
          free(w);
        });
      });
    };
    const outcome = (w: WindowSim, ticketId: string, item: ServiceItem, back: Returning | undefined) => {
      if (item.code.startsWith('ZX-') || item.materials.length === 0) {
        run({ type: 'recordOutcome', window: w.number, serviceCode: item.code, outcome: 'consultation' }, w.actor);
        return;
      }
      const x = rng();
      if (back) {
        if (x < 0.9) run({ type: 'recordOutcome', window: w.number, serviceCode: item.code, outcome: 'accepted', caseNumber: back.caseNumber }, w.actor);
        else if (x < 0.98) correction(w, ticketId, item, back);
        else run({ type: 'recordOutcome', window: w.number, serviceCode: item.code, outcome: 'rejected', caseNumber: back.caseNumber, reason: '申请材料经核实不符合法定条件' }, w.actor);
        return;
      }
      if (x < 0.8) {
        const a = run({ type: 'recordOutcome', window: w.number, serviceCode: item.code, outcome: 'accepted' }, w.actor);
        // Now and then the clerk sees a material missing before the citizen leaves: the outcome is amended, not recorded twice.
        const number = a.ok && chance(0.005) ? store.view.casesOfTicket.get(ticketId)?.at(-1) : undefined;
        if (number) run({ type: 'amendOutcome', window: w.number, caseNumber: number, outcome: 'correction', materials: [pick(item.materials).id], amendReason: '核对后发现缺少材料' }, w.actor);
      } else if (x < 0.87) correction(w, ticketId, item, undefined);
      else if (x < 0.89) run({ type: 'recordOutcome', window: w.number, serviceCode: item.code, outcome: 'rejected', reason: '所申请事项不属于本中心受理范围，请向区市场监管局咨询' }, w.actor);
      else run({ type: 'recordOutcome', window: w.number, serviceCode: item.code, outcome: 'consultation' }, w.actor);
    };
    const correction = (w: WindowSim, ticketId: string, item: ServiceItem, back: Returning | undefined) => {
      const materials = back && chance(0.8) ? back.materials : [...new Set([pick(item.materials).id, pick(item.materials).id])];
      // A notice that names material an earlier one did not is given with the clerk's reason (一次性告知, H-03).
      const returned = back ? { caseNumber: back.caseNumber, breachReason: '申请人变更了申请内容' } : {};
      const a = run({ type: 'recordOutcome', window: w.number, serviceCode: item.code, outcome: 'correction', materials, ...returned }, w.actor);
      const number = a.ok ? (back?.caseNumber ?? store.view.casesOfTicket.get(ticketId)?.at(-1)) : undefined;
      // Three in four come back within their deadline; the others let their case lapse.
      if (number && chance(0.75)) later(returning, workingDayAfter(day, 1 + Math.floor(rng() * 7)), { caseNumber: number, serviceCode: item.code, materials });
    };
    const rate = (w: WindowSim, ticketId: string) => {
      let x = rng();
      let level: RatingLevel = 'very-satisfied';
      for (const [l, p] of LEVELS) if ((x -= p) <= 0) {
        level = l;
        break;
      }
      const a = run({ type: 'rate', ticketId, window: w.number, level, aspects: {}, reasons: [], channel: 'window-pad' }, w.pad);
      if (!a.ok) return;
      // Half of those unhappy say why on the pad after the press: the same rating, amended.
      if (isBadRating(level) && chance(0.5)) run({ type: 'amendRating', ticketId, aspects: { efficiency: level }, reasons: [pick(['等候时间长', '一次性告知不清', '态度生硬'])] }, w.pad);
      if (isBadRating(level)) {
        const id = `FU-${ticketId}-1`;
        if (chance(0.05)) later(followUpSteps, workingDayAfter(day, 1), { id, step: 'appeal' });
        STEPS.forEach((step, i) => later(followUpSteps, workingDayAfter(day, 1 + i), { id, step }));
      }
      if (chance(0.003)) later(secondRatings, workingDayAfter(day, 1 + Math.floor(rng() * 8)), ticketId);
    };

    // The morning: appointments booked online reach the hub, the windows open.
    agenda.at(at(7 * 60 + 50), () => {
      for (const { id, step } of followUpSteps.get(day) ?? [])
        if (step === 'appeal') run({ type: 'appealFollowUp', followUpId: id, reason: '评价人反映的情况与录像不符，申请复核' }, admin);
        else run({ type: 'advanceFollowUp', followUpId: id, step, note: { verify: '已调取录像核实', fix: '已整改', reply: '已电话反馈', revisit: '已回访，群众满意' }[step] }, admin);
      followUpSteps.delete(day);
    });
    for (const w of windows) agenda.at(at(8 * 60 + 20), () => run({ type: 'openWindow', window: w.number, clerk: w.clerk }, admin));

    // The citizens: two waves, the morning's the bigger; some by appointment, some in the green lane, some back with corrections.
    const comers = returning.get(day) ?? [];
    returning.delete(day);
    for (let i = 0; i < n; i++) {
      const morning = chance(0.6);
      const minutes = morning ? 8 * 60 + 30 + 180 * ((rng() + rng()) / 2) : 13 * 60 + 30 + 210 * ((rng() + rng()) / 2);
      const back = i < comers.length ? comers[i] : undefined;
      const item = back ? catalogue.items.find((x) => x.code === back.serviceCode)! : pickItem();
      const t = at(minutes);
      if (!back && chance(0.03)) {
        const code = `YY${day.replace(/-/g, '')}${String(i).padStart(5, '0')}`;
        const slot = Math.floor(minutes / 30) * 30;
        agenda.at(at(7 * 60 + 55), () => run({ type: 'bookAppointment', code, serviceCode: item.code, slotStart: at(slot), slotEnd: at(slot + 30) }, admin));
        agenda.at(t, () => arrive(run({ type: 'checkInAppointment', code }, pick(kiosks)), item.code, undefined));
        continue;
      }
      const priority = !back && chance(0.06);
      agenda.at(t, () =>
        arrive(run({ type: 'issueTicket', serviceCode: item.code, lane: priority ? 'priority' : 'ordinary', ...(priority ? { priorityReason: pick(REASONS) } : {}) }, pick(kiosks)), item.code, back),
      );
    }
    const arrive = (a: Answer, code: string, back: Returning | undefined) => {
      if (!a.ok || !a.ticket) return;
      tickets += 1;
      dayTickets.n += 1;
      if (back) caseOfTicket.set(a.ticket.id, back);
      wake(code, now);
    };
    // Second ratings by QR, from the phones, during the day.
    for (const ticketId of secondRatings.get(day) ?? [])
      agenda.at(at(between(9 * 60, 20 * 60)), () => run({ type: 'rate', ticketId, level: pick(['satisfied', 'very-satisfied', 'dissatisfied'] as RatingLevel[]), aspects: {}, reasons: [], channel: 'qr' }, { role: 'admin', terminal: 'qr-page' }));
    secondRatings.delete(day);
    // The hub's own sweep, as the running hub does it (every 5 minutes here rather than 30 s).
    for (let m = 7 * 60 + 45; m < 23 * 60; m += 5) agenda.at(at(m), () => housekeep(store, now));
    // Extended hours: a window closes once nobody is left for it after 17:00.
    for (const w of windows)
      agenda.at(at(17 * 60 + 5), function close() {
        if (w.busy) return agenda.at(now + 5 * MIN, close);
        run({ type: 'closeWindow', window: w.number }, w.actor);
      });

    const before = commands;
    store.holdFacts();
    for (let next = agenda.next(); next; next = agenda.next()) {
      now = Math.max(now, next.t);
      next.run();
    }
    begin();
    store.releaseFacts();
    store.writeFacts();
    commit();
    options.onDay?.({ day, done: index + 1, of: days.length, tickets: dayTickets.n, commands: commands - before });
  });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('synchronous = FULL');
  const seq = store.seq;
  db.close();
  const spent = process.cpuUsage(cpu);
  return { firstDay: days[0]!, lastDay: days[days.length - 1]!, days: days.length, tickets, commands, refused, seq, ms: Math.round(performance.now() - started), cpuMs: Math.round((spent.user + spent.system) / 1000) };
}

export interface ParallelHistoryOptions extends HistoryOptions {
  /** Processes writing at once; default one per processor. */
  parts?: number;
}

/**
 * The same kind of history, written by several processes at once (one per processor): the working
 * days are cut into consecutive stretches, each written from a fresh hall by its own process through
 * the hub's path, and the stretches are then appended to the first one's log in order, their
 * sequence numbers moved on. The log folds from its first event to its last as one. Each stretch
 * begins as any day does (queues empty, windows closed); only what spans a cut is lost: a correction
 * case given in the last days before it is not brought back after it (it lapses when the history
 * ends), and a follow-up opened then stays open.
 */
export async function generateHistoryInParallel(options: ParallelHistoryOptions): Promise<HistorySummary> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const catalogue = options.catalogue ?? busyHall();
  const calendar = options.calendar ?? hallCalendar(catalogue);
  const lastDay = options.lastDay ?? addCalendarDays(hallDay(Date.now(), catalogue.hall.timeZone), -1);
  const all = workingDays(calendar, lastDay, options.days);
  const count = Math.max(1, Math.min(options.parts ?? os.availableParallelism(), Math.floor(all.length / 5)));
  if (count === 1) return generateHistory({ ...options, catalogue, lastDay });
  const size = Math.ceil(all.length / count);
  const stretches = Array.from({ length: count }, (_, k) => all.slice(k * size, (k + 1) * size)).filter((d) => d.length > 0);
  const folders = stretches.map((_, k) => (k === 0 ? options.dataDir : path.join(options.dataDir, `.part-${k}`)));
  // Every stretch is written with the hall's one key (what it seals and signs stays readable in the whole).
  const key = hallKeyOf(options.dataDir).file;
  for (const folder of folders.slice(1)) {
    fs.rmSync(folder, { recursive: true, force: true });
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    fs.copyFileSync(key, path.join(folder, KEY_FILE));
    fs.chmodSync(path.join(folder, KEY_FILE), 0o600);
  }
  let done = 0;
  const summaries = await Promise.all(
    stretches.map(
      (days, k) =>
        new Promise<HistorySummary>((resolve, reject) => {
          const part = { dataDir: folders[k]!, days: days.length, lastDay: days[days.length - 1]!, ticketsPerDay: options.ticketsPerDay, seed: (options.seed ?? 1) + k * 7919, catalogue };
          const child = spawn(process.execPath, ['--import', 'tsx', PART_SCRIPT, JSON.stringify(part)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            let nl: number;
            while ((nl = out.indexOf('\n')) >= 0) {
              const line = out.slice(0, nl);
              out = out.slice(nl + 1);
              const message = JSON.parse(line) as { day?: DaySummary; summary?: HistorySummary };
              if (message.day) options.onDay?.({ ...message.day, done: ++done, of: all.length });
              if (message.summary) resolve(message.summary);
            }
          });
          child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`the history writer for ${days[0]} to ${days.at(-1)} stopped with ${code}`))));
        }),
    ),
  );
  const db = openDatabase(options.dataDir);
  for (const folder of folders.slice(1)) {
    appendHistory(db, path.join(folder, 'hall.db'));
    fs.rmSync(folder, { recursive: true, force: true });
  }
  // What lapsed across a cut lapses now, through the hub's own housekeeping.
  const evening = instant(lastDay, 23 * 60 + 30, catalogue.hall.timeZone);
  const store = new HallStore(db, () => evening, hallKeyOf(options.dataDir));
  housekeep(store, evening);
  store.writeFacts();
  const seq = store.seq;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const sum = (key: 'tickets' | 'commands' | 'refused' | 'cpuMs') => summaries.reduce((n, s) => n + (s[key] ?? 0), 0);
  const spent = process.cpuUsage(cpu);
  return {
    firstDay: all[0]!,
    lastDay: all[all.length - 1]!,
    days: all.length,
    tickets: sum('tickets'),
    commands: sum('commands'),
    refused: sum('refused'),
    seq,
    ms: Math.round(performance.now() - started),
    cpuMs: sum('cpuMs') + Math.round((spent.user + spent.system) / 1000),
  };
}

const PART_SCRIPT = fileURLToPath(new URL('./year-part.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

/**
 * Appends the history in `file` (a hall written from fresh) to the one in `db`: its events after its
 * first (the catalogue, which the hall has already) with their sequence numbers moved on, its
 * records, and the state its last day left (windows, counters, service times, command answers).
 */
export function appendHistory(db: Db, file: string): void {
  const offset = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM events').get() as { seq: number }).seq - 1;
  db.prepare('ATTACH ? AS part').run(file);
  // Gigabytes in one transaction: with the rollback journal they are written once, into the
  // database (the journal keeps only the few pages that held rows before), not into the WAL first
  // and then again by the checkpoint. The database is the writer's alone while it is made.
  db.pragma('journal_mode = DELETE');
  try {
    db.transaction(() => {
      db.exec(`
        INSERT INTO events (seq, at, type, command_id, body) SELECT seq + ${offset}, at, type, command_id, body FROM part.events WHERE seq > 1 ORDER BY seq;
        INSERT INTO tickets (id, day, number, service_code, state, lane, issued_at, seq, body)
          SELECT id, day, number, service_code, state, lane, issued_at, seq + ${offset}, body FROM part.tickets ORDER BY id;
        INSERT INTO cases (number, service_code, state, day, seq, body, deadline) SELECT number, service_code, state, day, seq + ${offset}, body, deadline FROM part.cases ORDER BY rowid;
        INSERT INTO ratings (id, ticket_id, day, level, window, clerk, body) SELECT id, ticket_id, day, level, window, clerk, body FROM part.ratings ORDER BY rowid;
        INSERT INTO follow_ups (id, closed, body, day) SELECT id, closed, body, day FROM part.follow_ups ORDER BY rowid;
        INSERT OR REPLACE INTO appointments (code, day, body) SELECT code, day, body FROM part.appointments;
        INSERT INTO personal_data (case_number, applicant, stored_at) SELECT case_number, applicant, stored_at FROM part.personal_data;
        DELETE FROM commands;
        INSERT INTO commands (id, terminal, type, at, answer, body_hash, first_seq, last_seq)
          SELECT id, terminal, type, at,
            CASE WHEN json_extract(answer, '$.seq') IS NULL THEN answer ELSE json_set(answer, '$.seq', json_extract(answer, '$.seq') + ${offset}) END,
            body_hash, first_seq + ${offset}, last_seq + ${offset}
          FROM part.commands ORDER BY rowid;
        DELETE FROM windows; INSERT INTO windows SELECT * FROM part.windows;
        DELETE FROM counters; INSERT INTO counters SELECT * FROM part.counters;
        DELETE FROM service_times; INSERT INTO service_times SELECT * FROM part.service_times;
        -- The hall's key check and its log's identity stay the first stretch's: the whole is one hall, one log.
        INSERT OR REPLACE INTO hall (key, value) SELECT key, value FROM part.hall WHERE key NOT IN ('catalogue', 'key-check', 'log', 'log_parent') AND key NOT GLOB '${FACTS_SEQ_KEY}*';
        -- The last event each of the part's fact tables holds, in the whole's numbering.
        DELETE FROM hall WHERE key GLOB '${FACTS_SEQ_KEY}*';
        INSERT INTO hall (key, value) SELECT key, CAST(CAST(value AS INTEGER) + ${offset} AS TEXT) FROM part.hall WHERE key GLOB '${FACTS_SEQ_KEY}*';
      `);
      // The reports' fact rows, added to the whole's (the month of the cut has rows in both stretches).
      for (const t of FACT_TABLE_LIST) {
        const columns = [...t.keys, ...t.counters].map((c) => `"${c}"`).join(', ');
        db.exec(`INSERT INTO "${t.name}" (${columns}) SELECT ${columns} FROM part."${t.name}" WHERE true ${onConflictAdd(t, t.counters, 'sqlite')}`);
      }
    })();
  } finally {
    db.exec('DETACH part');
    db.pragma('journal_mode = WAL');
  }
}

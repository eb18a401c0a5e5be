import {
  applyEvent,
  bookingsByItem,
  commandBody,
  correctionDeadline,
  counterKey,
  dayOpening,
  decide,
  emptyView,
  extended,
  hallDay,
  localTime,
  zonedInstant,
  isConfigured,
  parseTicketNumber,
  reindex,
  toSnapshot,
  unconfiguredCatalogue,
  type Actor,
  type Catalogue,
  type Case,
  type Command,
  type FollowUp,
  type HallAlert,
  type Rating,
  type TerminalDevices,
  type CommandBody,
  type Refusal,
  type EventBody,
  type HallEvent,
  type HallSnapshot,
  type HallView,
  type HolderHistory,
  type BookedAppointment,
  type Ticket,
  type PendingCancel,
  type ScheduledChange,
  type StaffRef,
  type EmergencyCall,
  type NumberLease,
  type WaitBoard,
  windowNo,
} from '@servicehall/core';
import { newCommandId, type Answer } from '@servicehall/protocol';
import { eventFacts, factsBefore, type FactTable } from '@servicehall/reports/facts';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { idsOfDay, type Db } from './db';
import { CaseworkRecords } from './casework';
import { HubRole } from './fencing';
import { HubRefusal } from './files';
import { opsText } from './ops-strings';
import { LinkSigner } from './links';
import { PublicRefs } from './refs';
import { SharedWaits } from './waits';
import { FactWriter } from './report-facts';
import { HallClock } from './hall-clock';
import { log } from './log';
import { ClerkPins, type PinCheck } from './pins';
import { Sealer } from './sealed';
import { AuditLog, auditSubject } from './staff/audit';
import { AnswerRetention, CLOCK_AHEAD_ANSWER, EXPIRED_ANSWER, isAhead, isExpired } from './retention';
import {
  eventOf,
  type EventRow,
  CASE_FIELDS,
  RATING_FIELDS,
  TICKET_FIELDS,
  caseBody,
  caseOfRow,
  ratingBody,
  ratingOfRow,
  ticketBody,
  ticketOfRow,
  type CaseRow,
  type RatingRow,
  type TicketRow,
} from './rows';

interface LeaseRow {
  id: string;
  day: string;
  terminal: string;
  prefix: string;
  first: number;
  last: number;
  granted_at: number;
}

const leaseOfRow = (r: LeaseRow): NumberLease => ({ id: r.id, terminal: r.terminal, day: r.day, prefix: r.prefix, first: r.first, last: r.last, grantedAt: r.granted_at });

export interface Executed {
  answer: Answer;
  /** Events this command appended; empty for a refusal or a repeated id. */
  events: HallEvent[];
  /** The id had been seen: this is the first answer again and nothing changed. */
  repeated: boolean;
}

/** The last key of each table that replication sends beside the events, by table. */
export type RowsMark = Readonly<Record<string, number>>;

export type EventListener = (events: HallEvent[]) => void;
/** Hears each batch once it is durable (or failed whole: no results), and how long its transaction took. */
export type ExecutedListener = (batch: readonly { command: Command; actor: Actor }[], results: Executed[] | undefined, seconds: number) => void;

/** One command to run, with who sent it and the namespace its id lives in. */
export interface CommandEntry {
  command: Command;
  actor: Actor;
  /** Whose ids these are (see commandScope); by default the actor's. */
  scope?: string;
  /** For a sign-in: the PIN already checked, off the event loop (see executeAsync). */
  pin?: PinCheck;
  /** The verified phone behind a phone's command, read inside the transaction (core's DecideContext.holder). */
  holder?: () => HolderHistory;
  /** Runs inside the command's transaction once it is accepted (a phone link, a notice): they commit or roll back together. */
  within?: (answer: Extract<Answer, { ok: true }>) => void;
  /**
   * `false` for a writer of history from before the window answers are kept for (the history
   * generator): its answer would only be pruned, so none is kept, none looked for, and its body is
   * not hashed. Its id must be new. Default true.
   */
  keepAnswer?: boolean;
}

/**
 * The key a command's answer is kept under: its id, then the namespace of its sender, divided by the
 * first '|' (the id's own '%' and '|' written %25 and %7C, so that no id reaches into another
 * sender's namespace). The id comes first because the ids the hall's terminals and the hub make
 * follow the clock (newCommandId): each batch's answers are then added at the end of the key's
 * index, where a key that began with its sender put sixty senders' answers in sixty places of it,
 * one page written for each. Migration 120 turned the keys kept before.
 */
export const answerKey = (scope: string, id: string): string => `${id.replace(/[%|]/g, (c) => (c === '%' ? '%25' : '%7C'))}|${scope}`;

/** The id its sender chose, from the key its answer is kept under (answerKey). */
export const idOfAnswerKey = (key: string): string => key.slice(0, key.indexOf('|')).replace(/%(25|7C)/g, (_, c: string) => (c === '25' ? '%' : '|'));

/**
 * The namespace of a sender's command ids: a terminal's id for a terminal, so that one terminal can
 * never be answered with another's result; the hub's own, the QR page's and each HTTP token's
 * begin with ":", which no terminal id may hold.
 */
export function commandScope(actor: Actor): string {
  if (actor.role !== 'admin') return actor.terminal;
  return actor.staff ? `:staff/${actor.staff.id}` : `:admin/${actor.terminal}`;
}

/** The keys the store needs, derived from the hall key (see HallKey). */
export interface StoreKeys {
  derive(purpose: string): Buffer;
}

/** How often the flushes look at the file at the database's path (databaseThere). */
const FILE_LOOK_MS = 1_000;

/** How often a hub that found its disk full tries to write again. */
export const DISK_FULL_RETRY_MS = 5_000;

/**
 * The data folder's disk takes no more writes: SQLite's "database or disk is full" (also what a size
 * ceiling gives), or a write it refused (a disk remounted read-only, a quota, a file size limit, a
 * failing disk), after which SQLite has rolled back and nothing is recorded. Either way commands are
 * refused, said once, and tried again (DISK_FULL_RETRY_MS) until the disk takes them.
 */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || code === 'SQLITE_IOERR_TRUNCATE';
}

const DISK_FULL: Answer = { ok: false, code: 'disk-full', message: 'the hub cannot write: its disk is full; nothing was recorded, and the command may be sent again once space is freed' };

/** Why personal data is read: a short list, so that the log can be read (H-19). */
export const ACCESS_PURPOSES = ['acceptance', 'correction', 'delivery', 'complaint', 'follow-up', 'supervision'] as const;
export type AccessPurpose = (typeof ACCESS_PURPOSES)[number];

export interface AccessRecord {
  at: number;
  who: string;
  caseNumber: string;
  purpose: string;
  note?: string;
  /** The staff member who read it, when a console session did. */
  staffId?: string;
}

/** What a public terminal may learn of a case: its number, item, state and dates, never the applicant. */
export interface CaseProgress {
  number: string;
  serviceCode: string;
  state: Case['state'];
  openedAt: number;
  acceptedOn?: string;
  promisedDue?: string;
  legalDue?: string;
  dueCertain?: boolean;
  /** Materials the latest correction notice asks for (ids of the item's materials). */
  missing?: string[];
}

/** What the hub adds to one command: the namespace of its id, facts kept apart from events, and work done in its transaction. */
export type ExecuteOptions = Pick<CommandEntry, 'scope' | 'holder' | 'within' | 'keepAnswer'>;

/**
 * The reads that must not grow with the hall's history, each served by an index (checked with
 * EXPLAIN QUERY PLAN in the tests): start-up loads today and what is still open, lookups go by key.
 */
export const LOOKUPS = {
  // Tickets are kept by id alone; a day's are a range of ids (idsOfDay).
  ticketsOfDay: `SELECT ${TICKET_FIELDS} FROM tickets WHERE id > ? AND id < ?`,
  ticketById: `SELECT ${TICKET_FIELDS} FROM tickets WHERE id = ?`,
  appointmentsFrom: 'SELECT body FROM appointments WHERE day >= ?',
  casesOfDay: `SELECT ${CASE_FIELDS} FROM cases WHERE day = ?`,
  caseByNumber: `SELECT ${CASE_FIELDS} FROM cases WHERE number = ?`,
  correctionsDue: "SELECT number FROM cases WHERE state = 'correction' AND deadline < ? ORDER BY deadline LIMIT ?",
  correctionsWithoutDeadline: `SELECT ${CASE_FIELDS} FROM cases WHERE state = 'correction' AND deadline IS NULL LIMIT ?`,
  ratingsOfDay: `SELECT ${RATING_FIELDS} FROM ratings WHERE day = ? ORDER BY rowid`,
  ratingsOfTicket: `SELECT ${RATING_FIELDS} FROM ratings WHERE ticket_id = ? ORDER BY rowid`,
  openFollowUps: 'SELECT body FROM follow_ups WHERE closed = 0 ORDER BY rowid',
  followUpsOfDay: 'SELECT body FROM follow_ups WHERE day = ?',
  followUpById: 'SELECT body FROM follow_ups WHERE id = ?',
  closedFollowUps: 'SELECT rowid, body FROM follow_ups WHERE closed = 1 AND rowid < ? ORDER BY rowid DESC LIMIT ?',
  devices: "SELECT value FROM hall WHERE key >= 'devices:' AND key < 'devices;'",
  alertsOfDay: 'SELECT body FROM alerts WHERE day = ?',
  alertsStanding: 'SELECT body FROM alerts WHERE standing = 1',
  lastSeq: 'SELECT COALESCE(MAX(seq), 0) AS seq FROM events',
  eventsSince: 'SELECT seq, at, type, command_id, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
  answer: 'SELECT answer, body_hash FROM commands WHERE id = ?',
  // What the setup wizard edits: the catalogue as a whole and a window's items (today's changes carry over a save).
  setupChangesSince:
    "SELECT seq, at, type, json_extract(body, '$.staff') AS staff, json_extract(body, '$.window') AS window FROM events WHERE seq > ? AND type IN ('catalogue.replaced', 'window.itemsAssigned') ORDER BY seq DESC LIMIT ?",
  // A command and the events it made have the same time.
  commandsOfEvents: 'SELECT id, first_seq, last_seq FROM commands WHERE at >= ? AND at <= ? AND last_seq IS NOT NULL',
} as const;

/** A change to what the setup wizard edits, as the log holds it: when, by whom, and which window when it was one window's items. */
export interface SetupChange {
  seq: number;
  at: number;
  type: 'catalogue.replaced' | 'window.itemsAssigned';
  staff?: StaffRef;
  window?: number;
}

/** Who the audit log names for what the hub does itself (a change the day's opening cancels). */
export const HUB_STAFF: StaffRef = { id: 'hub', name: '大厅服务器', role: 'administrator' };

/**
 * Why the day's opening cancelled a change that waited for it, in the administrator's words, from the
 * outcome the opening itself wrote the event from (the event's reason is the log's, in English).
 */
export function cancelledAtOpening(p: ScheduledChange, why: PendingCancel, view: HallView): string {
  const when = (at: number) => {
    const t = localTime(at, view.catalogue.hall.timeZone);
    return `${t.day} ${t.time}`;
  };
  const what = p.change.type === 'assignWindowItems' ? `日终生效的 ${windowNo(p.change.window)}事项调整未生效` : '日终生效的大厅设置未生效';
  switch (why.kind) {
    case 'overtaken': {
      const o = why.by;
      const window = o.window !== undefined ? `，${windowNo(o.window)}的事项` : '';
      return `${what}：保存后大厅设置已被更改（${o.staff?.name ?? '大厅服务器'}，${when(o.at)}${window}），为免覆盖该更改，已取消。请载入当前设置后重新保存。`;
    }
    case 'behind': {
      const c = why.change;
      const which = c.change.type === 'assignWindowItems' ? ` ${windowNo(c.change.window)}的事项调整` : '大厅设置';
      return `${what}：在它之前保存、同在今天开厅时生效的${which}（${c.staff?.name ?? '大厅服务器'}，${when(c.at)}）已先生效，为免覆盖该调整，已取消。请载入当前设置后重新保存。`;
    }
    case 'window-gone':
      return `${what}：${windowNo(why.window)}到今天开厅时已不在大厅设置中。`;
    case 'item-gone': {
      const name = view.catalogue.items.find((i) => i.code === why.serviceCode)?.name;
      return `${what}：事项 ${why.serviceCode}${name ? `（${name}）` : ''}到今天开厅时已不在大厅设置中。`;
    }
  }
}

/** A command's answer as kept: the ticket it names by id (answers kept before held it whole). */
type StoredAnswer = Answer | { ok: true; seq: number; ticketId?: string; link?: string };

/** How many closed follow-ups one page lists at most. */
export const FOLLOW_UP_PAGE = 100;

/** An event as the log stores it: its sequence, time, type and command id in columns, the rest as JSON. */
/** An event row as a leader sends it to its follower, with the epoch of the hub that appended it. */
export interface ReplicatedEvent extends EventRow {
  epoch: number;
}


/**
 * The hall's single writer. A command is one function inside one SQLite transaction: the rules in
 * core decide it, its events go to the append-only log with the next sequence numbers, the read
 * tables follow, and its answer is stored under its id so that a retry gets the same answer.
 */
export class HallStore {
  view: HallView;
  readonly pins: ClerkPins;
  readonly audit: AuditLog;
  readonly links: LinkSigner;
  /** Today's tickets and the bookings by their public references (the phone's addresses, the ticket's QR code). */
  readonly refs: PublicRefs;
  /** Complaints, cases handed between departments, deliveries, evidence files. */
  readonly casework: CaseworkRecords;
  /** Whether this hub is the one in charge, and its epoch (fencing between a primary and its standby). */
  readonly role: HubRole;
  private readonly sealer: Sealer;
  /** The reports' fact tables: each event's increments summed in memory and written about once a second (writeFacts). */
  private readonly facts: FactWriter;
  private readonly bodyKey: Buffer;
  private readonly listeners = new Set<EventListener>();
  /**
   * Events committed by a batch whose disk flush runs off the event loop (executeBatch's `flush:
   * 'later'`, see GroupCommit), in order: listeners hear them once the flush is done (logFlushed,
   * then tellFlushed), or when a later commit that flushed the log itself made them durable with it.
   */
  private unflushed: HallEvent[] = [];
  /** Events on the disk (logFlushed) that listeners are told next (tellFlushed, or with the next commit's). */
  private untold: HallEvent[] = [];
  /**
   * Where the tables that follow the events stood before each batch in `unflushed` ran (see
   * markRows), with the batch's first event: a row after the first mark may belong to a batch the
   * disk does not hold yet.
   */
  private unflushedMarks: { seq: number; mark: RowsMark }[] = [];
  /**
   * Set by replication: where the tables it sends beside the events stand (their last keys). Taken
   * before each batch whose flush comes later, so that a standby is never sent a command's answer
   * before the events it names are on this hub's disk (see durableRowsMark).
   */
  markRows: (() => RowsMark) | undefined;
  private readonly executedListeners = new Set<ExecutedListener>();
  private readonly appendingListeners = new Set<(event: HallEvent) => void>();
  private readonly retention: AnswerRetention;
  private readonly st;
  /** Set while the disk is full: commands are refused without touching it until `retryAt`. */
  private diskFull: { since: number; retryAt: number } | undefined;
  /** Set once the database file was removed under the running hub (databaseGone): nothing more is taken. */
  private gone = false;
  /** The database file's inode, as the hub opened it (another file put in its place is not it). */
  private fileId: number | undefined;
  /** When databaseThere last looked at the file at the database's path (performance.now()). */
  private fileLookedAt = Number.NEGATIVE_INFINITY;
  /** Whether the command being run has changed the view (so that its failure needs the view read again). */
  private viewTouched = false;
  /** Whether the batch being run has tried to write (a repeated id only reads). */
  private wrote = false;
  /** A command in its own transaction (a savepoint inside a batch's). Made once: better-sqlite3 builds a wrapper each time. */
  private readonly runOne: (entry: CommandEntry, key: string, hash: string) => Executed;
  private readonly runBatch: (batch: readonly CommandEntry[]) => Executed[];

  /** The hub's time (see HallClock: the PC's clock, never back before what the hall has recorded). */
  private readonly hallClock: HallClock;
  private readonly clock: () => number;

  constructor(
    private readonly db: Db,
    wallClock: () => number = Date.now,
    keys: StoreKeys,
    /** The pace of the hub's time while the PC's clock is behind it (the machine's steady clock; a test's own clock). */
    steadyClock?: () => number,
  ) {
    if (!db.memory) this.fileId = fs.statSync(db.name).ino;
    const recorded = db.prepare<[], { at: number }>('SELECT at FROM events ORDER BY seq DESC LIMIT 1').get()?.at;
    // The hall's day ends at its midnight, in its time zone (the catalogue's, read as the clock is).
    const dayEnd = (at: number) => {
      const zone = this.view?.catalogue.hall.timeZone;
      return zone ? zonedInstant(hallDay(at, zone), '24:00', zone) - 1 : Number.POSITIVE_INFINITY;
    };
    this.hallClock = new HallClock(wallClock, recorded, steadyClock, dayEnd);
    this.clock = () => this.hallClock.now();
    this.st = {
      answer: db.prepare<[string], { answer: string; body_hash: string | null }>(LOOKUPS.answer),
      recordAnswer: db.prepare<[string, string, string, number, string, string, number | null, number | null]>(
        'INSERT INTO commands (id, terminal, type, at, answer, body_hash, first_seq, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      commandsOfEvents: db.prepare<[number, number], { id: string; first_seq: number; last_seq: number }>(LOOKUPS.commandsOfEvents),
      appendEvent: db.prepare('INSERT INTO events (seq, at, type, command_id, body, epoch) VALUES (?, ?, ?, ?, ?, ?)'),
      since: db.prepare<[number, number], EventRow>(LOOKUPS.eventsSince),
      setupChangesSince: db.prepare<[number, number], { seq: number; at: number; type: string; staff: string | null; window: number | null }>(LOOKUPS.setupChangesSince),
      firstSeq: db.prepare<[], { seq: number | null }>('SELECT MIN(seq) AS seq FROM events'),
      rowsSince: db.prepare<[number, number, number], ReplicatedEvent>('SELECT seq, at, type, command_id, body, COALESCE(epoch, 1) AS epoch FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?'),
      putTicket: db.prepare<[string, string, string, string, string, string, number, number, string]>(
        `INSERT INTO tickets (id, day, number, service_code, state, lane, issued_at, seq, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET service_code = excluded.service_code, state = excluded.state, seq = excluded.seq, body = excluded.body`,
      ),
      // A ticket changes after it is issued: an update by its id is cheaper than an insert that conflicts.
      updateTicket: db.prepare<[string, string, number, string, string]>('UPDATE tickets SET service_code = ?, state = ?, seq = ?, body = ? WHERE id = ?'),
      putWindow: db.prepare('INSERT INTO windows (number, body) VALUES (?, ?) ON CONFLICT (number) DO UPDATE SET body = excluded.body'),
      putCounter: db.prepare('INSERT INTO counters (key, last) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET last = excluded.last'),
      dropOldCounters: db.prepare("DELETE FROM counters WHERE key NOT LIKE ? || '|%'"),
      putAppointment: db.prepare('INSERT INTO appointments (code, day, body) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET day = excluded.day, body = excluded.body'),
      putServiceTimes: db.prepare(
        'INSERT INTO service_times (service_code, body) VALUES (?, ?) ON CONFLICT (service_code) DO UPDATE SET body = excluded.body',
      ),
      putHall: db.prepare('INSERT INTO hall (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      putCase: db.prepare(
        'INSERT INTO cases (number, service_code, state, day, seq, body, deadline) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (number) DO UPDATE SET state = excluded.state, day = excluded.day, seq = excluded.seq, body = excluded.body, deadline = excluded.deadline',
      ),
      lapseCase: db.prepare("UPDATE cases SET state = 'lapsed', seq = ? WHERE number = ?"),
      setDeadline: db.prepare('UPDATE cases SET deadline = ? WHERE number = ?'),
      caseByNumber: db.prepare<[string], CaseRow>(LOOKUPS.caseByNumber),
      ticketById: db.prepare<[string], TicketRow>(LOOKUPS.ticketById),
      correctionsDue: db.prepare<[string, number], { number: string }>(LOOKUPS.correctionsDue),
      correctionsWithoutDeadline: db.prepare<[number], CaseRow>(LOOKUPS.correctionsWithoutDeadline),
      ratingsOfTicket: db.prepare<[string], RatingRow>(LOOKUPS.ratingsOfTicket),
      ratingsOfDay: db.prepare<[string], RatingRow>(LOOKUPS.ratingsOfDay),
      openFollowUps: db.prepare<[], { body: string }>(LOOKUPS.openFollowUps),
      closedFollowUps: db.prepare<[number, number], { rowid: number; body: string }>(LOOKUPS.closedFollowUps),
      putRating: db.prepare('INSERT INTO ratings (id, ticket_id, day, level, window, clerk, body) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      amendRating: db.prepare('UPDATE ratings SET body = ? WHERE id = ?'),
      putFollowUp: db.prepare(
        'INSERT INTO follow_ups (id, closed, body, day) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET closed = excluded.closed, body = excluded.body, day = excluded.day',
      ),
      followUpById: db.prepare<[string], { body: string }>(LOOKUPS.followUpById),
      putAlert: db.prepare(
        'INSERT INTO alerts (id, day, kind, raised_at, standing, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET standing = excluded.standing, body = excluded.body',
      ),
      putPersonal: db.prepare('INSERT INTO personal_data (case_number, applicant, stored_at) VALUES (?, ?, ?) ON CONFLICT (case_number) DO UPDATE SET applicant = excluded.applicant'),
    };
    this.pins = new ClerkPins(db);
    this.facts = new FactWriter(db);
    this.casework = new CaseworkRecords(db);
    this.audit = new AuditLog(db);
    this.links = new LinkSigner(keys.derive('links'));
    this.sealer = new Sealer(keys.derive('applicant-data'));
    this.bodyKey = keys.derive('command-body');
    this.retention = new AnswerRetention(db);
    this.runOne = db.transaction((entry: CommandEntry, key: string, hash: string) => {
      const executed = this.decideAndAppend(entry, key, hash);
      // The hub's own records of an accepted command (a phone's link to its number) commit or roll back with it.
      if (executed.answer.ok) entry.within?.(executed.answer);
      return executed;
    });
    // The batch's increments of the reports' fact tables are written together at its end, one change per row.
    this.runBatch = db.transaction((batch: readonly CommandEntry[]) => this.withFactsHeld(() => batch.map((entry) => this.runEntry(entry))));
    this.role = new HubRole(db);
    this.checkKey();
    this.view = this.load();
    // The facts of events after the tables' last one (a hub stopped without writing them), and the mark of where they stand.
    this.catchUpFacts();
    this.writeFacts();
    // The public references follow the log first, before any other listener reads them.
    this.refs = new PublicRefs(this.links, () => this.view);
    this.onEvents((events) => this.refs.follow(events));
  }

  /**
   * The hall key must be the one this database was sealed with; the first start records its
   * fingerprint and seals any applicant data stored before sealing existed.
   */
  private checkKey(): void {
    const stored = this.db.prepare<[], { value: string }>("SELECT value FROM hall WHERE key = 'key-check'").get()?.value;
    const mine = this.sealer.fingerprint();
    if (stored && stored !== mine) throw new HubRefusal(opsText('keyOfAnother'));
    this.db.transaction(() => {
      if (!stored) this.st.putHall.run('key-check', mine);
      const plain = this.db.prepare<[], { case_number: string; applicant: string }>("SELECT case_number, applicant FROM personal_data WHERE applicant NOT LIKE 'sealed1:%'").all();
      const update = this.db.prepare('UPDATE personal_data SET applicant = ? WHERE case_number = ?');
      for (const r of plain) update.run(this.sealer.seal(r.applicant, r.case_number), r.case_number);
    })();
  }

  /** Whether the hall database already records a hall key (so a missing key file must not be replaced). */
  static recordsKey(db: Db): boolean {
    return !!db.prepare("SELECT 1 FROM hall WHERE key = 'key-check'").get();
  }

  /** The database's size now, in bytes (its pages, wherever they are: file or WAL). */
  sizeBytes(): number {
    return (this.db.pragma('page_count', { simple: true }) as number) * (this.db.pragma('page_size', { simple: true }) as number);
  }

  /** A ceiling on the database's size, in bytes (undefined: none); beyond it commands are refused as on a full disk. */
  limitSize(bytes: number | undefined): void {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    // SQLite's own limit when none is set.
    this.db.pragma(`max_page_count = ${bytes === undefined ? 4294967294 : Math.max(1, Math.floor(bytes / pageSize))}`);
  }

  /** Whether the hall has been set up (seeded, or given its catalogue by its administrator). */
  static hasCatalogue(db: Db): boolean {
    const row = db.prepare<[], { value: string }>("SELECT value FROM hall WHERE key = 'catalogue'").get();
    return !!row && isConfigured(JSON.parse(row.value) as Catalogue);
  }

  /** Seeds a hall that is not set up yet with its first catalogue, once. */
  static seed(db: Db, catalogue: Catalogue, now: number): void {
    if (HallStore.hasCatalogue(db)) return;
    db.transaction(() => {
      const day = hallDay(now, catalogue.hall.timeZone);
      const seq = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM events').get() as { seq: number }).seq + 1;
      const event = db.prepare('INSERT INTO events (seq, at, type, command_id, body) VALUES (?, ?, ?, ?, ?)');
      event.run(seq, now, 'catalogue.replaced', 'seed', JSON.stringify({ catalogue }));
      const fresh = !db.prepare("SELECT 1 FROM hall WHERE key = 'day'").get();
      // A new log says which day it begins on, so that it folds from its first event alone.
      if (fresh) event.run(seq + 1, now, 'day.opened', 'seed', JSON.stringify({ day }));
      const put = db.prepare('INSERT INTO hall (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
      put.run('catalogue', JSON.stringify(catalogue));
      if (!db.prepare("SELECT 1 FROM hall WHERE key = 'day'").get()) put.run('day', day);
    })();
  }

  /** Today's view from the read tables: today's tickets, cases and ratings, and what is still open. Indexed reads only. */
  private load(): HallView {
    const row = (key: string) => (this.db.prepare<[string], { value: string }>('SELECT value FROM hall WHERE key = ?').get(key))?.value;
    const catalogueText = row('catalogue');
    // A hall not set up yet holds the empty catalogue until its administrator's setup arrives.
    const catalogue = catalogueText ? (JSON.parse(catalogueText) as Catalogue) : unconfiguredCatalogue();
    const day = row('day') ?? hallDay(this.clock(), catalogue.hall.timeZone);
    const view = emptyView(catalogue, day);
    view.pending = JSON.parse(row('pending') ?? '[]') as ScheduledChange[];
    const bodies = <T>(sql: string, ...args: unknown[]) => this.db.prepare<unknown[], { body: string }>(sql).all(...args).map((r) => JSON.parse(r.body) as T);
    view.seq = (this.db.prepare(LOOKUPS.lastSeq).get() as { seq: number }).seq;
    for (const t of this.db.prepare<[string, string], TicketRow>(LOOKUPS.ticketsOfDay).all(...idsOfDay(day)).map(ticketOfRow)) {
      view.tickets.set(t.id, t);
      view.nextPlace = Math.max(view.nextPlace, t.place + 1);
    }
    for (const r of this.db.prepare('SELECT body FROM windows').all() as { body: string }[]) {
      const w = JSON.parse(r.body);
      view.windows.set(w.number, w);
    }
    for (const r of this.db.prepare('SELECT key, last FROM counters').all() as { key: string; last: number }[]) view.counters.set(r.key, r.last);
    for (const a of bodies<BookedAppointment>(LOOKUPS.appointmentsFrom, day)) view.appointments.set(a.code, a);
    for (const r of this.db.prepare('SELECT service_code, body FROM service_times').all() as { service_code: string; body: string }[])
      view.serviceTimes.set(r.service_code, JSON.parse(r.body));
    for (const c of this.db.prepare<[string], CaseRow>(LOOKUPS.casesOfDay).all(day).map(caseOfRow)) view.cases.set(c.number, c);
    for (const rating of this.st.ratingsOfDay.all(day).map(ratingOfRow)) view.ratings.set(rating.ticketId, [...(view.ratings.get(rating.ticketId) ?? []), rating]);
    for (const f of bodies<FollowUp>(LOOKUPS.followUpsOfDay, day)) view.followUps.set(f.id, f);
    view.leases = this.db.prepare<[string], LeaseRow>('SELECT * FROM number_leases WHERE day >= ? ORDER BY rowid').all(day).map(leaseOfRow);
    for (const c of JSON.parse(row('emergencyCalls') ?? '[]') as EmergencyCall[]) view.emergencyCalls.set(c.number, [...(view.emergencyCalls.get(c.number) ?? []), c]);
    for (const r of this.db.prepare<[], { value: string }>(LOOKUPS.devices).all()) {
      const d = JSON.parse(r.value) as TerminalDevices;
      view.devices.set(d.terminal, d);
    }
    for (const a of [...bodies<HallAlert>(LOOKUPS.alertsOfDay, day), ...bodies<HallAlert>(LOOKUPS.alertsStanding)]) view.alerts.set(a.id, a);
    reindex(view);
    // A finished service of today without a rating still waits for one.
    for (const t of view.tickets.values()) {
      if (t.state !== 'done' || view.ratings.has(t.id) || t.window === undefined) continue;
      const caseNumbers = [...(view.casesOfTicket.get(t.id) ?? [])];
      view.ratingRequests.set(t.id, { ticketId: t.id, ticketNumber: t.number, window: t.window, clerk: t.clerk, serviceCode: t.serviceCode, finishedAt: t.finishedAt ?? 0, caseNumbers });
    }
    return view;
  }

  /** Runs `fn` in one transaction of the hall's database (the console's changes outside the event log: credentials, staff). */
  withTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  onExecuted(listener: ExecutedListener): () => void {
    this.executedListeners.add(listener);
    return () => this.executedListeners.delete(listener);
  }

  onEvents(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Hears each event this hub appends as the one in charge (a command's, a day's opening), inside the
   * transaction that appends it: what it writes (a citizen's SMS queued) commits or rolls back with the
   * event, once. A standby following the log does not hear them: its leader did.
   */
  onAppending(listener: (event: HallEvent) => void): () => void {
    this.appendingListeners.add(listener);
    return () => this.appendingListeners.delete(listener);
  }

  /** The hub's clock (injected in tests). */
  now(): number {
    return this.clock();
  }

  get seq(): number {
    return this.view.seq;
  }

  /** The waits' board, shared until the hall changes or its time is up (see SharedWaits). */
  private readonly sharedWaits = new SharedWaits(() => this.view);

  /**
   * The waiting tickets' waits now (core's WaitBoard), played forward once for the hall as it is and
   * shared until it changes or its time is up (boardLifeMs: a second, longer for a queue far beyond
   * a hall's): the answers of a batch of tickets issued together, the ticket pages and the phones
   * following theirs, without playing the queue again for each.
   */
  waits(now = this.clock()): WaitBoard {
    return this.sharedWaits.at(now);
  }

  snapshot(): HallSnapshot {
    return toSnapshot(this.view);
  }

  /**
   * Events after `seq` that are on the disk, at most `limit`, in order: what a terminal or a client
   * of the API is given. Those of a batch whose flush has not ended reach them with the fan-out once
   * it has (after a power cut in between, the hub would not hold them, and neither may anyone else).
   */
  durableEventsSince(seq: number, limit = 1000): HallEvent[] {
    const durable = this.durableSeq;
    if (seq >= durable) return [];
    return this.eventsSince(seq, Math.min(limit, durable - seq));
  }

  /** Events after `seq`, at most `limit`, in order. */
  eventsSince(seq: number, limit = 1000): HallEvent[] {
    const events = this.st.since.all(seq, limit).map(eventOf);
    const last = events[events.length - 1];
    if (!last) return events;
    // Events within the window of kept answers name the command that made them; older ones no longer do.
    const bySeq = new Map(events.map((e) => [e.seq, e]));
    let from = Infinity;
    let to = -Infinity;
    for (const e of events) {
      from = Math.min(from, e.at);
      to = Math.max(to, e.at);
    }
    for (const c of this.st.commandsOfEvents.all(from, to))
      for (let s = Math.max(c.first_seq, seq + 1); s <= Math.min(c.last_seq, last.seq); s++) {
        const e = bySeq.get(s);
        // Answers are kept under "<id>|<scope>" (answerKey); the event names the id its sender chose.
        if (e) e.commandId = idOfAnswerKey(c.id);
      }
    return events;
  }

  /**
   * The changes to what the setup wizard edits (the catalogue replaced, a window given other items)
   * after `seq`, newest first, at most `limit`; undefined when the log no longer holds every event
   * after `seq` (archived), or never held them (a form loaded from a hub restored to an earlier state).
   */
  setupChangesSince(seq: number, limit = 10): SetupChange[] | undefined {
    const first = this.st.firstSeq.get()?.seq ?? this.view.seq + 1;
    if (seq > this.view.seq || first > seq + 1) return undefined;
    return this.st.setupChangesSince.all(seq, limit).map((r) => ({
      seq: r.seq,
      at: r.at,
      type: r.type as SetupChange['type'],
      ...(r.staff ? { staff: JSON.parse(r.staff) as StaffRef } : {}),
      ...(r.window !== null ? { window: r.window } : {}),
    }));
  }

  /** The answer first given to command `id` of `scope`, if it was seen (and answered within the window answers are kept for). */
  answerOf(scope: string, id: string): Answer | undefined {
    const row = this.st.answer.get(answerKey(scope, id));
    return row ? this.storedAnswer(row.answer) : undefined;
  }

  /** An answer as it was kept: one that named a ticket by id gets the ticket as it stands (answers kept before held it whole). */
  private storedAnswer(text: string): Answer {
    const stored = JSON.parse(text) as StoredAnswer;
    if (!('ticketId' in stored) || stored.ticketId === undefined) return stored as Answer;
    const { ticketId, ...answer } = stored;
    const ticket = this.view.tickets.get(ticketId) ?? this.ticketRecord(ticketId);
    return ticket ? extended(answer, { ticket }) : answer;
  }

  /** A ticket as the hall's records hold it (an earlier day's, which the view does not). */
  ticketRecord(id: string): Ticket | undefined {
    const row = this.st.ticketById.get(id);
    return row ? ticketOfRow(row) : undefined;
  }

  /** Runs one command; `scope` (or `options.scope`) is the namespace of its id, by default its actor's (commandScope). */
  execute(command: Command, actor: Actor, scope?: string | ExecuteOptions): Executed {
    const options = typeof scope === 'string' ? { scope } : (scope ?? {});
    return this.executeBatch([{ command, actor, ...options }])[0]!;
  }

  /**
   * Runs one command, checking a sign-in's PIN first off the event loop (the hash takes tens of
   * milliseconds that every terminal would otherwise wait). A repeated id is answered without a
   * second check, so that a retry never counts as another wrong PIN.
   */
  async executeAsync(command: Command, actor: Actor, scope?: string): Promise<Executed> {
    if (command.type !== 'signIn') return this.execute(command, actor, scope);
    const key = this.commandKey(command, actor, scope);
    const repeat = this.repeatOf(key, this.bodyHash(command));
    if (repeat) return repeat;
    const source = actor.role === 'window' ? `window ${actor.window}` : actor.terminal;
    const pin = await this.pins.check(command.clerk, command.pin, this.clock(), source);
    return this.executeBatch([{ command, actor, scope, pin }])[0]!;
  }

  private commandKey(command: Command, actor: Actor, scope: string | undefined): string {
    return answerKey(scope ?? commandScope(actor), command.id);
  }

  /**
   * A keyed hash of what the command asks (never its PIN in a form that can be guessed from the
   * database alone). Not when it was made: a retry made again (a clerk's second press, an HTTP retry
   * with or without X-Made-At) asks the same.
   */
  private bodyHash(command: Command): string {
    return createHmac('sha256', this.bodyKey).update(JSON.stringify(commandBody(command))).digest('base64url').slice(0, 22);
  }

  /** The first answer to this id again; a different body under a used id is refused (409) and changes nothing. */
  private repeatOf(key: string, hash: string): Executed | undefined {
    const row = this.st.answer.get(key);
    if (!row) return undefined;
    if (row.body_hash !== null && row.body_hash !== hash)
      return { answer: { ok: false, code: 'id-reused', message: 'this command id was used before for a different command: send a new id' }, events: [], repeated: true };
    return { answer: this.storedAnswer(row.answer), events: [], repeated: true };
  }

  /**
   * Whether the database file is still where the hub opened it, with `logFd` a descriptor of its
   * write-ahead log: a data folder removed under the running hub (or its files) leaves SQLite writing
   * into files no longer there, which the hub's stop would take with it.
   */
  databaseThere(logFd: number): boolean {
    try {
      // The log's own links at every flush (a descriptor's, no path to walk); the file at the
      // database's path at most once a second (another put in its place is rarer, and each look costs
      // the thread a few microseconds a flush, thousands a second).
      if (fs.fstatSync(logFd).nlink === 0) return false;
      const now = performance.now();
      if (now - this.fileLookedAt < FILE_LOOK_MS) return true;
      this.fileLookedAt = now;
      return fs.statSync(this.db.name).ino === this.fileId;
    } catch {
      return false;
    }
  }

  /**
   * The database file was removed under the running hub: it takes no more commands (refused as on a
   * full disk), and saves what its connection still holds, every answered command with it, where
   * the database was (DATA/hall.db, the folder made again; beside it when one is there again), or
   * in the system's temporary folder when it cannot.
   */
  async databaseGone(now = Date.now()): Promise<string | undefined> {
    if (this.gone) return undefined;
    this.gone = true;
    const file = this.db.name;
    const stamp = new Date(now).toISOString().replace(/[-:.]/g, '');
    const places = [fs.existsSync(file) ? `${file}.rescued-${stamp}` : file, path.join(os.tmpdir(), `hall.db.rescued-${stamp}`)];
    for (const place of places) {
      try {
        fs.mkdirSync(path.dirname(place), { mode: 0o700 });
      } catch {
        // There already, or its parent is gone too: the copy says which.
      }
      try {
        await this.db.backup(place);
        fs.chmodSync(place, 0o600);
        log.error({ file, saved: place }, opsText('databaseGone', { file, saved: place }));
        return place;
      } catch (error) {
        fs.rmSync(place, { force: true });
        log.error({ err: error, file, place }, opsText('rescueFailedHere', { place }));
      }
    }
    log.fatal({ file }, opsText('databaseGoneUnsaved', { file }));
    return undefined;
  }

  /** Whether the hub is refusing commands because its disk is full. */
  get isDiskFull(): boolean {
    return this.diskFull !== undefined;
  }

  /** Notes a full disk (or one refusing writes): said once, and writes are not tried again until the retry time. */
  /** The hall database's file, as the log names it. */
  get file(): string {
    return this.db.name;
  }

  private onDiskFull(now: number, error: unknown): void {
    if (!this.diskFull) {
      const code = String((error as { code?: unknown })?.code);
      const why = code === 'SQLITE_FULL' ? { 'zh-CN': '磁盘已满', en: "The hub's disk is full" } : { 'zh-CN': `磁盘拒绝写入（${code}）`, en: `The hub's disk refuses writes (${code})` };
      log.error({ code }, opsText('diskFull', { why, file: this.db.name, seconds: DISK_FULL_RETRY_MS / 1000 }));
    }
    this.diskFull = { since: this.diskFull?.since ?? now, retryAt: now + DISK_FULL_RETRY_MS };
  }

  private onWritten(): void {
    if (!this.diskFull) return;
    log.warn(opsText('diskWritable', { seconds: Math.round((this.clock() - this.diskFull.since) / 1000) }));
    this.diskFull = undefined;
  }

  /**
   * Runs commands that arrived together in one outer transaction (group commit: one disk flush for
   * the lot). Each command is still its own transaction inside it, a savepoint: a refusal or a
   * failure of one leaves the others whole. Listeners hear all the batch's events once it is durable.
   *
   * `flush: 'later'`: the commit writes the log without waiting for the disk, and the caller flushes
   * it off the event loop (logFile, then logFlushed once the disk has it): the hub goes on with its
   * terminals meanwhile. Its events are told to listeners only then.
   */
  executeBatch(batch: readonly CommandEntry[], flush: 'now' | 'later' = 'now'): Executed[] {
    const started = this.clock();
    const timed = performance.now();
    if (this.gone || (this.diskFull && started < this.diskFull.retryAt)) {
      const refused = batch.map(() => ({ answer: DISK_FULL, events: [], repeated: false }));
      this.tellExecuted(batch, refused, timed);
      return refused;
    }
    const notInCharge = this.role.refusal();
    if (notInCharge) {
      const refused = batch.map(() => ({ answer: notInCharge, events: [], repeated: false }));
      this.tellExecuted(batch, refused, timed);
      return refused;
    }
    let results: Executed[];
    this.wrote = false;
    const later = flush === 'later';
    const mark = later ? this.markRows?.() : undefined;
    try {
      // (A pragma takes effect when it is prepared: run again, it does nothing. So it is run afresh.)
      if (later) this.db.exec('PRAGMA synchronous = NORMAL');
      // One command alone needs no savepoint inside its transaction.
      // (Its facts held until its transaction ends: a command rolled back drops them.)
      results = batch.length === 1 ? [this.withFactsHeld(() => this.runEntry(batch[0]!))] : this.runBatch(batch);
    } catch (error) {
      // The transaction rolled back; the view may hold part of it, so it is read again from the tables.
      this.view = this.load();
      this.catchUpFacts();
      if (isDiskFull(error)) {
        this.onDiskFull(started, error);
        const refused = batch.map(() => ({ answer: DISK_FULL, events: [], repeated: false }));
        this.tellExecuted(batch, refused, timed);
        return refused;
      }
      this.tellExecuted(batch, undefined, timed);
      throw error;
    } finally {
      if (later) this.db.exec('PRAGMA synchronous = FULL');
    }
    if (this.wrote) this.onWritten();
    this.tellExecuted(batch, results, timed);
    const events = results.flatMap((r) => r.events);
    if (later) {
      if (mark && events.length > 0) this.unflushedMarks.push({ seq: events[0]!.seq, mark });
      this.unflushed.push(...events);
    } else this.tell(events);
    return results;
  }

  /** The write-ahead log's file, which a batch committed with `flush: 'later'` leaves to be flushed (none: the database is in memory). */
  get logFile(): string | undefined {
    return this.db.memory ? undefined : `${this.db.name}-wal`;
  }

  /**
   * The log is on the disk up to `seq` (a flush that began when the hub's log ended there): the
   * events of batches committed before it are durable now (durableSeq: what a standby, the events
   * API and a terminal catching up may be given), and are told to listeners at `tellFlushed`.
   */
  logFlushed(seq: number): void {
    let n = 0;
    while (n < this.unflushed.length && this.unflushed[n]!.seq <= seq) n++;
    if (n > 0) this.untold.push(...this.unflushed.splice(0, n));
    this.dropMarks();
  }

  /**
   * The tables that follow the events hold, on the disk, the rows up to this mark (taken by markRows
   * before the first batch whose flush has not ended); undefined: every row committed is on the disk.
   */
  get durableRowsMark(): RowsMark | undefined {
    return this.unflushed.length > 0 ? this.unflushedMarks[0]?.mark : undefined;
  }

  /** Forgets the marks of batches that are on the disk now. */
  private dropMarks(): void {
    const first = this.unflushed[0]?.seq ?? Infinity;
    let n = 0;
    while (n < this.unflushedMarks.length && this.unflushedMarks[n]!.seq < first) n++;
    if (n > 0) this.unflushedMarks.splice(0, n);
  }

  /** Tells listeners, in order, the events that logFlushed made durable and nobody has told yet. */
  tellFlushed(): void {
    if (this.untold.length > 0) this.tellNow(this.untold.splice(0));
  }

  /** The last event on the disk: those after it were committed by a batch whose flush has not ended. */
  get durableSeq(): number {
    return this.unflushed.length > 0 ? this.unflushed[0]!.seq - 1 : this.view.seq;
  }

  /**
   * Tells listeners of events just committed by a transaction that flushed the log itself (synchronous
   * = FULL): its flush made those of a batch still waiting for its own durable too, so they go first.
   */
  private tell(events: HallEvent[]): void {
    if (events.length === 0) return;
    this.tellNow(this.untold.length + this.unflushed.length > 0 ? [...this.untold.splice(0), ...this.unflushed.splice(0), ...events] : events);
    this.dropMarks();
  }

  private tellNow(events: HallEvent[]): void {
    for (const listener of this.listeners) listener(events);
  }

  /**
   * Runs `fn` (inside a transaction it leaves open) with the increments of the reports' fact tables
   * held and written together when it ends, one change per row: for a batch of commands, and for a
   * writer of many commands in one transaction of its own (the history generator).
   */
  withFactsHeld<T>(fn: () => T): T {
    const mark = this.facts.mark();
    this.holdFacts();
    try {
      return fn();
    } catch (error) {
      // What `fn` held goes with its transaction.
      this.facts.drop(mark);
      throw error;
    } finally {
      this.releaseFacts();
    }
  }

  /**
   * withFactsHeld in two halves, for a writer that opens and commits its own transactions (the
   * history generator holds a day's): release, then writeFacts, inside the transaction that is to write them.
   */
  holdFacts(): void {
    this.facts.hold();
  }

  releaseFacts(): void {
    this.facts.release();
  }

  /**
   * Writes the reports' fact rows of the events applied so far (of `tables`, every table by default:
   * before a report is read; when the hub stops; the hub's timer, one table a turn: writeNextFacts).
   * In the transaction open, if one is (not while a batch holds its own); else in one of its own,
   * which the next flush of the log makes durable (a stop before that folds them again: catchUpFacts).
   */
  writeFacts(tables: readonly FactTable[] = this.facts.tables): void {
    if (this.facts.isHolding) return;
    const due = tables.some((t) => this.facts.hasPending(t)) || this.facts.tables.some((t) => this.facts.writtenSeq(t) !== this.view.seq);
    if (!due) return;
    if (this.db.inTransaction) return this.facts.writePending(this.view.seq, tables);
    this.db.exec('PRAGMA synchronous = NORMAL');
    try {
      this.db.transaction(() => this.facts.writePending(this.view.seq, tables))();
      this.onWritten();
    } catch (error) {
      this.catchUpFacts();
      // On a disk that takes nothing they wait in memory (made again from the log should the hub stop).
      if (isDiskFull(error)) return this.onDiskFull(this.clock(), error);
      throw error;
    } finally {
      this.db.exec('PRAGMA synchronous = FULL');
    }
  }

  /** Which fact table the hub's timer writes next (writeNextFacts). */
  private factsTurn = 0;

  /**
   * The hub's timer: the next fact table's rows, each table in its turn (FACTS_EVERY_MS / tables
   * apart). A turn writes one table's rows, and the last event of every table with none pending.
   */
  writeNextFacts(): void {
    if (this.diskFull && this.clock() < this.diskFull.retryAt) return;
    const tables = this.facts.tables;
    this.writeFacts([tables[this.factsTurn++ % tables.length]!]);
  }

  /**
   * The facts' increments of the events after the fact tables' last one, made again from the log
   * (FactWriter.catchUp): at start, and after a transaction rolled back (it may have taken pending
   * increments with it, or left some of events that are not in the log).
   */
  private catchUpFacts(): void {
    const folded = this.facts.catchUp(this.view.seq);
    if (folded > 0) log.info({ events: folded }, opsText('factsRefolded', { events: folded }));
  }

  private runEntry(entry: CommandEntry): Executed {
    const key = this.commandKey(entry.command, entry.actor, entry.scope);
    const kept = entry.keepAnswer !== false;
    const hash = kept ? this.bodyHash(entry.command) : '';
    const repeat = kept ? this.repeatOf(key, hash) : undefined;
    if (repeat) return repeat;
    this.wrote = true;
    this.viewTouched = false;
    const facts = this.facts.mark();
    try {
      return this.runOne(entry, key, hash);
    } catch (error) {
      this.facts.drop(facts);
      // Nothing of the batch can be written on a full disk: the whole of it is refused (executeBatch).
      if (isDiskFull(error)) throw error;
      // A bug in one command: its transaction (a savepoint in a batch) is rolled back and the rest of
      // the batch goes on. Deciding never changes the view; only when the command's events had been
      // folded in is the view read again (this connection sees the batch so far).
      log.error({ err: error, command: entry.command.type }, opsText('commandFailed', { command: entry.command.type }));
      if (this.viewTouched) this.view = this.load();
      return { answer: { ok: false, code: 'internal', message: 'the hub could not record this command' }, events: [], repeated: false };
    }
  }

  private tellExecuted(batch: readonly { command: Command; actor: Actor }[], results: Executed[] | undefined, started: number): void {
    const seconds = (performance.now() - started) / 1000;
    for (const listener of this.executedListeners) {
      try {
        listener(batch, results, seconds);
      } catch (error) {
        log.error({ err: error }, opsText('listenerFailed'));
      }
    }
  }

  /**
   * Opens the new hall day when midnight has passed, so that screens start the day empty without
   * waiting for the first ticket. Commands open it too; this is for the quiet hours.
   */
  openDayIfDue(): HallEvent[] {
    // A follower's day opens with its leader's event.
    if (!this.role.inCharge) return [];
    // Not a new hall day yet (dayChange would give nothing): the day's events are worked out once, in appendDayChange.
    if (hallDay(this.clock(), this.view.catalogue.hall.timeZone) <= this.view.day) return [];
    if (this.diskFull && this.clock() < this.diskFull.retryAt) return [];
    let appended: HallEvent[];
    try {
      appended = this.db.transaction(() => this.appendDayChange(this.clock()))();
    } catch (error) {
      this.view = this.load();
      this.catchUpFacts();
      if (isDiskFull(error)) {
        this.onDiskFull(this.clock(), error);
        return [];
      }
      throw error;
    }
    this.onWritten();
    this.tell(appended);
    return appended;
  }

  /**
   * A follower's side of replication: appends its leader's events as they were (sequence, time,
   * epoch), folds them into the view and the read tables, with `within` (the leader's other rows)
   * in the same transaction. Listeners hear them once they are durable.
   */
  follow(rows: readonly ReplicatedEvent[], within?: () => void): HallEvent[] {
    const run = this.db.transaction(() =>
      this.withFactsHeld(() => {
        const out: HallEvent[] = [];
        for (const r of rows) {
          if (r.seq <= this.view.seq) continue;
          if (r.seq !== this.view.seq + 1) throw new Error(`the leader's event ${r.seq} does not follow this hub's ${this.view.seq}`);
          this.st.appendEvent.run(r.seq, r.at, r.type, r.command_id, r.body, r.epoch);
          this.hallClock.recorded(r.at);
          const event = eventOf(r);
          // The reports' facts as the leader made them: a standby that takes charge has the hall's figures.
          const before = factsBefore(this.view, event);
          applyEvent(this.view, event);
          this.sharedWaits.note(event);
          this.persist(event);
          this.facts.apply(eventFacts(event, before, this.view, { caseOf: this.caseRecord }));
          out.push(event);
        }
        within?.();
        return out;
      }),
    );
    let appended: HallEvent[];
    try {
      appended = run();
    } catch (error) {
      this.view = this.load();
      this.catchUpFacts();
      throw error;
    }
    this.tell(appended);
    return appended;
  }

  /** The log's rows after `seq`, at most `limit`, as they are stored: what a follower is sent. */
  eventRowsSince(seq: number, limit = 1000): ReplicatedEvent[] {
    // Not those of a batch whose flush has not ended: a follower never holds what this hub could lose.
    return this.st.rowsSince.all(seq, this.durableSeq, limit);
  }

  private append(body: EventBody, now: number, commandId?: string, staff?: StaffRef): HallEvent {
    const event = extended(body, { seq: this.view.seq + 1, at: now, ...(commandId ? { commandId } : {}), ...(staff ? { staff } : {}) }) as HallEvent;
    // The row's columns hold the sequence, time and type, the body the rest. The command that made
    // it is found through the command's answer, while that is kept (see eventsSince).
    const { type, ...rest } = body;
    this.st.appendEvent.run(event.seq, now, type, null, JSON.stringify(staff ? extended(rest, { staff }) : rest), this.role.epoch);
    this.viewTouched = true;
    const before = factsBefore(this.view, event);
    applyEvent(this.view, event);
    this.sharedWaits.note(event);
    this.persist(event);
    this.facts.apply(eventFacts(event, before, this.view, { caseOf: this.caseRecord }));
    for (const listener of this.appendingListeners) listener(event);
    return event;
  }

  /**
   * A new hall day's events (dayChange), appended. A change that waited for the day and that the
   * opening cancels (a setup changed since it was saved, a window gone) is audited as the hub's
   * with its reason, so that the administrator sees in the console why it did not apply.
   */
  private appendDayChange(now: number): HallEvent[] {
    const out: HallEvent[] = [];
    const opening = dayOpening(this.view, now);
    // Said from the view before the opening: the changes still waiting, an item gone by its name then.
    const said = new Map<number, { pending: ScheduledChange; text: string }>();
    for (const [id, why] of opening.cancelled) {
      const pending = this.view.pending.find((p) => p.id === id);
      if (pending) said.set(id, { pending, text: cancelledAtOpening(pending, why, this.view) });
    }
    for (const body of opening.events) {
      out.push(this.append(body, now));
      if (body.type === 'change.cancelled') {
        const { pending, text } = said.get(body.pendingId) ?? {};
        this.audit.record({ at: now, staff: HUB_STAFF, action: 'cancelPendingChange', target: `pending:${body.pendingId}`, before: pending ?? null, after: text ? { text, reason: body.reason } : { reason: body.reason }, seq: this.view.seq });
      }
    }
    this.auditWithdrawn(out, HUB_STAFF, now);
    return out;
  }

  /**
   * The bookings a setup's taking effect cancelled (its items removed or given another code), audited
   * by item as the hall's: how many, the first day, so that the administrator sees them in the log.
   */
  private auditWithdrawn(events: readonly HallEvent[], staff: StaffRef, now: number, commandId?: string): void {
    const names = new Map<string, string>();
    const withdrawn: BookedAppointment[] = [];
    for (const e of events) {
      if (e.type !== 'appointment.cancelled' || !e.withdrawn) continue;
      const a = this.view.appointments.get(e.code);
      if (!a) continue;
      withdrawn.push(a);
      if (!names.has(a.serviceCode)) names.set(a.serviceCode, e.withdrawn.itemName);
    }
    for (const [code, { count, firstDay }] of bookingsByItem(withdrawn)) {
      const after = { reason: 'item-withdrawn', itemName: names.get(code)!, bookings: count, firstDay };
      this.audit.record({ at: now, staff, action: 'withdrawBookings', target: `item:${code}`, before: null, after, ...(commandId ? { commandId } : {}), seq: this.view.seq });
    }
  }

  private decideAndAppend(entry: CommandEntry, key: string, hash: string): Executed {
    const { command, actor } = entry;
    const now = this.clock();
    const id = command.id;
    // The command is decided as it came: the rules read only its own fields, never its id or time.
    const body: CommandBody = command;
    const untimely = isExpired(command, now) ? EXPIRED_ANSWER : isAhead(command, now) ? CLOCK_AHEAD_ANSWER : undefined;
    if (untimely) {
      this.recordAnswer(entry, key, hash, now, untimely);
      return { answer: untimely, events: [], repeated: false };
    }
    const appended: HallEvent[] = [];
    const staff = actor.role === 'admin' ? actor.staff : undefined;
    appended.push(...this.appendDayChange(now));
    const refusal = this.precheck(body, entry.pin);
    const holder = entry.holder?.();
    const decided =
      refusal ?? decide(this.view, body, {
        now,
        actor,
        earlierRatings: this.earlierRatings(body),
        caseOf: this.caseRecord,
        ticketOf: (id) => this.ticketRecord(id),
        followUpOf: this.followUpRecord,
        leaseOf: this.leaseRecord,
        complaintOf: this.casework.complaintOf,
        caseRouteOf: this.casework.routeOf,
        deliveryOf: this.casework.deliveryOf,
        evidenceOf: this.casework.hasEvidence,
        ...(holder ? { holder } : {}),
      });
    if (!decided.ok) {
      const answer: Answer = {
        ok: false,
        code: decided.code,
        message: decided.message,
        ...(decided.tickets ? { tickets: decided.tickets } : {}),
        ...(decided.materials ? { materials: decided.materials } : {}),
      };
      this.recordAnswer(entry, key, hash, now, answer);
      return { answer, events: appended, repeated: false };
    }
    // A console change is audited with the part of the hall it changes, before and after (in this transaction).
    const before = staff ? auditSubject(this.view, body) : undefined;
    const firstSeq = this.view.seq + 1;
    const own = decided.value.events.map((e) => this.append(e, now, id, staff));
    appended.push(...own);
    if (staff && before && decided.value.events.length > 0) {
      const scheduled = decided.value.events.find((e) => e.type === 'change.scheduled');
      // After: what a new complaint is has its number only now.
      const after = auditSubject(this.view, body, decided.value.events);
      this.audit.record({
        at: now,
        staff,
        action: body.type,
        target: after.target,
        before: before.value,
        after: scheduled?.type === 'change.scheduled' ? { atDayEnd: scheduled.change } : after.value,
        commandId: id,
        seq: this.view.seq,
      });
    }
    this.auditWithdrawn(own, staff ?? HUB_STAFF, now, id);
    if (body.type === 'recordOutcome' && body.applicant) {
      const recorded = decided.value.events.find((e) => e.type === 'case.recorded');
      if (recorded?.type === 'case.recorded') this.st.putPersonal.run(recorded.case.number, this.sealer.seal(JSON.stringify(body.applicant), recorded.case.number), now);
    }
    const ticket = decided.value.ticket ? this.view.tickets.get(decided.value.ticket.id) : undefined;
    // A new ticket comes with the path of its live page (what its QR code opens), made here: no terminal holds the key.
    const link = ticket && (body.type === 'issueTicket' || body.type === 'checkInAppointment' || body.type === 'takeRemoteTicket') ? this.refs.livePathOfIssued(ticket.id) : undefined;
    const seq = this.view.seq;
    // The answer is kept without its ticket, which the tables hold: a repeat gets the ticket as it stands.
    const stored: StoredAnswer = { ok: true, seq, ...(ticket ? { ticketId: ticket.id } : {}), ...(link ? { link } : {}) };
    const made = seq >= firstSeq;
    this.recordAnswer(entry, key, hash, now, stored, made ? [firstSeq, seq] : undefined);
    return { answer: { ok: true, seq, ...(ticket ? { ticket } : {}), ...(link ? { link } : {}) }, events: appended, repeated: false };
  }

  /** Keeps a command's answer under its key, with the events it made (unless the writer keeps none: CommandEntry.keepAnswer). */
  private recordAnswer(entry: CommandEntry, key: string, hash: string, now: number, answer: Answer | StoredAnswer, made?: [first: number, last: number]): void {
    if (entry.keepAnswer === false) return;
    this.st.recordAnswer.run(key, entry.actor.terminal, entry.command.type, now, JSON.stringify(answer), hash, made?.[0] ?? null, made?.[1] ?? null);
  }

  /** A QR rating of a service from an earlier day: its first rating, from the table (the view keeps today's only). */
  private earlierRatings(body: CommandBody): Rating[] | undefined {
    if (body.type !== 'rate' || body.channel !== 'qr' || !body.ticketId || this.view.ratings.has(body.ticketId)) return undefined;
    return this.st.ratingsOfTicket.all(body.ticketId).map(ratingOfRow);
  }

  /** A follow-up as the hall's records hold it (an earlier day's, which the view does not). */
  private readonly followUpRecord = (id: string): FollowUp | undefined => {
    const row = this.st.followUpById.get(id);
    return row ? (JSON.parse(row.body) as FollowUp) : undefined;
  };

  /** The lease of an earlier day that holds a number, from the hall's records. */
  private readonly leaseRecord = (day: string, prefix: string, sequence: number): NumberLease | undefined => {
    const row = this.db.prepare<[string, string, number, number], LeaseRow>('SELECT * FROM number_leases WHERE day = ? AND prefix = ? AND first <= ? AND last >= ?').get(day, prefix, sequence, sequence);
    return row ? leaseOfRow(row) : undefined;
  };

  /** A case as the hall's records hold it (an earlier day's, which the view does not). */
  private readonly caseRecord = (number: string): Case | undefined => {
    const row = this.st.caseByNumber.get(number);
    return row ? caseOfRow(row) : undefined;
  };

  /**
   * Correction cases whose deadline is before `day` and which have not lapsed yet, at most `limit`.
   * Cases recorded before notices carried a deadline get theirs computed and stored first.
   */
  correctionsDue(day: string, limit = 500): string[] {
    for (const c of this.st.correctionsWithoutDeadline.all(limit).map(caseOfRow)) this.st.setDeadline.run(correctionDeadline(c, this.view.catalogue) ?? day, c.number);
    return this.st.correctionsDue.all(day, limit).map((r) => r.number);
  }

  /** Removes command answers older than the window they are kept for; says how many went. */
  pruneAnswers(): number {
    return this.retention.pruneBefore(this.clock());
  }

  /** What only the hub can check: a clerk's PIN (kept out of the pure rules and out of every event), checked before the transaction. */
  private precheck(body: CommandBody, pin: PinCheck | undefined): Refusal | undefined {
    if (body.type !== 'signIn') return undefined;
    if (!pin) return { ok: false, code: 'internal', message: 'a sign-in is checked through executeAsync' };
    if (pin.ok && pin.mustChange)
      return { ok: false, code: 'pin-change-required', message: `clerk ${body.clerk} still has the initial PIN: choose your own in the console (/console) first` };
    return pin.ok ? undefined : { ok: false, code: pin.code, message: pin.message };
  }

  /** The applicant of a case, in full, for staff whose role needs it; every read is logged with who and why (H-19). */
  applicantOf(caseNumber: string, who: string, purpose: AccessPurpose, note?: string, staffId?: string): unknown {
    const row = this.db.prepare<[string], { applicant: string }>('SELECT applicant FROM personal_data WHERE case_number = ?').get(caseNumber);
    // Nothing read, nothing to log: the log names who saw personal data, not who asked for a case without any.
    if (!row) return undefined;
    this.db
      .prepare('INSERT INTO personal_data_access (at, who, case_number, purpose, note, staff_id) VALUES (?, ?, ?, ?, ?, ?)')
      .run(this.clock(), who, caseNumber, purpose, note ?? null, staffId ?? null);
    return JSON.parse(this.sealer.open(row.applicant, caseNumber));
  }

  /** The personal-data access log, newest first, for a supervisor: of one case, one staff member, one purpose, or of all. */
  accessLog(options: { caseNumber?: string; staffId?: string; purpose?: string; since?: number; limit: number }): AccessRecord[] {
    const { caseNumber = null, staffId = null, purpose = null } = options;
    return this.db
      .prepare<
        (string | number | null)[],
        { at: number; who: string; case_number: string; purpose: string; note: string | null; staff_id: string | null }
      >(
        `SELECT at, who, case_number, purpose, note, staff_id FROM personal_data_access
         WHERE (? IS NULL OR case_number = ?) AND (? IS NULL OR staff_id = ?) AND (? IS NULL OR purpose = ?) AND at >= ? ORDER BY id DESC LIMIT ?`,
      )
      .all(caseNumber, caseNumber, staffId, staffId, purpose, purpose, options.since ?? 0, options.limit)
      .map((r) => ({ at: r.at, who: r.who, caseNumber: r.case_number, purpose: r.purpose, ...(r.note ? { note: r.note } : {}), ...(r.staff_id ? { staffId: r.staff_id } : {}) }));
  }

  /** A case's progress with numbers and states only: what a kiosk may show a citizen (H-11, H-19). */
  caseProgress(number: string): CaseProgress | undefined {
    const c = this.caseOf(number) as Case | undefined;
    if (!c) return undefined;
    const last = c.notices[c.notices.length - 1];
    return {
      number: c.number,
      serviceCode: c.serviceCode,
      state: c.state,
      openedAt: c.openedAt,
      ...(c.acceptedOn ? { acceptedOn: c.acceptedOn } : {}),
      ...(c.promisedDue ? { promisedDue: c.promisedDue } : {}),
      ...(c.legalDue ? { legalDue: c.legalDue } : {}),
      ...(c.dueCertain !== undefined ? { dueCertain: c.dueCertain } : {}),
      ...(c.state === 'correction' && last ? { missing: [...last.materials] } : {}),
    };
  }

  /**
   * The link to the phone rating page for a service waiting for its rating, for the pad of the window
   * that served it (or the administrator): signed by the hub, bound to the ticket, expiring.
   */
  ratingLinkFor(actor: Actor, ticketId: string): { ok: true; link: string } | Refusal {
    if (actor.role !== 'rating-pad' && actor.role !== 'admin') return { ok: false, code: 'forbidden', message: `a ${actor.role} terminal may not ask for rating links` };
    const request = this.view.ratingRequests.get(ticketId);
    if (!request) return { ok: false, code: 'not-found', message: `ticket ${ticketId} has no service waiting for a rating` };
    if (actor.role === 'rating-pad' && request.window !== actor.window)
      return { ok: false, code: 'forbidden', message: `this pad belongs to window ${actor.window}; ticket ${request.ticketNumber} was served at window ${request.window}` };
    return { ok: true, link: this.ratingLink(ticketId)! };
  }

  /** The phone rating page's link of a service waiting for its rating (see LinkSigner.ratingPath). */
  ratingLink(ticketId: string): string | undefined {
    return this.links.ratingPath(this.view, ticketId);
  }

  /** Whether a citizen's link was used already. */
  linkUsed(signature: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM used_links WHERE signature = ?').get(signature);
  }

  /** Records a link as used; old records go once their links have expired. */
  useLink(signature: string, ticketId: string, expiresAt: number): void {
    const now = this.clock();
    this.db.prepare('INSERT OR IGNORE INTO used_links (signature, ticket_id, used_at, expires_at) VALUES (?, ?, ?, ?)').run(signature, ticketId, now, expiresAt);
    this.db.prepare('DELETE FROM used_links WHERE expires_at < ?').run(now);
  }

  /** An id for one of the hub's own commands: its time, then random bits, so that no terminal can take it first. */
  static ownId(kind: string): string {
    return `${kind}-${newCommandId()}`;
  }

  caseOf(number: string): unknown {
    return this.caseRecord(number);
  }

  ratingsOn(day: string): Rating[] {
    return this.st.ratingsOfDay.all(day).map(ratingOfRow);
  }

  /** A follow-up as the hall's records hold it. */
  followUp(id: string): FollowUp | undefined {
    return this.followUpRecord(id);
  }

  /** The follow-ups still open, all of them (their steps are due within days). */
  openFollowUps(): FollowUp[] {
    return this.st.openFollowUps.all().map((r) => JSON.parse(r.body) as FollowUp);
  }

  /** Closed follow-ups, newest first, a page at a time: `next` is the cursor of the following page. */
  closedFollowUps(page: { before?: number; limit?: number } = {}): { followUps: FollowUp[]; next?: number } {
    const limit = Math.min(page.limit ?? FOLLOW_UP_PAGE, FOLLOW_UP_PAGE);
    const rows = this.st.closedFollowUps.all(page.before ?? Number.MAX_SAFE_INTEGER, limit);
    const last = rows[rows.length - 1];
    return { followUps: rows.map((r) => JSON.parse(r.body) as FollowUp), ...(rows.length === limit && last ? { next: last.rowid } : {}) };
  }

  /** Brings the read tables in line with what `event` changed in the view. */
  private persistTicket(id: string, seq: number, isNew = false): Ticket | undefined {
    const t = this.view.tickets.get(id);
    if (!t) return undefined;
    const body = ticketBody(t);
    if (isNew || this.st.updateTicket.run(t.serviceCode, t.state, seq, body, t.id).changes === 0)
      this.st.putTicket.run(t.id, t.day, t.number, t.serviceCode, t.state, t.lane, t.issuedAt, seq, body);
    return t;
  }

  private persistWindow(n: number): void {
    const w = this.view.windows.get(n);
    if (w) this.st.putWindow.run(n, JSON.stringify(w));
  }

  private persist(event: HallEvent): void {
    const v = this.view;
    const seq = event.seq;
    switch (event.type) {
      case 'catalogue.replaced':
        this.st.putHall.run('catalogue', JSON.stringify(v.catalogue));
        this.st.putHall.run('pending', JSON.stringify(v.pending));
        for (const w of v.windows.keys()) this.persistWindow(w);
        break;
      case 'window.itemsAssigned':
      case 'window.temporaryOpened':
      case 'item.todaySet':
      case 'calendar.yearSet':
        this.st.putHall.run('catalogue', JSON.stringify(v.catalogue));
        this.st.putHall.run('pending', JSON.stringify(v.pending));
        if (event.type === 'window.temporaryOpened') this.persistWindow(event.window.number);
        break;
      case 'change.scheduled':
      case 'change.cancelled':
        this.st.putHall.run('pending', JSON.stringify(v.pending));
        break;
      case 'day.opened':
        this.st.putHall.run('day', v.day);
        // The new day ends temporary windows and today's changes of items.
        this.st.putHall.run('catalogue', JSON.stringify(v.catalogue));
        this.st.dropOldCounters.run(v.day);
        this.st.putHall.run('emergencyCalls', '[]');
        for (const w of v.windows.keys()) this.persistWindow(w);
        break;
      case 'appointment.booked':
      case 'appointment.cancelled': {
        const a = v.appointments.get(event.code);
        if (a) this.st.putAppointment.run(a.code, a.day, JSON.stringify(a));
        break;
      }
      case 'ticket.issued': {
        const t = this.persistTicket('id' in event.ticket ? event.ticket.id : `${v.day}-${event.ticket.number}`, seq, true)!;
        const key = counterKey(t.day, parseTicketNumber(t.number)!.prefix);
        this.st.putCounter.run(key, v.counters.get(key) ?? 0);
        if (t.appointment) {
          const a = v.appointments.get(t.appointment.code);
          if (a) this.st.putAppointment.run(a.code, a.day, JSON.stringify(a));
        }
        break;
      }
      case 'ticket.finished': {
        const t = this.persistTicket(event.id, seq)!;
        this.st.putServiceTimes.run(t.serviceCode, JSON.stringify(v.serviceTimes.get(t.serviceCode) ?? []));
        break;
      }
      case 'ticket.called':
        this.persistTicket(event.id, seq);
        this.persistWindow(event.window);
        if (event.happenedAt !== undefined) this.st.putHall.run('emergencyCalls', JSON.stringify([...v.emergencyCalls.values()].flat()));
        break;
      case 'lease.granted': {
        const l = event.lease;
        this.db.prepare('INSERT OR IGNORE INTO number_leases (id, day, terminal, prefix, first, last, granted_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(l.id, l.day, l.terminal, l.prefix, l.first, l.last, l.grantedAt);
        break;
      }
      case 'emergency.callRecorded':
        this.st.putHall.run('emergencyCalls', JSON.stringify([...v.emergencyCalls.values()].flat()));
        break;
      case 'emergency.callSetAside':
        break;
      case 'ticket.lateRecorded': {
        // An earlier day's ticket: into the hall's records, not into today's view.
        const t = event.ticket;
        this.st.putTicket.run(t.id, t.day, t.number, t.serviceCode, t.state, t.lane, t.issuedAt, seq, ticketBody(t));
        break;
      }
      case 'ticket.voided': {
        const t = this.persistTicket(event.id, seq);
        const a = t?.appointment ? v.appointments.get(t.appointment.code) : undefined;
        if (a) this.st.putAppointment.run(a.code, a.day, JSON.stringify(a));
        break;
      }
      case 'ticket.recalled':
      case 'ticket.started':
      case 'ticket.noShow':
      case 'ticket.held':
      case 'ticket.transferred':
      case 'ticket.dayEnded':
        this.persistTicket(event.id, seq);
        break;
      case 'window.opened':
      case 'window.closed':
      case 'window.paused':
      case 'window.resumed':
        this.persistWindow(event.window);
        break;
      case 'case.recorded':
      case 'case.amended': {
        const c = v.cases.get(event.case.number)!;
        const deadline = c.state === 'correction' ? (correctionDeadline(c, v.catalogue) ?? null) : null;
        this.st.putCase.run(c.number, c.serviceCode, c.state, v.day, event.seq, caseBody(c, v.day), deadline);
        const key = counterKey(v.day, 'SL');
        if (v.counters.has(key)) this.st.putCounter.run(key, v.counters.get(key));
        break;
      }
      case 'case.lapsed':
        this.st.lapseCase.run(event.seq, event.number);
        break;
      case 'rating.recorded': {
        const r = v.ratings.get(event.rating.ticketId)!.at(-1)!;
        this.st.putRating.run(r.id, r.ticketId, v.day, r.level, r.window, r.clerk ?? null, ratingBody(r));
        break;
      }
      case 'rating.amended': {
        const r = v.ratings.get(event.ticketId)?.find((x) => x.id === event.ratingId);
        if (r) this.st.amendRating.run(ratingBody(r), r.id);
        break;
      }
      case 'complaint.changed': {
        this.casework.follow(event);
        // Complaint numbers run per day like case numbers: the counter survives a restart.
        const key = counterKey(v.day, 'TS');
        if (v.counters.has(key)) this.st.putCounter.run(key, v.counters.get(key));
        break;
      }
      case 'caseRoute.changed':
      case 'delivery.recorded':
        this.casework.follow(event);
        break;
      case 'followUp.opened':
      case 'followUp.advanced':
      case 'followUp.appealed':
      case 'followUp.appealDecided': {
        const f = v.followUps.get(event.type === 'followUp.opened' ? event.followUp.id : event.id)!;
        this.st.putFollowUp.run(f.id, f.closed ? 1 : 0, JSON.stringify(f), v.day);
        break;
      }
      case 'devices.reported':
        this.st.putHall.run(`devices:${event.terminal}`, JSON.stringify(v.devices.get(event.terminal)));
        break;
      case 'alert.raised':
      case 'alert.cleared':
      case 'alert.acknowledged': {
        const a = v.alerts.get(event.id);
        if (a) this.st.putAlert.run(a.id, hallDay(a.raisedAt, v.catalogue.hall.timeZone), a.subject.kind, a.raisedAt, a.clearedAt === undefined ? 1 : 0, JSON.stringify(a));
        break;
      }
    }
  }
}

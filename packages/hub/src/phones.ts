import { addCalendarDays, refuse, type BookedAppointment, type HallView, type HolderHistory, type PhonePolicy, type Refusal, type TicketState } from '@servicehall/core';
import { maskPhone, normalizePhone } from '@servicehall/notify';
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { addressNetwork } from './address-network';
import type { Db } from './db';
import { Sealer } from './sealed';

/** How long a one-time code holds, how soon another may be sent, how many tries each (how many a day is the hall's phone policy). */
export const CODE_MINUTES = 5;
export const CODE_RESEND_MS = 60_000;
export const CODE_ATTEMPTS = 5;
/** A verified phone stays verified on its browser this long. */
export const SESSION_MS = 12 * 3600_000;

/**
 * What keeps citizens' phone numbers out of the database in the clear: a keyed hash (the holder,
 * for the daily limit and the no-show rule) and AES-256-GCM (the number itself, for the SMS
 * alerts), with keys derived from the hall key (HallKey.derive('phones')), which lives apart from
 * the database as applicants' does: a copy of hall.db alone gives no number away (H-19).
 */
export class PhoneVault {
  private readonly hashKey: Buffer;
  private readonly sealer: Sealer;

  constructor(master: Buffer) {
    if (master.length < 32) throw new Error('the phone key must be at least 32 bytes');
    this.hashKey = createHmac('sha256', master).update('servicehall-phone-hash').digest();
    this.sealer = new Sealer(createHmac('sha256', master).update('servicehall-phone-seal').digest());
  }

  /** Who holds a number, without the number: the same phone gives the same holder, and nothing leads back. */
  holder(e164: string): string {
    return this.digest(`holder:${e164}`);
  }

  digest(text: string): string {
    return createHmac('sha256', this.hashKey).update(text).digest('base64url').slice(0, 32);
  }

  seal(text: string): string {
    return this.sealer.seal(text, PHONE_CONTEXT);
  }

  /** The sealed text, or undefined when it was sealed with another key or tampered with. */
  open(sealed: string): string | undefined {
    try {
      return this.sealer.open(sealed, PHONE_CONTEXT);
    } catch {
      return undefined;
    }
  }
}

/** What a sealed phone number is bound to: it opens as a phone number only. */
const PHONE_CONTEXT = 'phone-number';

export interface PhoneSession {
  holder: string;
  /** The number, sealed: opened only to send an SMS. */
  sealed: string;
  masked: string;
}

export interface CodeRequest {
  code: string;
  e164: string;
  holder: string;
  expiresAt: number;
  /** When the code this one replaces was sent, if any: its SMS, if still waiting, is of no use now. */
  replacesSentAt?: number;
}

export interface AlertTarget {
  ticketId: string;
  sealed: string | null;
  /** How many were ahead when the phone first had the number, as told then; null when it was not told it was near (unknown, or no window open then). */
  firstAhead: number | null;
  alerts: Set<string>;
}

/** The tables whose rows carry the stamp of their last change (PhoneBook.stamp), by which the standby follows them (replication.ts). */
const STAMPED = ['phone_codes', 'phone_code_addresses', 'phone_sessions', 'phone_links'] as const;
/** The highest stamp given before rows were forgotten (hall table): a standby holds those rows' stamps, and the next ones must be above them after a restart. */
const STAMPS_GIVEN_KEY = 'phone_stamps_given';

const eq = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The phones behind numbers and bookings, kept apart from the event log: one-time codes, the
 * sessions of verified phones, and which holder took which number or booking. Synchronous SQL on
 * the hall's connection, so that a link is written in the transaction of the command it belongs to.
 */
export class PhoneBook {
  private readonly st;
  private lastStamp = 0;

  constructor(
    private readonly db: Db,
    readonly vault: PhoneVault,
  ) {
    this.st = {
      code: db.prepare<[string], { code_hash: string; expires_at: number; attempts: number; sent_at: number; day: string; sent_today: number }>('SELECT * FROM phone_codes WHERE holder = ?'),
      putCode: db.prepare(
        `INSERT INTO phone_codes (holder, code_hash, expires_at, attempts, sent_at, day, sent_today, changed) VALUES (@holder, @hash, @expiresAt, 0, @now, @day, @sentToday, @stamp)
         ON CONFLICT (holder) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0, sent_at = excluded.sent_at, day = excluded.day, sent_today = excluded.sent_today, changed = excluded.changed`,
      ),
      tried: db.prepare<[number, string]>('UPDATE phone_codes SET attempts = attempts + 1, changed = ? WHERE holder = ?'),
      spend: db.prepare<[number, string]>('UPDATE phone_codes SET expires_at = 0, changed = ? WHERE holder = ?'),
      lastStamp: db.prepare<[], { n: number }>(
        `SELECT MAX(${STAMPED.map((t) => `COALESCE((SELECT MAX(changed) FROM ${t}), 0)`).join(', ')}, COALESCE((SELECT CAST(value AS INTEGER) FROM hall WHERE key = '${STAMPS_GIVEN_KEY}'), 0)) AS n`,
      ),
      stampsGiven: db.prepare<[string]>(`INSERT INTO hall (key, value) VALUES ('${STAMPS_GIVEN_KEY}', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
      putSession: db.prepare('INSERT INTO phone_sessions (id_hash, holder, phone, created_at, expires_at, changed) VALUES (?, ?, ?, ?, ?, ?)'),
      session: db.prepare<[string, number], { holder: string; phone: string }>('SELECT holder, phone FROM phone_sessions WHERE id_hash = ? AND expires_at > ?'),
      link: db.prepare(
        'INSERT INTO phone_links (kind, ref_id, holder, day, phone, remote, first_ahead, created_at, changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, ref_id) DO NOTHING',
      ),
      linkOf: db.prepare<[string, string], { holder: string; phone: string | null; day: string }>('SELECT holder, phone, day FROM phone_links WHERE kind = ? AND ref_id = ?'),
      holderLinks: db.prepare<[string, string], { kind: string; ref_id: string; day: string; remote: number }>('SELECT kind, ref_id, day, remote FROM phone_links WHERE holder = ? AND day >= ? ORDER BY created_at'),
      ticketState: db.prepare<[string], { state: string }>('SELECT state FROM tickets WHERE id = ?'),
      appointment: db.prepare<[string], { body: string }>('SELECT body FROM appointments WHERE code = ?'),
      alertTargets: db.prepare<[string], { ref_id: string; phone: string | null; first_ahead: number | null; alerts: string }>(
        "SELECT ref_id, phone, first_ahead, alerts FROM phone_links WHERE kind = 'ticket' AND day = ?",
      ),
      markAlerts: db.prepare<[string, number, string]>("UPDATE phone_links SET alerts = ?, changed = ? WHERE kind = 'ticket' AND ref_id = ?"),
      phonesToForget: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM phone_links WHERE day < ? AND phone IS NOT NULL'),
      // Each row its own stamp (the standby is sent a table's rows in pages by their stamps: rows sharing one could be cut apart).
      forgetPhones: db.prepare<[{ before: number; today: string }]>(
        'UPDATE phone_links SET phone = NULL, changed = @before + n FROM (SELECT rowid AS r, row_number() OVER (ORDER BY rowid) AS n FROM phone_links WHERE day < @today AND phone IS NOT NULL) WHERE phone_links.rowid = r',
      ),
      forgetSessions: db.prepare('DELETE FROM phone_sessions WHERE expires_at <= ?'),
      forgetCodes: db.prepare('DELETE FROM phone_codes WHERE day < ?'),
      forgetAddresses: db.prepare('DELETE FROM phone_code_addresses WHERE day < ?'),
      fromAddress: db.prepare<[string, string], { sent: number }>('SELECT sent FROM phone_code_addresses WHERE day = ? AND address = ?'),
      countAddress: db.prepare<[string, string, number]>('INSERT INTO phone_code_addresses (day, address, sent, changed) VALUES (?, ?, 1, ?) ON CONFLICT (day, address) DO UPDATE SET sent = sent + 1, changed = excluded.changed'),
      // One row for each phone that asked lately (past days' rows go with the day's housekeeping): cheap beside the SMS it guards.
      codesToday: db.prepare<[string], { n: number }>('SELECT COALESCE(SUM(sent_today), 0) AS n FROM phone_codes WHERE day = ?'),
    };
  }

  /**
   * A new one-time code for `phone`, asked from the client `address`, unless one went out less than a
   * minute ago or `codesPerPhonePerDay` today, or `codesPerAddressPerDay` were asked from the address
   * (its network: addressNetwork) today, or the hall has sent `codesPerDay` today (all phones together).
   * The caller queues the SMS in the same transaction; only keyed hashes of the code and the address are kept.
   */
  requestCode(
    phone: string,
    now: number,
    day: string,
    policy: Pick<PhonePolicy, 'codesPerDay' | 'codesPerPhonePerDay' | 'codesPerAddressPerDay'>,
    address: string,
  ): { ok: true; value: CodeRequest } | (Refusal & { retryAfterMs?: number }) {
    const e164 = normalizePhone(phone);
    if (!e164) return refuse('bad-request', 'not a mainland China mobile number');
    const holder = this.vault.holder(e164);
    const last = this.st.code.get(holder);
    if (last && now - last.sent_at < CODE_RESEND_MS)
      return { ...refuse('rate-limited', `a code went to this phone ${Math.round((now - last.sent_at) / 1000)} s ago`), retryAfterMs: CODE_RESEND_MS - (now - last.sent_at) };
    const sentToday = last && last.day === day ? last.sent_today : 0;
    if (sentToday >= policy.codesPerPhonePerDay) return refuse('code-limit', `${policy.codesPerPhonePerDay} codes went to this phone today`);
    const network = this.vault.digest(`address:${addressNetwork(address)}`);
    if ((this.st.fromAddress.get(day, network)?.sent ?? 0) >= policy.codesPerAddressPerDay)
      return refuse('address-code-limit', `${policy.codesPerAddressPerDay} codes were asked from this address today`);
    if (this.codesSentOn(day) >= policy.codesPerDay) return refuse('codes-spent', `the hall has sent its ${policy.codesPerDay} codes of today`);
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = now + CODE_MINUTES * 60_000;
    const stamp = this.stamp();
    this.st.putCode.run({ holder, hash: this.vault.digest(`code:${holder}:${code}`), expiresAt, now, day, sentToday: sentToday + 1, stamp });
    this.st.countAddress.run(day, network, stamp);
    return { ok: true, value: { code, e164, holder, expiresAt, ...(last ? { replacesSentAt: last.sent_at } : {}) } };
  }

  /**
   * The stamp of a change to a code, an address's count, a session or a link (its alerts marked, its
   * phone forgotten; migrations 160 and 170), by which the standby is sent the rows changed since it
   * last heard: above every row's, and every stamp given before (the row that held the highest may be
   * a past day's, forgotten since: `forget` keeps the highest given). `count`: stamps in a row, the first returned.
   */
  private stamp(count = 1): number {
    const first = Math.max(this.lastStamp, this.st.lastStamp.get()!.n) + 1;
    this.lastStamp = first + count - 1;
    return first;
  }

  /** One-time codes the hall has sent on `day`, all phones together. */
  codesSentOn(day: string): number {
    return this.st.codesToday.get(day)?.n ?? 0;
  }

  /** Checks a code; a right one is spent and opens a session (its token is the phone's to keep). */
  verify(phone: string, code: string, now: number): { ok: true; value: { session: string; masked: string } } | Refusal {
    const e164 = normalizePhone(phone);
    if (!e164) return refuse('bad-request', 'not a mainland China mobile number');
    const holder = this.vault.holder(e164);
    const row = this.st.code.get(holder);
    if (!row || row.expires_at <= now || row.attempts >= CODE_ATTEMPTS) return refuse('phone-unverified', 'no code is waiting for this phone, or it has expired');
    if (!eq(row.code_hash, this.vault.digest(`code:${holder}:${code.trim()}`))) {
      this.st.tried.run(this.stamp(), holder);
      return refuse('phone-unverified', 'the code is not right');
    }
    this.st.spend.run(this.stamp(), holder);
    const session = randomBytes(24).toString('base64url');
    this.st.putSession.run(this.vault.digest(`session:${session}`), holder, this.vault.seal(e164), now, now + SESSION_MS, this.stamp());
    return { ok: true, value: { session, masked: maskPhone(e164) } };
  }

  session(token: string | undefined, now: number): PhoneSession | undefined {
    if (!token || token.length > 100) return undefined;
    const row = this.st.session.get(this.vault.digest(`session:${token}`), now);
    if (!row) return undefined;
    const phone = this.vault.open(row.phone);
    return { holder: row.holder, sealed: row.phone, masked: phone ? maskPhone(phone) : '****' };
  }

  /** Records which holder a number or booking belongs to (once; a repeated command changes nothing). */
  link(kind: 'ticket' | 'appointment', refId: string, session: Pick<PhoneSession, 'holder' | 'sealed'>, day: string, remote: boolean, now: number, firstAhead?: number | null): void {
    this.st.link.run(kind, refId, session.holder, day, session.sealed, remote ? 1 : 0, firstAhead ?? null, now, this.stamp());
  }

  linkOf(kind: 'ticket' | 'appointment', refId: string): { holder: string; sealed: string | null; day: string } | undefined {
    const row = this.st.linkOf.get(kind, refId);
    return row ? { holder: row.holder, sealed: row.phone, day: row.day } : undefined;
  }

  /** What core needs to know of a holder: its numbers by phone and its bookings, back to `sinceDay`. */
  history(holder: string, view: HallView, sinceDay: string): HolderHistory {
    const out: HolderHistory = { tickets: [], appointments: [] };
    for (const link of this.st.holderLinks.all(holder, sinceDay)) {
      if (link.kind === 'ticket') {
        if (!link.remote) continue;
        const state = view.tickets.get(link.ref_id)?.state ?? (this.st.ticketState.get(link.ref_id)?.state as TicketState | undefined);
        if (state) out.tickets.push({ day: link.day, state });
      } else {
        const a = view.appointments.get(link.ref_id) ?? (JSON.parse(this.st.appointment.get(link.ref_id)?.body ?? 'null') as BookedAppointment | null);
        if (a) out.appointments.push({ code: a.code, serviceCode: a.serviceCode, day: a.day, slotEnd: a.slotEnd, checkedIn: a.ticketId !== undefined, cancelled: a.cancelledAt !== undefined });
      }
    }
    return out;
  }

  /** A holder's numbers of `today` and its bookings of today or later, for its own list. */
  holderRefs(holder: string, today: string): { tickets: string[]; appointments: string[] } {
    const out = { tickets: [] as string[], appointments: [] as string[] };
    for (const link of this.st.holderLinks.all(holder, today)) {
      if (link.kind === 'ticket' && link.day === today) out.tickets.push(link.ref_id);
      else if (link.kind === 'appointment') out.appointments.push(link.ref_id);
    }
    return out;
  }

  /** The window of days a holder's history must cover for the no-show rule. */
  static historySince(today: string, rule: { withinDays: number; blockDays: number }): string {
    return addCalendarDays(today, -(rule.withinDays + rule.blockDays));
  }

  /** Today's numbers with a phone behind them, for the near and called alerts. */
  alertTargets(day: string): AlertTarget[] {
    return this.st.alertTargets.all(day).map((r) => ({ ticketId: r.ref_id, sealed: r.phone, firstAhead: r.first_ahead, alerts: new Set(r.alerts.split(',').filter(Boolean)) }));
  }

  markAlerts(ticketId: string, alerts: ReadonlySet<string>): void {
    this.st.markAlerts.run([...alerts].sort().join(','), this.stamp(), ticketId);
  }

  /** Forgets what is no longer needed: numbers of past days (the holder's hash stays for the no-show rule), old sessions and codes, past days' counts by address. */
  forget(now: number, today: string): void {
    const forgotten = this.st.phonesToForget.get(today)!.n;
    if (forgotten > 0) this.st.forgetPhones.run({ before: this.stamp(forgotten) - 1, today });
    // The rows go, their stamps stay given: a standby that holds them is sent the rows changed after, whatever restarts between.
    this.st.stampsGiven.run(String(this.stamp() - 1));
    this.forgetEnded(now, today);
  }

  /**
   * Deletes the sessions ended by `now`, and the codes and counts by address of days before `today`:
   * the hub in charge in its housekeeping, and its standby in its own (server.ts), by the same rules:
   * the standby holds these rows as they last changed (replication.ts), and a row deleted is never sent.
   */
  forgetEnded(now: number, today: string): void {
    this.st.forgetSessions.run(now);
    this.st.forgetCodes.run(today);
    this.st.forgetAddresses.run(today);
  }
}

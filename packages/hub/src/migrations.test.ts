import { applyEvent, emptyView, reindex, toSnapshot, type Catalogue, type HallEvent, type HallSnapshot } from '@servicehall/core';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RELEASES } from '../../../fixtures/databases/make';
import { migrate, MIGRATIONS } from './db';
import { DATABASE_FILE } from './integrity';
import { startHub, type RunningHub } from './server';
import { answerKey, idOfAnswerKey } from './store';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/databases');
const TOKEN = 'hall-token-upgrades';
/** The fixtures' second day, in the afternoon: the hub loads that day. */
const NOW = Date.parse('2026-11-20T16:00:00+08:00');

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rows {
  tickets: { id: string; number: string; state: string; body: string }[];
  events: number;
  cases: { number: string; state: string; body: string }[];
  ratings: { id: string; ticket_id: string; level: string }[];
  applicants: { case_number: string; applicant: string }[];
  pins: string[];
  /** A ticket issued by a kiosk, as its command was stored (its id had no sender's scope before migration 10). */
  issued: { id: string; terminal: string; answer: string } | undefined;
}

function rowsOf(file: string, version: number): Rows {
  const db = new Database(file, { readonly: true });
  try {
    const visits = version >= 2;
    return {
      tickets: db.prepare('SELECT id, number, state, body FROM tickets ORDER BY id').all() as Rows['tickets'],
      events: (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n,
      cases: visits ? (db.prepare('SELECT number, state, body FROM cases ORDER BY number').all() as Rows['cases']) : [],
      ratings: visits ? (db.prepare('SELECT id, ticket_id, level FROM ratings ORDER BY id').all() as Rows['ratings']) : [],
      applicants: visits ? (db.prepare('SELECT case_number, applicant FROM personal_data ORDER BY case_number').all() as Rows['applicants']) : [],
      pins: visits ? (db.prepare('SELECT clerk FROM clerk_pins ORDER BY clerk').all() as { clerk: string }[]).map((r) => r.clerk) : [],
      issued: db.prepare("SELECT id, terminal, answer FROM commands WHERE type = 'issueTicket' AND terminal = 'kiosk-1' ORDER BY at LIMIT 1").get() as Rows['issued'],
    };
  } finally {
    db.close();
  }
}

/** The view as today's rules fold the whole log, from the first event on. */
function fold(events: HallEvent[]): HallSnapshot {
  const first = events[0]!;
  if (first.type !== 'catalogue.replaced') throw new Error('the log starts with its catalogue');
  const view = emptyView(first.catalogue as Catalogue, '2026-11-19');
  for (const e of events) applyEvent(view, e);
  return toSnapshot(reindex(view));
}

const sorted = <T>(list: T[], key: (x: T) => string) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
const essence = (s: HallSnapshot) => ({
  seq: s.seq,
  day: s.day,
  tickets: sorted(s.tickets, (t) => t.id),
  windows: sorted(s.windows, (w) => String(w.number).padStart(3, '0')),
  counters: s.counters,
  cases: sorted(s.cases, (c) => c.number),
  appointments: sorted(s.appointments, (a) => a.code),
  ratings: sorted(s.ratings, (r) => r.id),
  followUps: sorted(s.followUps, (f) => f.id),
});

describe('a database of every released schema version', () => {
  it('of a newer release than this one (an upgrade taken back) is refused at start in both languages, and left as it was', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-newer-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const first = await startHub({ dataDir: dir, token: TOKEN, clock: () => NOW });
    await first.close();
    const file = path.join(dir, DATABASE_FILE);
    const db = new Database(file);
    const newer = Math.max(...MIGRATIONS.map((m) => m.version)) + 1;
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(newer, 'a later release', NOW);
    db.close();
    const bytes = fs.readFileSync(file);
    await expect(startHub({ dataDir: dir, token: TOKEN, clock: () => NOW })).rejects.toThrow(new RegExp(`来自更新版本的 ServiceHall（数据库版本 ${newer}[^]*comes from a newer ServiceHall`));
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'hub.running'))).toBe(false);
  });

  it('is kept under fixtures/databases, one per release', () => {
    expect(RELEASES.map((r) => r.name)).toEqual(['v1', 'v2', 'v40', 'v40-20']);
    for (const r of RELEASES) expect(fs.existsSync(path.join(FIXTURES, `${r.name}.db`)), `${r.name}.db`).toBe(true);
    // Every migration a release applied is still one the hub knows.
    for (const r of RELEASES) for (const v of r.versions) expect(MIGRATIONS.some((m) => m.version === v)).toBe(true);
  });

  it.each(RELEASES.map((r) => ({ name: r.name, version: Math.max(...r.versions), commit: r.commit })))(
    'migrates forward from $name (written by $commit): its tickets, cases and ratings read as before, the log folds to the loaded view, and commands work',
    async ({ name, version }) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `servicehall-upgrade-${name}-`));
      cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      fs.copyFileSync(path.join(FIXTURES, `${name}.db`), path.join(dir, DATABASE_FILE));
      const before = rowsOf(path.join(dir, DATABASE_FILE), version);
      expect(before.tickets.length).toBeGreaterThan(10);

      const hub: RunningHub = await startHub({ dataDir: dir, token: TOKEN, clock: () => NOW, ratingSweepMs: 3_600_000 });
      cleanups.push(() => hub.close());
      const api = async (method: string, route: string, body?: unknown) => {
        const res = await fetch(hub.url + route, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, body: (await res.json()) as any };
      };

      // Every migration is applied once, in order; the old rows are all there, unchanged.
      const migrated = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
      const applied = (migrated.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
      migrated.close();
      expect(applied).toEqual(MIGRATIONS.map((m) => m.version).sort((a, b) => a - b));
      const after = rowsOf(path.join(dir, DATABASE_FILE), version);
      // Applicants are sealed with the hall key at the first start (migration 10's release): the same
      // cases, none readable in the file; the API reads them back whole (below). Command ids gain their sender's scope, after them.
      const plain = (r: Rows) => ({ ...r, applicants: r.applicants.map((a) => a.case_number), issued: undefined });
      expect(plain(after)).toEqual(plain(before));
      for (const a of after.applicants) expect(a.applicant).toMatch(/^sealed1:/);
      expect(after.issued).toEqual({ ...before.issued, id: `${before.issued!.id}|${before.issued!.terminal}` });
      // The kiosk that sent that command before the upgrade gets its first answer again, and nothing changes.
      const seq = hub.store.seq;
      const again = hub.store.execute({ id: before.issued!.id, type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, { role: 'kiosk', terminal: before.issued!.terminal });
      expect(again).toMatchObject({ repeated: true, answer: JSON.parse(before.issued!.answer) });
      expect(hub.store.seq).toBe(seq);

      // Read through today's API.
      const events = await api('GET', '/api/events?since=0&limit=5000');
      // Once it runs the hub raises its alerts by itself (the old day's long waits, its bad ratings); the log is otherwise as it was.
      expect(events.body.events.filter((e: { type: string }) => !e.type.startsWith('alert.'))).toHaveLength(before.events);
      expect(essence(toSnapshot(hub.store.view))).toEqual(essence(fold(events.body.events)));
      const today = before.tickets.filter((t) => t.id.startsWith('2026-11-20'));
      expect(today.length).toBeGreaterThan(0);
      for (const t of today) expect((await api('GET', `/api/tickets/${t.id}`)).body).toMatchObject({ id: t.id, number: t.number, state: t.state });
      if (version >= 2) {
        expect(before.cases.length).toBeGreaterThanOrEqual(5);
        for (const c of before.cases) expect((await api('GET', `/api/cases/${c.number}`)).body).toMatchObject({ number: c.number, state: c.state });
        const ratings = [...(await api('GET', '/api/ratings?day=2026-11-19')).body.ratings, ...(await api('GET', '/api/ratings?day=2026-11-20')).body.ratings];
        expect(sorted(ratings.map((r: { id: string; level: string }) => ({ id: r.id, level: r.level })), (r) => r.id)).toEqual(before.ratings.map((r) => ({ id: r.id, level: r.level })));
        expect((await api('GET', '/api/follow-ups')).body.followUps).toHaveLength(1);
        expect(before.applicants.length).toBeGreaterThanOrEqual(3);
        for (const withApplicant of before.applicants) {
          const applicant = await api('GET', `/api/cases/${withApplicant.case_number}/applicant?purpose=supervision&note=${encodeURIComponent('升级核对')}`);
          expect(applicant.body).toEqual(JSON.parse(withApplicant.applicant));
        }
        // A clerk signs in with the PIN set before the upgrade.
        expect(before.pins).toContain('1004');
        expect((await api('POST', '/api/windows/2/sign-in', { clerk: '1004', pin: '246810' })).status).toBe(200);
      } else {
        expect((await api('POST', '/api/windows/2/open', { clerk: '1002' })).status).toBe(200);
      }

      // The hall goes on: numbering continues from the day's counter, a call and a service work.
      const lastA = Math.max(...today.filter((t) => t.number.startsWith('A')).map((t) => Number(t.number.slice(1))));
      const issued = await api('POST', '/api/tickets', { serviceCode: 'GA-SFZ-HL' });
      expect(issued.status).toBe(201);
      expect(issued.body.number).toBe(`A${String(lastA + 1).padStart(3, '0')}`);
      expect((await api('POST', '/api/windows/2/call-next')).status).toBe(200);
      expect((await api('POST', '/api/windows/2/start')).status).toBe(200);
      expect((await api('POST', '/api/windows/2/finish')).status).toBe(200);
    },
  );
});

describe('migration 120', () => {
  it("keeps each answer under its id first, then its sender's namespace, on the row it had", () => {
    const db = new Database(':memory:');
    cleanups.push(() => db.close());
    migrate(db);
    // Answers as the hub kept them before: "<scope>|<id>", an id holding anything.
    const kept: [rowid: number, scope: string, id: string][] = [
      [7, 'kiosk-1', '0192f4c8-52a1-7c3e-9d2b-5f8e1a2b3c4d'],
      [8, ':http/Qx3a9', 'key|with|bars'],
      [9, ':staff/1004', '100%-sure-%7C'],
    ];
    const put = db.prepare("INSERT INTO commands (rowid, id, terminal, type, at, answer) VALUES (?, ?, 'kiosk-1', 'issueTicket', ?, '{\"ok\":true}')");
    for (const [rowid, scope, id] of kept) put.run(rowid, `${scope}|${id}`, rowid);
    db.prepare('DELETE FROM schema_migrations WHERE version = 120').run();
    migrate(db);
    expect(db.prepare('SELECT rowid, id, at FROM commands ORDER BY rowid').all()).toEqual(kept.map(([rowid, scope, id]) => ({ rowid, id: answerKey(scope, id), at: rowid })));
    expect(kept.map(([, scope, id]) => idOfAnswerKey(answerKey(scope, id)))).toEqual(kept.map(([, , id]) => id));
    // Pruning by age still has its index.
    expect(db.prepare("SELECT tbl_name FROM sqlite_master WHERE name = 'commands_at'").get()).toEqual({ tbl_name: 'commands' });
  });
});

describe('migration 160', () => {
  it("gives the codes and the counts by address that a hub kept before it a stamp each, all different, so that a standby is sent every one", () => {
    const db = new Database(':memory:');
    cleanups.push(() => db.close());
    migrate(db);
    // As a hub before it left the tables: no stamp.
    db.exec('DROP INDEX phone_codes_changed; ALTER TABLE phone_codes DROP COLUMN changed; DROP INDEX phone_code_addresses_changed; ALTER TABLE phone_code_addresses DROP COLUMN changed');
    const code = db.prepare("INSERT INTO phone_codes (holder, code_hash, expires_at, attempts, sent_at, day, sent_today) VALUES (?, 'hash', 0, 0, 0, '2026-11-27', 1)");
    const address = db.prepare("INSERT INTO phone_code_addresses (day, address, sent) VALUES ('2026-11-27', ?, 2)");
    for (const h of ['holder-b', 'holder-a', 'holder-c']) code.run(h);
    for (const a of ['net-z', 'net-x', 'net-y']) address.run(a);
    db.prepare('DELETE FROM schema_migrations WHERE version = 160').run();
    migrate(db);
    const codes = db.prepare('SELECT holder, changed FROM phone_codes').all() as { holder: string; changed: number }[];
    const counts = db.prepare('SELECT address, sent, changed FROM phone_code_addresses').all() as { address: string; sent: number; changed: number }[];
    expect(codes.map((r) => r.holder).sort()).toEqual(['holder-a', 'holder-b', 'holder-c']);
    expect(counts.map((r) => [r.address, r.sent]).sort()).toEqual([['net-x', 2], ['net-y', 2], ['net-z', 2]]);
    for (const rows of [codes, counts]) {
      expect(rows.every((r) => r.changed > 0)).toBe(true);
      expect(new Set(rows.map((r) => r.changed)).size).toBe(3);
    }
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('phone_codes_changed', 'phone_code_addresses_changed') ORDER BY name").all()).toHaveLength(2);
  });
});

describe('migration 170', () => {
  it('gives the sessions and the links that a hub kept before it a stamp each, all different, so that a standby is sent every one', () => {
    const db = new Database(':memory:');
    cleanups.push(() => db.close());
    migrate(db);
    // As a hub before it left the tables: no stamp.
    db.exec('DROP INDEX phone_sessions_changed; ALTER TABLE phone_sessions DROP COLUMN changed; DROP INDEX phone_links_changed; ALTER TABLE phone_links DROP COLUMN changed');
    const session = db.prepare("INSERT INTO phone_sessions (id_hash, holder, phone, created_at, expires_at) VALUES (?, 'holder-a', 'sealed', 0, 1)");
    const link = db.prepare("INSERT INTO phone_links (kind, ref_id, holder, day, phone, remote, created_at) VALUES ('ticket', ?, 'holder-a', '2026-11-27', 'sealed', 1, 0)");
    for (const id of ['session-b', 'session-a', 'session-c']) session.run(id);
    for (const id of ['2026-11-27-0003', '2026-11-27-0001', '2026-11-27-0002']) link.run(id);
    db.prepare('DELETE FROM schema_migrations WHERE version = 170').run();
    migrate(db);
    for (const table of ['phone_sessions', 'phone_links']) {
      const stamps = (db.prepare(`SELECT changed FROM ${table}`).all() as { changed: number }[]).map((r) => r.changed);
      expect(stamps).toHaveLength(3);
      expect(stamps.every((n) => n > 0)).toBe(true);
      expect(new Set(stamps).size).toBe(3);
    }
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('phone_sessions_changed', 'phone_links_changed') ORDER BY name").all()).toHaveLength(2);
  });
});

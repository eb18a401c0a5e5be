import { demoCatalogue } from '@servicehall/fixtures';
import { maskPhone, smsTemplateContent, type DeliveryPolicy } from '@servicehall/notify';
import { TencentSmsStandIn } from '@servicehall/notify/testing';
import type { Answer, Hello } from '@servicehall/protocol';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { SCHEMA_VERSION } from './db';
import { epochProof } from './fencing';
import { HallTokenTerminals } from './enrolment';
import { DATABASE_FILE, HubRefusal, KEY_FILE } from './files';
import { RUNNING_MARKER } from './integrity';
import { createLogger, useLogger } from './log';
import { SESSION_MS } from './phones';
import { copyFromPeer, MAX_MESSAGE_BEFORE_FOLLOW_BYTES, peerStatus, promotedText, promoteLocal, SERVED_KEPT_FOR_MS } from './replication';
import { ANSWER_RETENTION_MS } from './retention';
import { startHub, type HubOptions, type RunningHub } from './server';
import { freePort } from './testing/hub-process';
import { TestConsole } from './testing/console';
import { TestTerminal } from './testing/terminal';
import { frameHead } from './testing/frames';

const TOKEN = 'hall-token-for-the-standby-tests';
const hubs: RunningHub[] = [];
const terminals: TestTerminal[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const t of terminals.splice(0)) t.close();
  for (const h of hubs.splice(0).reverse()) await h.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-standby-'));
  dirs.push(d);
  return d;
}

/** `both`: the options both hubs of the hall start with (a hall configures its two alike). */
async function primaryAndStandby(options: { promoteAfterMs?: number; semiSyncTimeoutMs?: number; primaryKnowsStandby?: boolean; both?: Partial<HubOptions> } = {}) {
  const primaryDir = tempDir();
  const standbyPort = await freePort();
  const peerOfPrimary = options.primaryKnowsStandby ? { peer: { url: `http://127.0.0.1:${standbyPort}`, token: TOKEN } } : {};
  const primary = await startHub({ dataDir: primaryDir, token: TOKEN, seed: demoCatalogue({ allDay: true }), ...options.both, ...peerOfPrimary });
  hubs.push(primary);
  const standbyDir = tempDir();
  // The installer copies the hall key to the standby: the copy of the database is sealed with it.
  fs.copyFileSync(path.join(primaryDir, KEY_FILE), path.join(standbyDir, KEY_FILE));
  const { primaryKnowsStandby: _, both, ...standbyOptions } = options;
  const standby = await startHub({ dataDir: standbyDir, port: standbyPort, token: TOKEN, peer: { url: primary.url, token: TOKEN }, standby: true, ...both, ...standbyOptions });
  hubs.push(standby);
  await expect.poll(() => primary.replication.status().standby, { timeout: 5000 }).toBe('in-step');
  return { primary, standby, primaryDir, standbyDir, standbyUrl: `http://127.0.0.1:${standbyPort}` };
}

/** What the hello of a terminal given both hubs' addresses says (HallClient with standbyUrls): refused at one, it tries the other before it comes back. */
const BOTH_HUBS = { triesOtherHubs: true } as const;

/** `more`: BOTH_HUBS for a terminal that knows the standby too (by default one of a release that does not say). */
async function kiosk(hub: RunningHub, name = 'kiosk-1', more: Partial<Hello> = {}): Promise<TestTerminal> {
  const t = await TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: name, token: TOKEN, ...more });
  terminals.push(t);
  return t;
}

/**
 * A terminal comes to `hub` looking for the hub in charge, as one does whose hub is gone (refused by a
 * hub that follows): its first word back. By default it knows both hubs (`more`: {} for one that knows
 * only this hub's address).
 */
async function lookFor(hub: RunningHub, name = 'kiosk-1', more: Partial<Hello> = BOTH_HUBS): Promise<string> {
  const t = await TestTerminal.open(hub.wsUrl);
  terminals.push(t);
  const said = t.next((m) => m.type === 'error' || m.type === 'welcome');
  t.send({ type: 'hello', protocol: 1, role: 'kiosk', terminal: name, token: TOKEN, ...more });
  const m = await said;
  t.close();
  return m.type === 'error' ? m.code : m.type;
}

/** Whether `hub` is in charge; if not, a terminal that cannot reach the other hub comes looking once more. */
async function inChargeOnceLookedFor(hub: RunningHub): Promise<boolean> {
  if (!hub.store.role.inCharge) await lookFor(hub);
  return hub.store.role.inCharge;
}

/**
 * A primary and its standby (taking charge after 0.6 s of silence) linked through the cable between
 * their PCs, which a test can pull out and plug in again. `before`: done at the primary before the
 * standby first follows it.
 */
async function pairOnCable(options: { before?: (primary: RunningHub) => Promise<unknown> } = {}) {
  const primaryDir = tempDir();
  const primary = await startHub({ dataDir: primaryDir, token: TOKEN, seed: demoCatalogue({ allDay: true }) });
  hubs.push(primary);
  await options.before?.(primary);
  let cut = false;
  const wires = new Set<net.Socket>();
  const server = net.createServer((c) => {
    if (cut) return void c.destroy();
    const to = net.connect(Number(new URL(primary.url).port), '127.0.0.1');
    for (const s of [c, to]) {
      wires.add(s);
      s.on('error', () => undefined).on('close', () => (c.destroy(), to.destroy()));
    }
    c.pipe(to).pipe(c);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const standbyDir = tempDir();
  fs.copyFileSync(path.join(primaryDir, KEY_FILE), path.join(standbyDir, KEY_FILE));
  const peer = { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, token: TOKEN };
  const standby = await startHub({ dataDir: standbyDir, token: TOKEN, peer, standby: true, promoteAfterMs: 600 });
  hubs.push(standby);
  await expect.poll(() => primary.replication.status().standby, { timeout: 5000 }).toBe('in-step');
  const cable = {
    cut: () => {
      cut = true;
      for (const w of wires) w.destroy();
    },
    mend: () => void (cut = false),
  };
  /** The standby's PC restarts (the cable as it is): a new hub on its data folder. `meanwhile`: done to its database while it is stopped. */
  const restartStandby = async (meanwhile?: (db: Database.Database) => void) => {
    hubs.splice(hubs.indexOf(standby), 1);
    await standby.close();
    if (meanwhile) {
      const file = new Database(path.join(standbyDir, DATABASE_FILE));
      meanwhile(file);
      file.close();
    }
    const again = await startHub({ dataDir: standbyDir, token: TOKEN, peer, standby: true, promoteAfterMs: 600 });
    hubs.push(again);
    return again;
  };
  return { primary, standby, cable, restartStandby };
}

/** Well past the standby's 0.6 s of its leader's silence (or it took charge: the test's next check says so). */
const pastSilenceOf = (standby: RunningHub) =>
  expect.poll(() => (standby.store.role.inCharge ? Number.POSITIVE_INFINITY : standby.replication.status().lagSeconds), { timeout: 10_000 }).toBeGreaterThan(1.5);

/** The hub's log lines from now to the test's end. */
function captureLog(): string[] {
  const logged: string[] = [];
  onTestFinished(useLogger(createLogger({ destination: { write: (line: string) => void logged.push(line) } })));
  return logged;
}

const issue = (t: TestTerminal, id?: string) => t.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, id);

describe('a standby hub', () => {
  it('holds every event and answer of the primary by the time the primary answers (semi-synchronous)', async () => {
    const { primary, standby } = await primaryAndStandby();
    expect(standby.store.role.inCharge).toBe(false);
    const k = await kiosk(primary);
    const answers: Answer[] = [];
    for (let i = 0; i < 20; i++) {
      const a = await issue(k, `press-${String(i).padStart(4, '0')}`);
      // Answered: the standby holds it already.
      expect(a.ok && standby.store.seq >= a.seq).toBe(true);
      answers.push(a);
    }
    expect(standby.store.seq).toBe(primary.store.seq);
    expect([...standby.store.view.tickets.values()].map((t) => t.number).sort()).toEqual([...primary.store.view.tickets.values()].map((t) => t.number).sort());
    // The command answers came too: the standby answers a repeat with the first answer.
    expect(standby.store.answerOf('kiosk-1', 'press-0003')).toEqual(answers[3]);
    expect(primary.replication.status()).toMatchObject({ part: 'primary', standby: 'in-step', lagEvents: 0 });
    // And the reports' figures, made from the same events: a standby that takes charge reports the hall as it was.
    const facts = (hub: RunningHub) => {
      // (Written about once a second, and before any report: now.)
      hub.store.writeFacts();
      return (hub.store as unknown as { db: import('./db').Db }).db.prepare('SELECT * FROM report_item_hours ORDER BY day, hour, service_code').all();
    };
    expect(facts(primary)).toHaveLength(1);
    expect(facts(standby)).toEqual(facts(primary));
  });

  it('is sent no answer before the events it names are on the primary’s disk: a retry at a standby that took charge is never "done" without its ticket', async () => {
    const { primary, standby } = await primaryAndStandby();
    const before = standby.store.seq;
    const command = { id: 'press-unflushed', type: 'issueTicket' as const, serviceCode: 'GA-SFZ-HL', lane: 'ordinary' as const };
    // Committed to the log, its flush not ended: as the group commit leaves a batch while fdatasync runs.
    const [done] = primary.store.executeBatch([{ command, actor: { role: 'kiosk', terminal: 'kiosk-1' } }], 'later');
    expect(done!.answer.ok).toBe(true);
    const number = done!.answer.ok ? done!.answer.ticket?.number : undefined;
    expect(number).toMatch(/^[A-Z]\d{3}$/);
    // Beats go by, each sending the standby what it lacks: neither the ticket nor its answer yet.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(standby.store.seq).toBe(before);
    expect(standby.store.answerOf('kiosk-1', 'press-unflushed')).toBeUndefined();
    // The flush ends: the events and the answer go together.
    primary.store.logFlushed(primary.store.seq);
    primary.store.tellFlushed();
    await expect.poll(() => standby.store.answerOf('kiosk-1', 'press-unflushed'), { timeout: 5000 }).toMatchObject({ ok: true, ticket: { number } });
    expect(standby.store.seq).toBe(primary.store.seq);
  });

  it('refuses terminals and commands while it follows, and the promoted one takes commands with the next epoch', async () => {
    const { primary, standby } = await primaryAndStandby();
    const refused = await TestTerminal.open(standby.wsUrl);
    terminals.push(refused);
    const said = refused.next((m) => m.type === 'error');
    refused.send({ type: 'hello', protocol: 1, role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    expect(await said).toMatchObject({ type: 'error', code: 'not-in-charge' });
    const http = await fetch(`${standby.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) });
    expect(http.status).toBe(503);
    expect(await http.json()).toMatchObject({ code: 'not-in-charge' });

    const k = await kiosk(primary);
    const first = await issue(k, 'press-before');
    await primary.close();
    const res = await fetch(`${standby.url}/replication/promote`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await res.json()).toMatchObject({ ok: true, epoch: 2 });
    const moved = await kiosk(standby, 'kiosk-1');
    // The same press sent again to the new primary gets its first answer; a new one continues the numbers.
    expect(await issue(moved, 'press-before')).toEqual(first);
    const next = await issue(moved, 'press-after');
    expect(next.ok && first.ok && next.ticket!.number).not.toBe(first.ok && first.ticket!.number);
    expect(standby.store.eventRowsSince(next.ok ? next.seq - 1 : 0, 1)[0]!.epoch).toBe(2);
  });

  it('takes charge by itself after its leader has been silent for the configured time', async () => {
    const { primary, standby } = await primaryAndStandby({ promoteAfterMs: 600 });
    const k = await kiosk(primary);
    expect((await issue(k)).ok).toBe(true);
    await primary.close();
    await expect.poll(() => inChargeOnceLookedFor(standby), { timeout: 5000 }).toBe(true);
    expect(standby.store.role.epoch).toBe(2);
    expect((await issue(await kiosk(standby))).ok).toBe(true);
  });

  it('takes charge after its leader’s silence even when its PC’s clock was just set back an hour', async () => {
    const { primary, standby } = await primaryAndStandby({ promoteAfterMs: 600 });
    const k = await kiosk(primary);
    expect((await issue(k)).ok).toBe(true);
    // NTP corrects a clock that ran an hour fast (both hubs of the test share the process's clock).
    const wall = Date.now.bind(Date);
    const setBack = vi.spyOn(Date, 'now').mockImplementation(() => wall() - 3_600_000);
    try {
      await primary.close();
      await expect.poll(() => inChargeOnceLookedFor(standby), { timeout: 10_000 }).toBe(true);
    } finally {
      setBack.mockRestore();
    }
    expect((await issue(await kiosk(standby))).ok).toBe(true);
  });

  it('does not take charge while the link between the hubs is cut and the primary still serves the terminals; catches up once it is mended, and takes charge once the terminals lose the primary too', async () => {
    const { primary, standby, cable } = await pairOnCable();
    const k = await kiosk(primary);
    expect((await issue(k)).ok).toBe(true);
    const logged = captureLog();

    cable.cut();
    // A terminal that starts with the standby's address first is refused there and goes on to the primary: once is no sign of a lost primary.
    expect(await lookFor(standby, 'kiosk-2')).toBe('not-in-charge');
    const during: Answer[] = [];
    for (let i = 0; i < 8; i++) {
      during.push(await issue(k));
      await new Promise((r) => setTimeout(r, 250));
    }
    // Well past its 0.6 s of the primary's silence: one hub in charge, the one the terminals reach.
    expect(during.every((a) => a.ok)).toBe(true);
    expect(standby.store.role).toMatchObject({ inCharge: false, epoch: 1 });
    expect(primary.store.role).toMatchObject({ inCharge: true, epoch: 1 });
    // The operator reads why, Chinese first, once.
    const said = logged.map((l) => JSON.parse(l) as { msg: string }).filter((r) => r.msg.includes('npm run hub -- promote'));
    expect(said).toHaveLength(1);
    expect(said[0]!.msg.split('\n')[0]).toContain('但没有终端来本主机找当前主机');
    expect(said[0]!.msg.split('\n')[1]).toContain('no terminal came here looking for the hub in charge');

    // The cable back: the standby catches up with what the primary gave alone.
    cable.mend();
    await expect.poll(() => primary.replication.status().standby, { timeout: 10_000 }).toBe('in-step');
    await expect.poll(() => standby.store.seq, { timeout: 5000 }).toBe(primary.store.seq);
    // Then the primary's PC dies: its kiosk comes looking, tries the primary again in vain, and comes back.
    k.close();
    await primary.close();
    hubs.splice(hubs.indexOf(primary), 1);
    expect(await lookFor(standby)).toBe('not-in-charge');
    await expect.poll(() => standby.replication.status().lagSeconds, { timeout: 10_000 }).toBeGreaterThan(1.2);
    expect(standby.store.role.inCharge).toBe(false);
    // Its second look makes the standby take charge, and it is served there and then (not sent round to the dead hub again), with every ticket.
    expect(await lookFor(standby)).toBe('welcome');
    expect(standby.store.role.epoch).toBe(2);
    for (const a of during) expect(a.ok && standby.store.view.tickets.get(a.ticket!.id)?.number).toBe(a.ok && a.ticket!.number);
  });

  it('in a cut between the hubs, takes charge only once more than half of the terminals the primary served come looking: not for 1 or 3 of 6, for 4', async () => {
    // Three terminals linked before the standby first follows (its follow tells it of them), three after (the beats do).
    const { primary, standby, cable } = await pairOnCable({ before: async (p) => { for (const n of [1, 2, 3]) await kiosk(p, `kiosk-${n}`, BOTH_HUBS); } });
    for (const n of [4, 5, 6]) await kiosk(primary, `kiosk-${n}`, BOTH_HUBS);
    // A terminal of an older release (it does not say it knows the standby) is not counted: it never comes to it.
    await kiosk(primary, 'kiosk-old');
    await expect.poll(() => standby.replication.status().leaderTerminals, { timeout: 5000 }).toBe(6);
    const logged = captureLog();
    const waiting = () => logged.map((l) => JSON.parse(l) as { msg: string }).filter((r) => r.msg.includes('未超过半数')).map((r) => r.msg.split('\n'));

    cable.cut();
    // One terminal whose own link to the primary fails: it comes twice, trying the primary between.
    for (let i = 0; i < 2; i++) expect(await lookFor(standby, 'kiosk-1')).toBe('not-in-charge');
    await pastSilenceOf(standby);
    expect(standby.store.role).toMatchObject({ inCharge: false, epoch: 1 });
    await expect.poll(() => waiting().length, { timeout: 5000 }).toBe(1);
    expect(waiting()[0]![0]).toContain('它最近服务的 6 台终端中，已有 1 台两次来本主机找当前主机');
    expect(waiting()[0]![1]).toContain('1 of the 6 terminals it served lately came here twice');

    for (const name of ['kiosk-2', 'kiosk-3', 'kiosk-2', 'kiosk-3']) expect(await lookFor(standby, name)).toBe('not-in-charge');
    // A terminal the primary did not say it served (switched on since, or off for a while) is no witness of the hall losing it.
    for (let i = 0; i < 2; i++) expect(await lookFor(standby, 'kiosk-9')).toBe('not-in-charge');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(standby.store.role).toMatchObject({ inCharge: false, epoch: 1 });
    expect(waiting().at(-1)![0]).toContain('6 台终端中，已有 3 台');
    expect(waiting().at(-1)![0]).toContain('须 4 台');
    expect(primary.store.role.inCharge).toBe(true);

    // The fourth: more than half of the hall's terminals cannot reach the primary, and the one that tipped it is served there and then.
    expect(await lookFor(standby, 'kiosk-4')).toBe('not-in-charge');
    expect(await lookFor(standby, 'kiosk-4')).toBe('welcome');
    expect(standby.store.role).toMatchObject({ inCharge: true, epoch: 2 });
    const why = logged.map((l) => JSON.parse(l) as { msg: string }).find((r) => r.msg.includes('本主机已接管大厅'))!.msg;
    expect(why).toContain('它最近服务的 6 台终端中有 4 台也连不上它');
  });

  /** A primary that served 6 terminals given both addresses, its standby told of them, and the cable between them cut. */
  async function cutAfterServing6() {
    const pair = await pairOnCable();
    for (const n of [1, 2, 3, 4, 5, 6]) await kiosk(pair.primary, `kiosk-${n}`, BOTH_HUBS);
    await expect.poll(() => pair.standby.replication.status().leaderTerminals, { timeout: 5000 }).toBe(6);
    pair.cable.cut();
    return pair;
  }

  it('restarted while the cable between the hubs is cut, still takes charge only once more than half of the 6 terminals the primary served come looking: not for 1 or 3, for 4', async () => {
    const { primary, restartStandby } = await cutAfterServing6();
    // The standby's PC reboots while the primary, out of its reach, serves the hall on.
    const standby = await restartStandby();
    expect(standby.replication.status()).toMatchObject({ part: 'follower', leaderLinked: false, leaderTerminals: 6 });
    await pastSilenceOf(standby);
    // One terminal whose own link to the primary fails (or a stolen credential) is not the hall losing it.
    for (let i = 0; i < 3; i++) expect(await lookFor(standby, 'kiosk-1')).toBe('not-in-charge');
    for (const name of ['kiosk-2', 'kiosk-3', 'kiosk-2', 'kiosk-3']) expect(await lookFor(standby, name)).toBe('not-in-charge');
    await new Promise((r) => setTimeout(r, 500));
    expect(standby.store.role).toMatchObject({ inCharge: false, epoch: 1 });
    expect(primary.store.role.inCharge).toBe(true);
    expect(await lookFor(standby, 'kiosk-4')).toBe('not-in-charge');
    expect(await lookFor(standby, 'kiosk-4')).toBe('welcome');
    expect(standby.store.role).toMatchObject({ inCharge: true, epoch: 2 });
  });

  /** The list of the primary's terminals the standby kept, changed while its PC is off. */
  const keptList = (change: (kept: { epoch: number; at: number }) => object) => (db: Database.Database) => {
    const row = db.prepare("SELECT value FROM hall WHERE key = 'served_terminals'").get() as { value: string };
    const kept = JSON.parse(row.value) as { epoch: number; at: number; terminals: string[] };
    expect(kept.terminals).toHaveLength(6);
    db.prepare("UPDATE hall SET value = ? WHERE key = 'served_terminals'").run(JSON.stringify({ ...kept, ...change(kept) }));
  };
  it.each([
    ['told more than a day before it restarts', keptList((kept) => ({ at: kept.at - SERVED_KEPT_FOR_MS - 60_000 }))],
    ['told by the leader of another epoch (before a failover)', keptList((kept) => ({ epoch: kept.epoch - 1 }))],
  ])('restarted in a cut, with the list of terminals %s, takes charge on the first terminal’s two looks', async (_, meanwhile) => {
    const { restartStandby } = await cutAfterServing6();
    const standby = await restartStandby(meanwhile);
    await pastSilenceOf(standby);
    expect(await lookFor(standby, 'kiosk-1')).toBe('not-in-charge');
    expect(await lookFor(standby, 'kiosk-1')).toBe('welcome');
    expect(standby.store.role).toMatchObject({ inCharge: true, epoch: 2 });
  });

  it('in a cut between the hubs, takes charge on the first terminal that comes twice when the primary served none (a hall at night)', async () => {
    const { primary, standby, cable } = await pairOnCable();
    // Off for the night, but for one terminal of an older release, which does not count (it never comes to the standby).
    await kiosk(primary, 'kiosk-old');
    await expect.poll(() => standby.replication.status().leaderTerminals, { timeout: 5000 }).toBe(0);
    cable.cut();
    await pastSilenceOf(standby);
    expect(await lookFor(standby, 'kiosk-1')).toBe('not-in-charge');
    expect(await lookFor(standby, 'kiosk-1')).toBe('welcome');
    expect(standby.store.role).toMatchObject({ inCharge: true, epoch: 2 });
  });

  it('counts no look of a terminal that knows only its own address: it never tried the primary between', async () => {
    const { standby, cable } = await pairOnCable();
    const logged = captureLog();
    cable.cut();
    await pastSilenceOf(standby);
    for (let i = 0; i < 4; i++) expect(await lookFor(standby, 'kiosk-1', {})).toBe('not-in-charge');
    await new Promise((r) => setTimeout(r, 500));
    expect(standby.store.role.inCharge).toBe(false);
    // Said once, with what to do.
    const said = logged.map((l) => JSON.parse(l) as { msg: string }).filter((r) => r.msg.includes('只配置了一台主机的地址'));
    expect(said).toHaveLength(1);
    expect(said[0]!.msg).toContain('standbyHubUrls');
  });

  it('takes charge on one terminal as before when its primary, of an older release, does not say which terminals it serves', async () => {
    const { primary, standby } = await primaryAndStandby({ promoteAfterMs: 600 });
    for (const n of [1, 2, 3, 4, 5, 6]) await kiosk(primary, `kiosk-${n}`, BOTH_HUBS);
    await expect.poll(() => standby.replication.status().leaderTerminals, { timeout: 5000 }).toBe(6);
    // The primary is restarted on the older release (same schema), which follows without a word of its terminals, then its PC dies.
    const port = Number(new URL(primary.url).port);
    const { epoch, lineage } = primary.store.role;
    await primary.close();
    hubs.splice(hubs.indexOf(primary), 1);
    const older = new WebSocketServer({ port, host: '127.0.0.1', path: '/replication' });
    older.on('connection', (ws) => ws.on('message', () => ws.send(JSON.stringify({ type: 'following', epoch, lineage, seq: standby.store.seq, schema: SCHEMA_VERSION }))));
    try {
      await expect.poll(() => standby.replication.status().leaderLinked, { timeout: 5000 }).toBe(true);
      expect(standby.replication.status().leaderTerminals).toBeUndefined();
    } finally {
      for (const c of older.clients) c.terminate();
      await new Promise((r) => older.close(r));
    }
    await pastSilenceOf(standby);
    expect(await lookFor(standby, 'kiosk-1')).toBe('not-in-charge');
    expect(await lookFor(standby, 'kiosk-1')).toBe('welcome');
  });

  it('starts in charge, its peer out of reach, when no standby has ever followed it (its first start before the standby is installed)', async () => {
    const logged = captureLog();
    const peer = `http://127.0.0.1:${await freePort()}`;
    const hub = await startHub({ dataDir: tempDir(), token: TOKEN, seed: demoCatalogue({ allDay: true }), peer: { url: peer, token: TOKEN } });
    hubs.push(hub);
    expect(hub.store.role.inCharge).toBe(true);
    expect(logged.map((l) => (JSON.parse(l) as { msg: string }).msg).find((m) => m.includes(peer))).toContain('本主机作为当前主机启动（还没有备用主机跟随过本主机）');
    expect((await issue(await kiosk(hub))).ok).toBe(true);
  });

  /** The list of terminals served a hub keeps in its hall table, or undefined. */
  const servedKept = (db: Database.Database) =>
    (db.prepare("SELECT value FROM hall WHERE key = 'served_terminals'").get() as { value: string } | undefined)?.value;

  /**
   * A primary its standby followed, both stopped, the primary started again with the standby out of reach (its PC died, or the link between them is cut).
   * `served`: terminals given both addresses it served before it stopped; `meanwhile`: done to its database while it is stopped.
   */
  async function heldPrimary(options: { served?: string[]; meanwhile?: (db: Database.Database) => void } = {}) {
    const pair = await primaryAndStandby({ primaryKnowsStandby: true });
    const k = await kiosk(pair.primary);
    const before = await issue(k);
    expect(before.ok).toBe(true);
    terminals.splice(terminals.indexOf(k), 1)[0]!.close();
    const served = options.served ?? [];
    for (const name of served) await kiosk(pair.primary, name, BOTH_HUBS);
    const db = (pair.primary.store as unknown as { db: Database.Database }).db;
    await expect.poll(() => (JSON.parse(servedKept(db) ?? '{}') as { terminals?: string[] }).terminals, { timeout: 5000 }).toEqual(served);
    for (const t of terminals.splice(0)) t.close();
    for (const h of [pair.standby, pair.primary]) {
      hubs.splice(hubs.indexOf(h), 1);
      await h.close();
    }
    if (options.meanwhile) {
      const file = new Database(path.join(pair.primaryDir, DATABASE_FILE));
      options.meanwhile(file);
      file.close();
    }
    const hub = await startHub({ dataDir: pair.primaryDir, token: TOKEN, peer: { url: pair.standbyUrl, token: TOKEN } });
    hubs.push(hub);
    return { ...pair, hub };
  }

  it('holds, started again while the standby that followed it is out of reach: no command until a terminal has come twice looking for the hub in charge, and says why', async () => {
    const logged = captureLog();
    const said = (words: string) => logged.map((l) => JSON.parse(l) as { msg: string }).find((r) => r.msg.includes(words))?.msg.split('\n');
    const { hub } = await heldPrimary();
    // The standby may have taken charge while this hub was down: taking commands now would give its numbers again.
    expect(hub.store.role.inCharge).toBe(false);
    expect(hub.replication.status()).toMatchObject({ part: 'primary', held: true });
    const [zh, en] = said('本主机暂不接受命令')!;
    expect(zh).toContain('以免两台主机同时给出重复的号码');
    expect(en).toContain('This hub takes no command yet');
    const http = await fetch(`${hub.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) });
    expect(http.status).toBe(503);
    // A terminal comes, is sent to the other hub, cannot reach it either, and comes back: this hub takes charge, at its own epoch.
    expect(await lookFor(hub)).toBe('not-in-charge');
    expect(hub.store.role.inCharge).toBe(false);
    expect(await lookFor(hub)).toBe('welcome');
    expect(hub.store.role.inCharge).toBe(true);
    expect(hub.store.role.epoch).toBe(1);
    expect(said('本主机接管大厅')![0]).toBe('本主机接管大厅（接管编号 epoch 1）：终端 kiosk-1 两次来本主机找当前主机，其间也连不上另一台主机。');
    const next = await issue(await kiosk(hub));
    expect(next.ok && next.ticket!.number).toBe('A002');
  });

  it('held, counts no look of a terminal given only its address: it never tried the standby between, however often it comes', async () => {
    const { hub } = await heldPrimary();
    for (let i = 0; i < 5; i++) expect(await lookFor(hub, 'kiosk-1', {})).toBe('not-in-charge');
    expect(hub.store.role).toMatchObject({ held: true, inCharge: false });
    // One that knows both hubs, failing to reach the standby between its two looks, releases it as before.
    expect(await lookFor(hub, 'kiosk-2')).toBe('not-in-charge');
    expect(await lookFor(hub, 'kiosk-2')).toBe('welcome');
    expect(hub.store.role.inCharge).toBe(true);
  });

  it('held, after serving 6 terminals, takes charge only once more than half of them come looking: not for 1 or 3 of 6, for 4', async () => {
    const logged = captureLog();
    const waiting = () => logged.map((l) => JSON.parse(l) as { msg: string }).filter((r) => r.msg.includes('本主机停止前服务的') && r.msg.includes('未超过半数')).map((r) => r.msg.split('\n'));
    const { hub } = await heldPrimary({ served: ['kiosk-1', 'kiosk-2', 'kiosk-3', 'kiosk-4', 'kiosk-5', 'kiosk-6'] });
    expect(hub.store.role.held).toBe(true);
    // One terminal (a flaky link to the standby, or a stolen credential) comes twice, trying the standby between.
    for (let i = 0; i < 3; i++) expect(await lookFor(hub, 'kiosk-1')).toBe('not-in-charge');
    expect(hub.store.role).toMatchObject({ held: true, inCharge: false });
    expect(waiting().at(-1)![0]).toContain('本主机停止前服务的 6 台终端中，已有 1 台两次来本主机找当前主机');
    expect(waiting().at(-1)![1]).toContain('1 of the 6 terminals it served before it stopped came here twice');
    for (const name of ['kiosk-2', 'kiosk-3', 'kiosk-2', 'kiosk-3']) expect(await lookFor(hub, name)).toBe('not-in-charge');
    // One it did not serve before it stopped is no witness.
    for (let i = 0; i < 2; i++) expect(await lookFor(hub, 'kiosk-9')).toBe('not-in-charge');
    expect(hub.store.role).toMatchObject({ held: true, inCharge: false });
    expect(waiting().at(-1)![0]).toContain('6 台终端中，已有 3 台');
    expect(waiting().at(-1)![0]).toContain('须 4 台');
    // Said at each new count, not at each look.
    expect(waiting().map((w) => w[0]!.match(/已有 (\d) 台/)![1])).toEqual(['0', '1', '2', '3']);
    expect(await lookFor(hub, 'kiosk-4')).toBe('not-in-charge');
    expect(await lookFor(hub, 'kiosk-4')).toBe('welcome');
    expect(hub.store.role).toMatchObject({ inCharge: true, epoch: 1 });
    const why = logged.map((l) => JSON.parse(l) as { msg: string }).find((r) => r.msg.includes('本主机接管大厅'))!.msg;
    expect(why).toContain('本主机停止前服务的 6 台终端中有 4 台两次来本主机找当前主机');
  });

  it.each([
    ['with no list kept (a database of a release before it)', (db: Database.Database) => void db.prepare("DELETE FROM hall WHERE key = 'served_terminals'").run()],
    [
      'with its list kept more than a day ago (its PC was off for a week)',
      (db: Database.Database) => {
        const kept = JSON.parse(servedKept(db)!) as { at: number };
        db.prepare("UPDATE hall SET value = ? WHERE key = 'served_terminals'").run(JSON.stringify({ ...kept, at: kept.at - SERVED_KEPT_FOR_MS - 60_000 }));
      },
    ],
    ['with its list broken on disk (not JSON: the hub starts all the same)', (db: Database.Database) => void db.prepare("UPDATE hall SET value = '{\"epoch\":1,' WHERE key = 'served_terminals'").run()],
  ])('held, %s, takes charge on the first terminal’s two looks', async (_, meanwhile) => {
    const { hub } = await heldPrimary({ served: ['kiosk-1', 'kiosk-2', 'kiosk-3', 'kiosk-4', 'kiosk-5', 'kiosk-6'], meanwhile });
    expect(hub.store.role.held).toBe(true);
    expect(await lookFor(hub, 'kiosk-1')).toBe('not-in-charge');
    expect(await lookFor(hub, 'kiosk-1')).toBe('welcome');
    expect(hub.store.role).toMatchObject({ inCharge: true, epoch: 1 });
  });

  it('keeps the list of terminals it serves on disk only when it changes, not at every beat', async () => {
    const hub = await startHub({ dataDir: tempDir(), token: TOKEN, seed: demoCatalogue({ allDay: true }) });
    hubs.push(hub);
    await kiosk(hub, 'kiosk-1', BOTH_HUBS);
    const db = (hub.store as unknown as { db: Database.Database }).db;
    await expect.poll(() => servedKept(db), { timeout: 5000 }).toContain('kiosk-1');
    const first = servedKept(db);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(servedKept(db)).toBe(first);
    await kiosk(hub, 'kiosk-2', BOTH_HUBS);
    await expect.poll(() => servedKept(db), { timeout: 5000 }).toContain('kiosk-2');
  });

  it('held, takes charge as soon as its standby is back and follows it', async () => {
    const { hub, standbyDir, standbyUrl } = await heldPrimary();
    expect(hub.store.role.held).toBe(true);
    const standby = await startHub({ dataDir: standbyDir, port: Number(new URL(standbyUrl).port), token: TOKEN, peer: { url: hub.url, token: TOKEN }, standby: true });
    hubs.push(standby);
    await expect.poll(() => hub.store.role.inCharge, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => hub.replication.status().standby, { timeout: 5000 }).toBe('in-step');
    expect(standby.store.role.inCharge).toBe(false);
    expect((await issue(await kiosk(hub))).ok).toBe(true);
  });

  it('held, follows its peer once it answers in charge with a higher epoch (the standby took over while this hub was down)', async () => {
    const { hub, standbyDir, standbyUrl } = await heldPrimary();
    // Meanwhile the standby had taken charge (epoch 2) and given numbers of its own; it is reachable again now.
    const standby = await startHub({ dataDir: standbyDir, port: Number(new URL(standbyUrl).port), token: TOKEN, peer: { url: `http://127.0.0.1:${await freePort()}`, token: TOKEN } });
    hubs.push(standby);
    expect(standby.replication.promote('the test')).toBe(2);
    await expect.poll(() => hub.store.role.epoch, { timeout: 10_000 }).toBe(2);
    expect(hub.store.role.inCharge).toBe(false);
    expect(hub.store.role.held).toBe(false);
    expect(await lookFor(hub)).toBe('not-in-charge');
  });

  it('answers without a standby that stopped acknowledging, and says so', async () => {
    const { primary, standby } = await primaryAndStandby({ semiSyncTimeoutMs: 200 });
    const k = await kiosk(primary);
    expect((await issue(k)).ok).toBe(true);
    // The standby's process freezes (a stopped VM, a hung disk): its link stays open but nothing comes back.
    const link = (standby.replication as unknown as { follower: { ws: import('ws').WebSocket } }).follower.ws;
    link.pause();
    const started = performance.now();
    const a = await issue(k);
    expect(a.ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(primary.replication.status().standby).toBe('behind');
    const quick = performance.now();
    expect((await issue(k)).ok).toBe(true);
    // Behind: not waited for again until it catches up.
    expect(performance.now() - quick).toBeLessThan(150);
    link.resume();
    await expect.poll(() => primary.replication.status().standby, { timeout: 5000 }).toBe('in-step');
  });

  it('steps a live primary down when its standby takes charge, and acknowledges nothing the new primary lacks', async () => {
    const { primary, standby } = await primaryAndStandby({ primaryKnowsStandby: true });
    const k = await kiosk(primary);
    expect((await issue(k, 'press-before')).ok).toBe(true);
    // The standby is promoted while the primary lives (its silence was a loaded PC's, say).
    const promoted = await fetch(`${standby.url}/replication/promote`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(promoted.status).toBe(200);
    await expect.poll(() => primary.store.role.inCharge, { timeout: 5000 }).toBe(false);
    expect(primary.store.role.epoch).toBe(2);
    const http = await fetch(`${primary.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) });
    expect(http.status).toBe(503);
    // Every ticket the old primary acknowledged is at the new one.
    for (const t of primary.store.view.tickets.values()) expect(standby.store.view.tickets.get(t.id)?.number).toBe(t.number);
  });

  it('copies a returning primary again when it holds events the new primary never got, keeping its own aside', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const [dirA, dirB] = [tempDir(), tempDir()];
    const a = await startHub({ dataDir: dirA, port: portA, token: TOKEN, seed: demoCatalogue({ allDay: true }), peer: { url: `http://127.0.0.1:${portB}`, token: TOKEN } });
    fs.copyFileSync(path.join(dirA, KEY_FILE), path.join(dirB, KEY_FILE));
    let b = await startHub({ dataDir: dirB, port: portB, token: TOKEN, peer: { url: a.url, token: TOKEN }, standby: true });
    hubs.push(b);
    await expect.poll(() => a.replication.status().standby, { timeout: 5000 }).toBe('in-step');
    const k = await kiosk(a);
    expect((await issue(k)).ok).toBe(true);
    // The standby's PC goes down; the primary goes on alone and issues what the standby never gets.
    await b.close();
    hubs.splice(hubs.indexOf(b), 1);
    const alone = await issue(k);
    expect(alone.ok).toBe(true);
    k.close();
    await a.close();
    // Then the primary's PC dies too; the standby comes back first and is promoted by hand.
    b = await startHub({ dataDir: dirB, port: portB, token: TOKEN, peer: { url: a.url, token: TOKEN }, standby: true });
    hubs.push(b);
    expect(b.replication.promote('the test')).toBe(2);
    const onB = await issue(await kiosk(b));
    expect(onB.ok).toBe(true);
    // The old primary returns: it learns of epoch 2, and its log has parted from the new primary's.
    let why: string | undefined;
    const back = await startHub({ dataDir: dirA, port: portA, token: TOKEN, peer: { url: b.url, token: TOKEN }, onRebuild: (w) => (why = w) });
    expect(back.store.role.inCharge).toBe(false);
    await expect.poll(() => why, { timeout: 5000 }).toBeDefined();
    await back.close();
    const copied = await copyFromPeer({ url: b.url, token: TOKEN }, dirA);
    expect(copied.keptAs).toMatch(/hall\.db\.parted-/);
    expect(fs.existsSync(copied.keptAs!)).toBe(true);
    const again = await startHub({ dataDir: dirA, port: portA, token: TOKEN, peer: { url: b.url, token: TOKEN } });
    hubs.push(again);
    await expect.poll(() => b.replication.status().standby, { timeout: 5000 }).toBe('in-step');
    expect(again.store.role).toMatchObject({ inCharge: false, epoch: 2 });
    expect(again.store.seq).toBe(b.store.seq);
    // The ticket only the old primary had is not in the hall's log: its number went again to the new primary's press.
    expect(onB.ok && alone.ok && onB.ticket!.number).toBe(alone.ok && alone.ticket!.number);
    expect([...again.store.view.tickets.values()].map((t) => t.number)).toEqual([...b.store.view.tickets.values()].map((t) => t.number));
  });

  it('fences a primary that hears of a higher epoch from a terminal: it steps down and refuses commands', async () => {
    const primary = await startHub({ dataDir: tempDir(), token: TOKEN, seed: demoCatalogue({ allDay: true }) });
    hubs.push(primary);
    const k = await kiosk(primary);
    expect((await issue(k)).ok).toBe(true);
    const logged: string[] = [];
    const restoreLog = useLogger(createLogger({ destination: { write: (line: string) => void logged.push(line) } }));
    onTestFinished(restoreLog);
    const fenced = k.next((m) => m.type === 'answer' || m.type === 'error');
    // The terminal carries the epoch with the proof the hub that took charge gave it.
    k.send({ type: 'command', command: { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary', id: 'after-failover' }, epoch: 2, epochProof: epochProof(TOKEN, 2) });
    expect(await fenced).toMatchObject({ code: 'not-in-charge' });
    expect(primary.store.role.inCharge).toBe(false);
    expect(primary.store.role.epoch).toBe(2);
    expect(primary.store.answerOf('kiosk-1', 'after-failover')).toBeUndefined();
    // The operator's log says who told it, Chinese first: the Chinese line names no one in English.
    const [line] = logged.map((l) => JSON.parse(l) as { msg: string; from: string }).filter((r) => r.msg.includes('epoch 2'));
    expect(line!.msg.split('\n')[0]).toContain('告知者：终端 kiosk-1）');
    expect(line!.msg.split('\n')[1]).toContain('told by terminal kiosk-1');
    expect(line!.from).toBe('terminal kiosk-1');
  });

  /** A terminal's own credential, as the console's Terminals page gives it. */
  async function credential(hub: RunningHub, who: { role: string; terminal: string; window?: number }): Promise<string> {
    const res = await fetch(`${hub.url}/api/terminal-tokens`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(who) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  }

  it('is not fenced by an epoch a terminal claims without the proof the hub in charge gave with it: a stolen pad credential cannot stop the hall', async () => {
    const primary = await startHub({ dataDir: tempDir(), token: TOKEN, seed: demoCatalogue({ allDay: true }) });
    hubs.push(primary);
    const pad = await credential(primary, { role: 'rating-pad', terminal: 'pad-3', window: 3 });
    // A laptop with the pad's credential says hello, then sends a command, each with an epoch far above the hub's.
    const forged = await TestTerminal.connect(primary.wsUrl, { role: 'rating-pad', terminal: 'pad-3', window: 3, token: pad, epoch: 1_000_000 });
    terminals.push(forged);
    const answered = forged.next((m) => m.type === 'answer');
    forged.send({ type: 'command', command: { type: 'rate', window: 3, level: 'satisfied', aspects: {}, reasons: [], channel: 'window-pad', id: 'forged-1' }, epoch: 1_000_001, epochProof: 'A'.repeat(43) });
    await answered;
    expect(primary.store.role).toMatchObject({ inCharge: true, epoch: 1 });
    expect((await issue(await kiosk(primary))).ok).toBe(true);
  });

  it('is not fenced through its standby by an epoch a terminal claimed there: the standby keeps its own and follows on', async () => {
    const { primary, standby } = await primaryAndStandby();
    const k = await credential(primary, { role: 'kiosk', terminal: 'kiosk-7' });
    await expect.poll(() => standby.store.seq === primary.store.seq).toBe(true);
    // The standby holds the credential (terminal_credentials follow whole) and refuses the hello as not in charge.
    await expect.poll(() => lookFor(standby, 'kiosk-7', { token: k, epoch: 5_000 }), { timeout: 5000 }).toBe('not-in-charge');
    expect(standby.store.role.epoch).toBe(1);
    const k1 = await kiosk(primary);
    expect((await issue(k1)).ok).toBe(true);
    expect(primary.store.role).toMatchObject({ inCharge: true, epoch: 1 });
    expect(primary.replication.status().standby).toBe('in-step');
  });
});

describe('the terminals linked with the hall token itself, at a standby', () => {
  const dbOf = (hub: RunningHub) => (hub.store as unknown as { db: Database.Database }).db;
  it('are remembered there as at the hub in charge: a standby that takes charge knows those that dropped off', async () => {
    const { primary, standby } = await primaryAndStandby();
    const k = await kiosk(primary, 'kiosk-7');
    expect((await issue(k)).ok).toBe(true);
    k.close();
    await expect.poll(() => new HallTokenTerminals(dbOf(primary)).list(Date.now()).map((t) => t.terminal)).toEqual(['kiosk-7']);
    // A ticket after it: a batch, with the table that changed sent whole.
    expect((await issue(await kiosk(primary, 'kiosk-8'))).ok).toBe(true);
    await expect.poll(() => new HallTokenTerminals(dbOf(standby)).list(Date.now()).map((t) => t.terminal), { timeout: 5000 }).toEqual(['kiosk-7', 'kiosk-8']);
  });
});

describe('a primary whose disk refuses the list of terminals it serves', () => {
  it('goes on serving, says so once, and writes the list at the first beat the disk takes it: its beat never throws', async () => {
    const logged = captureLog();
    const pair = await primaryAndStandby({ primaryKnowsStandby: true });
    const db = (pair.primary.store as unknown as { db: Database.Database }).db;
    const served = () => (JSON.parse((db.prepare("SELECT value FROM hall WHERE key = 'served_terminals'").get() as { value: string } | undefined)?.value ?? '{}') as { terminals?: string[] }).terminals ?? [];
    // The disk full under the hub: the write of the list its beat keeps (every 200 ms while the list changes) fails.
    const statement = (pair.primary.replication as unknown as { st: { keepServed: { run: (value: string) => unknown } } }).st.keepServed;
    const run = statement.run.bind(statement);
    let refusing = true;
    statement.run = (value: string) => {
      if (refusing) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return run(value);
    };
    const k = await kiosk(pair.primary, 'kiosk-7', BOTH_HUBS);
    const notKept = () => logged.filter((l) => (JSON.parse(l) as { msg: string }).msg.includes('主机无法把它所服务的终端名单写入数据库（SQLITE_FULL）'));
    await expect.poll(notKept).toHaveLength(1);
    // Beats go on failing meanwhile: the hall is served, and the words are said once.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await issue(k)).ok).toBe(true);
    expect(notKept()).toHaveLength(1);
    expect(served()).not.toContain('kiosk-7');
    // The disk takes writes again: the list is written at the next beat.
    refusing = false;
    await expect.poll(served).toContain('kiosk-7');
  });
});

describe("the citizens' phones at a standby that takes charge", () => {
  const TENCENT = { secretId: 'AKIDstandbytest000000000000000000', secretKey: 'tencentSecretKeyForStandby000000', sdkAppId: '1400009999', signName: '滨江政务' };
  const TEMPLATES = { 'phone-code': '3001', 'ticket-near': '3002', 'ticket-called': '3003' };
  let now = 0;

  /** A primary and its standby on one clock (`now`), both sending SMS to one stand-in. `more`: other options of both hubs. */
  async function hallWithSms(delivery: Partial<DeliveryPolicy> = {}, more: Partial<HubOptions> = {}) {
    now = Date.parse('2026-11-27T09:00:00+08:00');
    const sms = await TencentSmsStandIn.start({ ...TENCENT, templates: Object.fromEntries(Object.entries(TEMPLATES).map(([kind, id]) => [id, smsTemplateContent(kind as keyof typeof TEMPLATES)])), clock: () => now });
    onTestFinished(() => sms.close());
    const both: Partial<HubOptions> = {
      ...more,
      clock: () => now,
      trustProxy: ['127.0.0.1'],
      notify: { channels: [{ id: 'sms', kind: 'tencent-sms', ...TENCENT, endpoint: sms.endpoint, templates: TEMPLATES }], delivery },
    };
    const pair = await primaryAndStandby({ both });
    /** The standby's PC restarted: it follows again, with what it held. */
    const restartStandby = async () => {
      await pair.standby.close();
      hubs.splice(hubs.indexOf(pair.standby), 1);
      const standby = await startHub({ dataDir: pair.standbyDir, port: Number(new URL(pair.standbyUrl).port), token: TOKEN, peer: { url: pair.primary.url, token: TOKEN }, standby: true, ...both });
      hubs.push(standby);
      await expect.poll(() => pair.primary.replication.status().standby, { timeout: 5000 }).toBe('in-step');
      return standby;
    };
    return { sms, restartStandby, both, ...pair };
  }
  const post = (hub: RunningHub, route: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${hub.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const admin = (hub: RunningHub, route: string, body: unknown = {}) => post(hub, route, body, { authorization: `Bearer ${TOKEN}` });
  /** The rows of the tables, as a standby must hold them. */
  const rowsOf = (hub: RunningHub, ...tables: string[]) => {
    const db = (hub.store as unknown as { db: import('./db').Db }).db;
    return tables.map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY changed`).all());
  };
  /** The notification outbox's rows, as a standby must hold them. */
  const outboxOf = (hub: RunningHub) => rowsOf(hub, 'notify_outbox')[0] as { key: string; state: string; attempts: number; recipient: string | null; notice: string }[];
  const codeSms = (sms: TencentSmsStandIn, phone: string) => sms.sent.filter((m) => m.phone === `+86${phone}` && m.templateId === TEMPLATES['phone-code']);
  /** The primary's PC dies; the standby is promoted. */
  async function failOver(primary: RunningHub, standby: RunningHub) {
    await primary.close();
    hubs.splice(hubs.indexOf(primary), 1);
    expect(standby.replication.promote('the test')).toBe(2);
  }
  /** A phone verified at `hub` by the code the SMS brought: its session. */
  async function verified(hub: RunningHub, sms: TencentSmsStandIn, phone: string): Promise<string> {
    const codes = () => sms.sent.filter((m) => m.phone === `+86${phone}` && m.templateId === TEMPLATES['phone-code']);
    expect((await post(hub, '/api/phone/code', { phone })).status).toBe(202);
    await expect.poll(() => codes().length, { timeout: 5000 }).toBe(1);
    const v = await post(hub, '/api/phone/verify', { phone, code: codes()[0]!.params[0] });
    expect(v.status).toBe(200);
    return ((await v.json()) as { session: string }).session;
  }

  it("verify there a code the primary sent, and keep the day's bounds of a number, an address and the hall", async () => {
    const { sms, primary, standby } = await hallWithSms();
    const c = demoCatalogue({ allDay: true });
    const rules = await fetch(`${primary.url}/api/catalogue`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...c, phone: { ...c.phone, codesPerPhonePerDay: 2, codesPerAddressPerDay: 3, codesPerDay: 4 } }),
    });
    expect(rules.status).toBe(200);
    const askCode = async (hub: RunningHub, phone: string, address: string) => {
      const res = await fetch(`${hub.url}/api/phone/code`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ phone }) });
      return { status: res.status, body: (await res.json()) as { code?: string } };
    };
    const codesTo = (phone: string) => sms.sent.filter((m) => m.phone === `+86${phone}`).map((m) => m.params[0]!);
    const sentTo = async (phone: string, n: number) => {
      await expect.poll(() => codesTo(phone).length, { timeout: 5000 }).toBe(n);
      return codesTo(phone).at(-1)!;
    };
    // A number's two codes of the day, a third number's from the same address, and a code of a fourth from elsewhere: the hall's 4.
    expect((await askCode(primary, '13800001111', '203.0.113.7')).status).toBe(202);
    await sentTo('13800001111', 1);
    now += 61_000;
    expect((await askCode(primary, '13900002222', '203.0.113.7')).status).toBe(202);
    expect((await askCode(primary, '13800001111', '203.0.113.7')).status).toBe(202);
    expect((await askCode(primary, '13700003333', '198.51.100.9')).status).toBe(202);
    const code = await sentTo('13800001111', 2);
    const tried = await sentTo('13900002222', 1);
    const verify = (hub: RunningHub, phone: string, code: string) =>
      fetch(`${hub.url}/api/phone/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone, code }) }).then((r) => r.status);
    // Five wrong tries at the primary spend the other number's code (a row changed in place, not a new one).
    for (let i = 0; i < 5; i++) expect(await verify(primary, '13900002222', tried === '000000' ? '000001' : '000000')).toBe(401);

    // Rows written outside a batch of commands reach the standby at the primary's next beat (a quarter of a second).
    const phoneRows = (hub: RunningHub) => rowsOf(hub, 'phone_codes', 'phone_code_addresses');
    expect(phoneRows(primary)[0]).toHaveLength(3);
    await expect.poll(() => phoneRows(standby), { timeout: 5000 }).toEqual(phoneRows(primary));

    await failOver(primary, standby);
    now += 61_000;
    // The code the citizen was just sent opens the phone at the new hub in charge.
    expect(await verify(standby, '13800001111', code)).toBe(200);
    // The one guessed at is spent there too, right as its code is.
    expect(await verify(standby, '13900002222', tried)).toBe(401);
    // And the day's bounds hold there: the number's 2, the address's 3, the hall's 4.
    expect(await askCode(standby, '13800001111', '192.0.2.1')).toMatchObject({ status: 429, body: { code: 'code-limit' } });
    expect(await askCode(standby, '13600004444', '203.0.113.7')).toMatchObject({ status: 429, body: { code: 'address-code-limit' } });
    expect(await askCode(standby, '13500005555', '192.0.2.1')).toMatchObject({ status: 503, body: { code: 'codes-spent' } });
  });

  it('send there, once, the code SMS the primary queued and could not send yet; not one whose code ran out meanwhile', async () => {
    const { sms, primary, standby } = await hallWithSms();
    const t0 = now;
    // The SMS gateway is in trouble (502): the primary's codes wait for its back-off.
    sms.failNext({ kind: 'status', status: 502 }, 2);
    expect((await post(primary, '/api/phone/code', { phone: '13800001111' })).status).toBe(202);
    await expect.poll(() => sms.received.length, { timeout: 5000 }).toBe(1);
    now = t0 + 2 * 60_000;
    expect((await post(primary, '/api/phone/code', { phone: '13900002222' })).status).toBe(202);
    // The first code tried again, refused again: the channel waits, and the second with it.
    await expect.poll(() => sms.received.length, { timeout: 5000 }).toBe(2);
    await expect.poll(() => outboxOf(primary).map((r) => [r.state, r.attempts]), { timeout: 5000 }).toEqual([
      ['pending', 2],
      ['pending', 0],
    ]);
    // The notices changed outside a batch of commands reach the standby at the primary's next beat.
    await expect.poll(() => outboxOf(standby), { timeout: 5000 }).toEqual(outboxOf(primary));

    await failOver(primary, standby);
    // Six minutes after the first code: it has run out (5 minutes), the second holds.
    now = t0 + 6 * 60_000;
    await expect.poll(() => codeSms(sms, '13900002222').length, { timeout: 5000 }).toBe(1);
    await expect.poll(() => outboxOf(standby).map((r) => r.state), { timeout: 5000 }).toEqual(['expired', 'delivered']);
    await new Promise((r) => setTimeout(r, 300));
    expect(codeSms(sms, '13900002222')).toHaveLength(1);
    expect(codeSms(sms, '13800001111')).toHaveLength(0);
    expect(sms.received).toHaveLength(3);
  });

  it('do not send again an SMS the primary had sent when it died, its answer not back: it ends unknown there, as at a hub restarted mid-request', async () => {
    // A short request timeout: the primary's own close waits for it.
    const { sms, primary, standby } = await hallWithSms({ timeoutMs: 3_000 });
    // The gateway takes the SMS (the citizen gets it), and its answer never comes back.
    sms.failNext({ kind: 'late' });
    expect((await post(primary, '/api/phone/code', { phone: '13800001111' })).status).toBe(202);
    await expect.poll(() => codeSms(sms, '13800001111').length, { timeout: 5000 }).toBe(1);
    await expect.poll(() => outboxOf(standby).map((r) => r.state), { timeout: 2000 }).toEqual(['sending']);

    await failOver(primary, standby);
    // Past the claim's lease (120 s): the new hub in charge finds it interrupted.
    now += 121_000;
    standby.notifications.wake();
    await expect.poll(() => outboxOf(standby), { timeout: 5000 }).toEqual([expect.objectContaining({ state: 'unknown', recipient: maskPhone('+8613800001111') })]);
    await new Promise((r) => setTimeout(r, 300));
    expect(sms.received).toHaveLength(1);
  });

  it("hold there a notice's phone masked once it is final at the primary, as the primary holds it", async () => {
    const { sms, primary, standby } = await hallWithSms({ timeoutMs: 2_500 });
    // The gateway takes the SMS and its answer never comes: a citizen's SMS of unknown result is final (not sent again).
    sms.failNext({ kind: 'late' });
    expect((await post(primary, '/api/phone/code', { phone: '13800001111' })).status).toBe(202);
    // Out at the primary: the standby holds the phone, as the primary does, while the answer is awaited.
    await expect.poll(() => outboxOf(standby), { timeout: 2000 }).toEqual([expect.objectContaining({ state: 'sending', recipient: '+8613800001111' })]);
    // Final at the primary: it masks the phone and the code, and the standby's copy changes with it.
    await expect.poll(() => outboxOf(standby), { timeout: 8000 }).toEqual([expect.objectContaining({ state: 'unknown', recipient: maskPhone('+8613800001111') })]);
    expect(outboxOf(standby)).toEqual(outboxOf(primary));
    expect(JSON.stringify(outboxOf(standby))).not.toContain('13800001111');
    expect(JSON.stringify(outboxOf(standby))).not.toContain(codeSms(sms, '13800001111')[0]!.params[0]);
  });

  it('keep there the session of a phone verified at the primary: it takes a number without a new code', async () => {
    const { sms, primary, standby } = await hallWithSms();
    const session = await verified(primary, sms, '13800001111');
    // A session is written outside a batch of commands: it reaches the standby at the primary's next beat.
    expect(rowsOf(primary, 'phone_sessions')[0]).toHaveLength(1);
    await expect.poll(() => rowsOf(standby, 'phone_sessions'), { timeout: 5000 }).toEqual(rowsOf(primary, 'phone_sessions'));
    // The code's notice, sent, reaches the standby at the primary's next beat (in the quarter second before, it would go once more).
    await expect.poll(() => outboxOf(standby), { timeout: 5000 }).toEqual(outboxOf(primary));
    await failOver(primary, standby);
    now += 61_000;
    const taken = await post(standby, '/api/phone/tickets', { serviceCode: 'GA-SFZ-HL' }, { 'x-phone-session': session });
    expect(taken.status).toBe(201);
    expect(((await taken.json()) as { ticket: { number: string } }).ticket.number).toBe('A001');
    // No second code of the day was spent.
    expect(sms.sent.filter((m) => m.templateId === TEMPLATES['phone-code'])).toHaveLength(1);
  });

  /** Of each table the primary forgets rows of in its housekeeping, the keys of the rows `hub` holds. */
  const forgettable = (hub: RunningHub) => {
    const db = (hub.store as unknown as { db: import('./db').Db }).db;
    const keys = (sql: string) => (db.prepare(sql).all() as { k: string }[]).map((r) => r.k).sort();
    return {
      phone_sessions: keys('SELECT id_hash AS k FROM phone_sessions'),
      phone_codes: keys('SELECT holder AS k FROM phone_codes'),
      phone_code_addresses: keys("SELECT day || ' ' || address AS k FROM phone_code_addresses"),
      commands: keys('SELECT id AS k FROM commands'),
    };
  };
  type Forgettable = ReturnType<typeof forgettable>;

  it.each([
    ['linked all along', false],
    ['off while the primary forgot them, and linked again', true],
  ])("forget, as the primary does, a phone's session once it has ended, yesterday's codes and counts by address, and answers past their 7 days (%s)", async (_, offMeanwhile) => {
    // The housekeeping every tenth of a second, not every 30 s.
    const pair = await hallWithSms({}, { ratingSweepMs: 100 });
    const { sms, primary } = pair;
    let standby = pair.standby;
    await verified(primary, sms, '13800001111');
    expect((await admin(primary, '/api/tickets', { serviceCode: 'GA-SFZ-HL' })).status).toBe(201);
    const before = forgettable(primary);
    for (const keys of Object.values(before)) expect(keys.length).toBeGreaterThan(0);
    await expect.poll(() => forgettable(standby), { timeout: 5000 }).toEqual(before);
    const left = (hub: RunningHub, table: keyof Forgettable) => forgettable(hub)[table].filter((k) => before[table].includes(k));
    const stages: [string, number, (keyof Forgettable)[]][] = [
      // 12 hours and a minute after the code, the same hall day (no new day's event): the session has ended.
      ['the session', now + SESSION_MS + 60_000, ['phone_sessions']],
      ['the day before', Date.parse('2026-11-28T09:00:00+08:00'), ['phone_codes', 'phone_code_addresses']],
      ['the answers', now + ANSWER_RETENTION_MS + 86_400_000, ['commands']],
    ];
    for (const [what, at, tables] of stages) {
      if (offMeanwhile) {
        hubs.splice(hubs.indexOf(standby), 1);
        await standby.close();
      }
      now = at;
      for (const table of tables) await expect.poll(() => left(primary, table), { timeout: 5000, message: `${what} at the primary` }).toEqual([]);
      if (offMeanwhile) {
        standby = await startHub({ dataDir: pair.standbyDir, port: Number(new URL(pair.standbyUrl).port), token: TOKEN, peer: { url: primary.url, token: TOKEN }, standby: true, ...pair.both });
        hubs.push(standby);
        await expect.poll(() => primary.replication.status().standby, { timeout: 5000 }).toBe('in-step');
      }
      for (const table of tables) await expect.poll(() => left(standby, table), { timeout: 5000, message: `${what} at the standby` }).toEqual([]);
    }
  });

  it('send there the called SMS of a number taken by phone at the primary, and not again its near SMS the primary sent', async () => {
    const { sms, primary, standby: first, restartStandby } = await hallWithSms();
    const alerts = () => sms.sent.filter((m) => m.phone === '+8613800001111' && m.templateId !== TEMPLATES['phone-code']).map((m) => [m.templateId, ...m.params]);
    expect((await admin(primary, '/api/windows/1/open', { clerk: '1001' })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await admin(primary, '/api/tickets', { serviceCode: 'GA-SFZ-HL' })).status).toBe(201);
    const session = await verified(primary, sms, '13800001111');
    now += 61_000;
    const taken = await post(primary, '/api/phone/tickets', { serviceCode: 'GA-SFZ-HL' }, { 'x-phone-session': session });
    expect(taken.status).toBe(201);
    const { ref } = ((await taken.json()) as { ticket: { ref: string } }).ticket;
    await expect.poll(() => rowsOf(first, 'phone_links')[0], { timeout: 5000 }).toHaveLength(1);
    // A standby that starts while the number waits knows it has a phone behind it: yet it sends nothing while it follows.
    const standby = await restartStandby();
    const next = async (hub: RunningHub) => {
      expect((await admin(hub, '/api/windows/1/start')).status).toBe(200);
      expect((await admin(hub, '/api/windows/1/finish')).status).toBe(200);
      expect((await admin(hub, '/api/windows/1/call-next')).status).toBe(200);
    };
    expect((await admin(primary, '/api/windows/1/call-next')).status).toBe(200);
    await next(primary);
    // 3 ahead of A006: the primary sends the near SMS and marks it sent.
    await expect.poll(alerts, { timeout: 5000 }).toEqual([[TEMPLATES['ticket-near'], 'A006', '3']]);
    await expect.poll(() => rowsOf(primary, 'phone_links')[0], { timeout: 5000 }).toEqual([expect.objectContaining({ kind: 'ticket', alerts: 'near', phone: expect.any(String) })]);
    await expect.poll(() => rowsOf(standby, 'phone_links'), { timeout: 5000 }).toEqual(rowsOf(primary, 'phone_links'));
    // The near SMS's notice, sent, reaches the standby at the primary's next beat (in the quarter second before, it would go once more).
    await expect.poll(() => outboxOf(standby), { timeout: 5000 }).toEqual(outboxOf(primary));

    await failOver(primary, standby);
    now += 31_000;
    // A006 still near (2 ahead) at the new hub in charge, looked at as its phone asks: the near SMS was sent.
    await next(standby);
    const seen = await fetch(`${standby.url}/api/phone/tickets/${ref}`);
    expect(await seen.json()).toMatchObject({ state: 'issued', ahead: 2 });
    for (let i = 0; i < 3; i++) await next(standby);
    // A006 called at the new hub in charge: its phone is told, and told once that it was near.
    await expect.poll(alerts, { timeout: 5000 }).toEqual([
      [TEMPLATES['ticket-near'], 'A006', '3'],
      [TEMPLATES['ticket-called'], 'A006', '1'],
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect(alerts()).toHaveLength(2);
  });
});

describe('a standby that links again', () => {
  /** The links of numbers to phones the primary writes (PhoneBook.link), `n` of them from `from`, each with its stamp. */
  const writeLinks = (hub: RunningHub, from: number, n: number) => {
    const db = (hub.store as unknown as { db: import('./db').Db }).db;
    const add = db.prepare("INSERT INTO phone_links (kind, ref_id, holder, day, phone, remote, created_at, changed) VALUES ('ticket', ?, ?, '2026-11-27', NULL, 1, 0, ?)");
    db.transaction(() => {
      const last = (db.prepare('SELECT COALESCE(MAX(changed), 0) AS n FROM phone_links').get() as { n: number }).n;
      for (let i = 0; i < n; i++) add.run(`2026-11-27-A${from + i}`, `holder-${(from + i) % 97}`, last + 1 + i);
    })();
  };
  const linksOf = (hub: RunningHub) => ((hub.store as unknown as { db: import('./db').Db }).db.prepare('SELECT COUNT(*) AS n FROM phone_links').get() as { n: number }).n;
  /** The rows of phone_links the primary sends from now on, counted in its `rows` messages. */
  const countSent = () => {
    const spy = vi.spyOn(WebSocket.prototype, 'send');
    onTestFinished(() => spy.mockRestore());
    const from = spy.mock.calls.length;
    return () =>
      spy.mock.calls
        .slice(from)
        .map(([data]) => JSON.parse(String(data)) as { type: string; tails?: Record<string, unknown[]> })
        .filter((m) => m.type === 'rows')
        .reduce((n, m) => n + (m.tails?.phone_links?.length ?? 0), 0);
  };

  it('is sent only the phone links changed since it last heard; a new standby is sent them all', async () => {
    const { primary, standby, primaryDir, standbyDir, standbyUrl } = await primaryAndStandby();
    writeLinks(primary, 1, 10_000);
    // In pages of 5,000, at the primary's beats.
    await expect.poll(() => linksOf(standby), { timeout: 10_000 }).toBe(10_000);
    // The standby's PC restarts; meanwhile three links change (their alerts sent) and two numbers are taken by phone.
    await standby.close();
    hubs.splice(hubs.indexOf(standby), 1);
    const db = (primary.store as unknown as { db: import('./db').Db }).db;
    const top = (db.prepare('SELECT MAX(changed) AS n FROM phone_links').get() as { n: number }).n;
    for (const [i, ref] of ['2026-11-27-A17', '2026-11-27-A5000', '2026-11-27-A9999'].entries()) db.prepare("UPDATE phone_links SET alerts = 'near', changed = ? WHERE ref_id = ?").run(top + 1 + i, ref);
    writeLinks(primary, 10_001, 2);
    let sent = countSent();
    const again = await startHub({ dataDir: standbyDir, port: Number(new URL(standbyUrl).port), token: TOKEN, peer: { url: primary.url, token: TOKEN }, standby: true });
    hubs.push(again);
    await expect.poll(() => primary.replication.status().standby, { timeout: 5000 }).toBe('in-step');
    await expect.poll(() => linksOf(again), { timeout: 10_000 }).toBe(10_002);
    await expect.poll(() => (again.store as unknown as { db: import('./db').Db }).db.prepare("SELECT COUNT(*) AS n FROM phone_links WHERE alerts = 'near'").get(), { timeout: 5000 }).toEqual({ n: 3 });
    await new Promise((r) => setTimeout(r, 600));
    expect(sent()).toBe(5);

    // A new standby (its tables empty) is sent every link.
    await again.close();
    hubs.splice(hubs.indexOf(again), 1);
    const freshDir = tempDir();
    fs.copyFileSync(path.join(primaryDir, KEY_FILE), path.join(freshDir, KEY_FILE));
    sent = countSent();
    const fresh = await startHub({ dataDir: freshDir, token: TOKEN, peer: { url: primary.url, token: TOKEN }, standby: true });
    hubs.push(fresh);
    // Its copy of the primary's database holds them at once: what counts is what it is sent, in pages of 5,000, at the primary's beats.
    await expect.poll(() => linksOf(fresh), { timeout: 10_000 }).toBe(10_002);
    await expect.poll(sent, { timeout: 10_000 }).toBe(10_002);
    await new Promise((r) => setTimeout(r, 600));
    expect(sent()).toBe(10_002);
  });
});

describe('two hubs of different releases', () => {
  it('are never linked: the primary refuses a standby of another release, and a standby neither follows a primary of another release nor takes charge on its silence while it answers', async () => {
    const { primary, standby } = await primaryAndStandby({ promoteAfterMs: 1500 });
    // A standby of a release before this one says no schema in its hello.
    const older = new WebSocket(`${primary.url.replace(/^http/, 'ws')}/replication`);
    const refusal = new Promise<{ type: string; code?: string; message?: string }>((resolve) => older.on('message', (data) => resolve(JSON.parse(data.toString()))));
    older.on('open', () => older.send(JSON.stringify({ type: 'follow', token: TOKEN, hub: 'older', seq: 0, log: primary.store.role.lineage.log, epoch: primary.store.role.epoch })));
    expect(await refusal).toMatchObject({ type: 'refused', code: 'other-release', message: expect.stringContaining(`this hub's ${SCHEMA_VERSION}`) });
    older.terminate();
    expect(primary.replication.status().standby).toBe('in-step');

    // The primary is upgraded the wrong way round: on its address now, a hub of an older release in charge.
    const port = Number(new URL(primary.url).port);
    const epoch = primary.store.role.epoch;
    const lineage = primary.store.role.lineage;
    await primary.close();
    hubs.splice(hubs.indexOf(primary), 1);
    const hellos: { schema?: number }[] = [];
    const older2 = new WebSocketServer({ port, host: '127.0.0.1', path: '/replication' });
    older2.on('connection', (ws) =>
      ws.on('message', (data) => {
        hellos.push(JSON.parse(data.toString()));
        ws.send(JSON.stringify({ type: 'following', epoch, lineage, seq: standby.store.seq }));
      }),
    );
    try {
      await expect.poll(() => hellos.length, { timeout: 5000 }).toBeGreaterThan(0);
      // Well past its 1.5 s of silence: it has not taken charge, and asks again every few seconds, not every 300 ms.
      await new Promise((r) => setTimeout(r, 3000));
      expect(standby.store.role.inCharge).toBe(false);
      expect(hellos[0]).toMatchObject({ schema: SCHEMA_VERSION });
      expect(hellos.length).toBeLessThanOrEqual(2);
    } finally {
      for (const c of older2.clients) c.terminate();
      await new Promise((r) => older2.close(r));
    }
    // That hub gone (its PC died), its silence counts again: the standby takes charge (the terminals cannot reach it either).
    await expect.poll(() => inChargeOnceLookedFor(standby), { timeout: 10_000, interval: 100 }).toBe(true);
  });
});

describe('a standby whose hall token the hub in charge refuses', () => {
  it('neither follows it nor takes charge on its silence while it answers, asks again every few seconds, and takes charge once it is gone', async () => {
    const { primary, standby } = await primaryAndStandby({ promoteAfterMs: 1500 });
    // The hub in charge restarted with another hall token (changed on it alone): on its address, a hub that refuses this standby's.
    const port = Number(new URL(primary.url).port);
    const epoch = primary.store.role.epoch;
    await primary.close();
    hubs.splice(hubs.indexOf(primary), 1);
    const follows: unknown[] = [];
    const renewed = new WebSocketServer({ port, host: '127.0.0.1', path: '/replication' });
    renewed.on('connection', (ws) =>
      ws.on('message', (data) => {
        follows.push(JSON.parse(data.toString()));
        ws.send(JSON.stringify({ type: 'refused', code: 'unauthorised', message: 'the hall token is not this hall’s', epoch }));
      }),
    );
    try {
      await expect.poll(() => follows.length, { timeout: 5000 }).toBeGreaterThan(0);
      // Well past its 1.5 s of silence: two hubs in charge would take the hall's commands; it asks again every few seconds, not every 300 ms.
      await new Promise((r) => setTimeout(r, 3000));
      expect(standby.store.role.inCharge).toBe(false);
      expect(follows.length).toBeLessThanOrEqual(2);
    } finally {
      for (const c of renewed.clients) c.terminate();
      await new Promise((r) => renewed.close(r));
    }
    // That hub gone (its PC died), its silence counts again: the standby takes charge (the terminals cannot reach it either).
    await expect.poll(() => inChargeOnceLookedFor(standby), { timeout: 10_000, interval: 100 }).toBe(true);
  });
});

describe('the console’s live feed of a hall with a standby', () => {
  it('tells the board whether this hub is in charge and its standby in step, unlinked or behind, and its backups, as they change', async () => {
    const { primary, standby } = await primaryAndStandby({ semiSyncTimeoutMs: 200, both: { supervisionSweepMs: 50, limits: { commands: 'off' }, backup: { dir: tempDir(), everyMs: 3_600_000, keepDaily: 7, keepWeekly: 8 } }, primaryKnowsStandby: true });
    const c = new TestConsole(primary.url);
    expect((await c.request('POST', '/api/console/first-admin', { setupCode: primary.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
    expect((await c.login('admin', 'first-admin-pass-1')).status).toBe(200);
    const res = await fetch(`${primary.url}/api/console/stream`, { headers: { cookie: c.cookie } });
    const reader = res.body!.getReader();
    onTestFinished(() => void reader.cancel().catch(() => undefined));
    let text = '';
    const said: unknown[] = [];
    const hubsSaid = async (match: (h: Record<string, unknown>) => boolean) => {
      for (;;) {
        const found = said.find((h) => match(h as Record<string, unknown>));
        if (found) return found;
        text += new TextDecoder().decode((await reader.read()).value);
        for (const m of text.matchAll(/event: hubs\ndata: (.*)\n\n/g)) said.push(JSON.parse(m[1]!));
        text = text.slice(text.lastIndexOf('\n\n') + 2);
      }
    };
    expect(await hubsSaid((h) => (h.standby as { state: string }).state === 'in-step' && (h.backup as { lastAt?: number }).lastAt !== undefined)).toMatchObject({ inCharge: true, epoch: 1, standby: { state: 'in-step', behindEvents: 0 }, backup: { failures: 0 } });
    // Its disk full, the standby falls behind.
    standby.store.limitSize(standby.store.sizeBytes());
    const k = await kiosk(primary);
    for (let i = 0; i < 150; i++) expect((await issue(k)).ok).toBe(true);
    expect(await hubsSaid((h) => (h.standby as { state: string }).state !== 'in-step')).toMatchObject({ inCharge: true, standby: { state: expect.stringMatching(/^(behind|none)$/) } });
  });
});

describe('a standby whose disk is full', () => {
  it('says so once, in Chinese then English, with what to do, tries again every few seconds rather than at once, and catches up once it has room', async () => {
    const logged = captureLog();
    const { primary, standby } = await primaryAndStandby({ semiSyncTimeoutMs: 200, both: { limits: { commands: 'off' } } });
    const k = await kiosk(primary);
    // The standby's disk takes no more (as a size ceiling makes SQLite say: database or disk is full).
    standby.store.limitSize(standby.store.sizeBytes());
    for (let i = 0; i < 150; i++) expect((await issue(k)).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 2_000));
    const said = logged.map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.msg.includes('备用主机') && l.msg.includes('磁盘'));
    expect(said).toHaveLength(1);
    expect(said[0]!.level).toBe('error');
    expect(said[0]!.msg).toMatch(/^本主机（备用主机）的磁盘已满或拒绝写入[^]*请腾出空间[^]*\nThis hub \(the standby\) has a full disk[^]*Free space/);
    // Not linking again at once, over and over: each time the primary said its standby had gone.
    expect(logged.filter((l) => l.includes('备用主机') && l.includes('断开了')).length).toBeLessThanOrEqual(1);
    expect(standby.store.seq).toBeLessThan(primary.store.seq);

    standby.store.limitSize(undefined);
    await expect.poll(() => standby.store.seq, { timeout: 10_000 }).toBe(primary.store.seq);
    await expect.poll(() => primary.replication.status().standby, { timeout: 5000 }).toBe('in-step');
  });
});

describe('an operator’s promote', () => {
  it('says in Chinese then English that this hub is in charge; and, of a standby behind its primary (its disk full), how many events it lacks and that their numbers may be given again', async () => {
    const { primary, standby, standbyUrl } = await primaryAndStandby({ semiSyncTimeoutMs: 200, both: { limits: { commands: 'off' } } });
    const k = await kiosk(primary);
    standby.store.limitSize(standby.store.sizeBytes());
    for (let i = 0; i < 150; i++) expect((await issue(k)).ok).toBe(true);
    // The standby has heard of them (the primary's beats) without holding them.
    await expect.poll(() => standby.replication.status().lagEvents, { timeout: 5000 }).toBe(primary.store.seq - standby.store.seq);
    const held = standby.store.seq;
    expect(held).toBeLessThan(primary.store.seq);
    const done = await promoteLocal({ url: standbyUrl, token: TOKEN });
    expect(done).toMatchObject({ already: false, seq: held, behind: primary.store.seq - held, leaderSeq: primary.store.seq });
    const [zh, en, zhBehind, enBehind, ...more] = promotedText(done).split('\n');
    expect(more).toEqual([]);
    expect(zh).toBe(`本机的主机已接管大厅（接管编号 epoch ${done.epoch}，事件序号 ${held}）：各终端会自行转到本主机。`);
    expect(en).toBe(`The hub on this machine is now in charge of the hall (epoch ${done.epoch}, event ${held}): the terminals move to it by themselves.`);
    expect(zhBehind).toContain(`本主机只有到第 ${held} 个事件的记录，原来的主机最后告知它已到第 ${primary.store.seq} 个，少了 ${primary.store.seq - held} 个事件`);
    expect(enBehind).toMatch(/^Note: this hub took charge holding the events up to \d+, while the old hub last said it was at \d+: \d+ events short\. Numbers the old hub gave in between/);
    // Asked again: in charge already, nothing more.
    expect(promotedText(await promoteLocal({ url: standbyUrl, token: TOKEN })).split('\n')).toEqual([
      `本机的主机原本就在主用状态（接管编号 epoch ${done.epoch}，事件序号 ${held}），没有改动。`,
      `The hub on this machine was in charge already (epoch ${done.epoch}, event ${held}); nothing was changed.`,
    ]);
  });

  it('of a standby in step says nothing of events lacking', async () => {
    const { primary, standbyUrl } = await primaryAndStandby();
    expect((await issue(await kiosk(primary))).ok).toBe(true);
    const done = await promoteLocal({ url: standbyUrl, token: TOKEN });
    expect(done.behind).toBe(0);
    expect(promotedText(done).split('\n')).toHaveLength(2);
  });
});

describe('the supervisors’ board of a hall with a standby', () => {
  it('raises an alert when the hub in charge has had no standby in step for 5 minutes, and clears it when the standby follows again', async () => {
    let now = Date.parse('2026-11-27T10:00:00+08:00');
    const clock = () => now;
    const { primary, standby, standbyDir, standbyUrl } = await primaryAndStandby({ primaryKnowsStandby: true, both: { clock, supervisionSweepMs: 20 } });
    const unlinked = () => [...primary.store.view.alerts.values()].filter((a) => a.subject.kind === 'standby-unlinked' && a.clearedAt === undefined).map((a) => a.subject);
    now += 10 * 60_000;
    await new Promise((r) => setTimeout(r, 200));
    expect(unlinked()).toEqual([]);

    // The standby's PC dies.
    hubs.splice(hubs.indexOf(standby), 1);
    await standby.close();
    await expect.poll(() => primary.replication.status().standby, { timeout: 5000 }).toBe('none');
    await new Promise((r) => setTimeout(r, 200));
    now += 4 * 60_000;
    await new Promise((r) => setTimeout(r, 200));
    expect(unlinked()).toEqual([]);
    now += 60_000;
    await expect.poll(unlinked, { timeout: 5000 }).toEqual([{ kind: 'standby-unlinked', state: 'none', minutes: 5 }]);

    // Mended: it follows again, and the alert ends.
    const again = await startHub({ dataDir: standbyDir, port: Number(new URL(standbyUrl).port), token: TOKEN, peer: { url: primary.url, token: TOKEN }, standby: true, clock });
    hubs.push(again);
    await expect.poll(() => primary.replication.status().standby, { timeout: 5000 }).toBe('in-step');
    await expect.poll(unlinked, { timeout: 5000 }).toEqual([]);
  });
});

describe('a standby whose first start cannot reach the hub in charge', () => {
  it('says which peer it could not copy from and what to check, in Chinese then English, makes nothing in its data folder, and copies and follows once the primary starts (its PC booted first)', async () => {
    const logged = captureLog();
    const dir = tempDir();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let started: RunningHub | undefined;
    const standbyPort = await freePort();
    const standby = startHub({ dataDir: dir, port: standbyPort, token: TOKEN, standby: true, peer: { url, token: TOKEN }, standbyCopyRetryMs: 100, warn: () => undefined }).then((h) => {
      hubs.push(h);
      return (started = h);
    });
    await expect.poll(() => logged.filter((l) => l.includes('备用主机第一次启动')).length, { timeout: 5000 }).toBe(1);
    const said = JSON.parse(logged.find((l) => l.includes('备用主机第一次启动'))!) as { level: string; msg: string };
    expect(said.level).toBe('error');
    expect(said.msg).toMatch(
      new RegExp(`^备用主机第一次启动要从主用主机 ${url.replaceAll('.', '\\.')}（SERVICEHALL_PEER）复制大厅数据库，但没能复制（ECONNREFUSED）：请确认主用主机在运行[^]*备用主机每 0\\.1 秒再试一次[^]*\\nA standby's first start copies the hall database from the hub in charge[^]*tries again every 0\\.1 s`),
    );
    // Tried again, said once: no hub meanwhile, nothing made.
    await new Promise((r) => setTimeout(r, 500));
    expect(started).toBeUndefined();
    expect(logged.filter((l) => l.includes('备用主机第一次启动'))).toHaveLength(1);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('hall.db'))).toEqual([]);
    // Meanwhile its address says why it does not serve (the installer's monitoring reads /api/health), in both languages; it serves nothing else.
    const waitingZh = `这是备用主机，正在等待主用主机 ${url} 的第一份大厅数据库副本，尚未开始服务（/api/health 答 503）；复制成功后即开始跟随主用主机，不需要重启。`;
    const waitingEn = `this is a standby hub waiting for its first copy of the hall database from its primary at ${url}: it does not serve yet (/api/health answers 503), and follows the primary as soon as the copy is made, without a restart`;
    const standbyAt = `http://127.0.0.1:${standbyPort}`;
    const health = await fetch(`${standbyAt}/api/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ ok: false, code: 'not-in-charge', standby: true, waitingForPrimary: url, message: `${waitingZh}\n${waitingEn}`, text: waitingZh });
    expect(((await (await fetch(`${standbyAt}/api/health`, { headers: { 'accept-language': 'en' } })).json()) as { text: string }).text).toBe(waitingEn);
    const other = await fetch(`${standbyAt}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"serviceCode":"GA-SFZ-HL"}' });
    expect(other.status).toBe(503);
    expect(((await other.json()) as { code: string }).code).toBe('not-in-charge');
    expect(logged.filter((l) => l.includes(waitingZh))).toEqual([expect.stringContaining(waitingEn)]);

    const primaryDir = tempDir();
    const primary = await startHub({ dataDir: primaryDir, port, token: TOKEN, seed: demoCatalogue({ allDay: true }) });
    hubs.push(primary);
    fs.copyFileSync(path.join(primaryDir, KEY_FILE), path.join(dir, KEY_FILE));
    const k = await kiosk(primary);
    expect((await issue(k)).ok).toBe(true);
    const follower = await standby;
    expect(follower.store.role.inCharge).toBe(false);
    await expect.poll(() => primary.replication.status().standby, { timeout: 5000 }).toBe('in-step');
    await expect.poll(() => follower.store.seq, { timeout: 5000 }).toBe(primary.store.seq);
    // Copied, it is the hub itself at that address.
    const serving = await fetch(`${standbyAt}/api/health`);
    expect(serving.status).toBe(200);
    expect(await serving.json()).toMatchObject({ ok: true, inCharge: false });
    expect(logged.filter((l) => l.includes(waitingZh))).toHaveLength(1);
  });
});

describe('a standby whose first start cannot write the copy', () => {
  it('names its own data folder and what to free, not the peer, and copies once the folder takes it', async () => {
    const logged = captureLog();
    const primaryDir = tempDir();
    const primary = await startHub({ dataDir: primaryDir, token: TOKEN, seed: demoCatalogue({ allDay: true }) });
    hubs.push(primary);
    const dir = tempDir();
    fs.copyFileSync(path.join(primaryDir, KEY_FILE), path.join(dir, KEY_FILE));
    // What the copy is written into cannot be written (as a full or read-only disk refuses it).
    fs.mkdirSync(path.join(dir, `${DATABASE_FILE}.copying`));
    const standby = startHub({ dataDir: dir, token: TOKEN, standby: true, peer: { url: primary.url, token: TOKEN }, standbyCopyRetryMs: 100, warn: () => undefined }).then((h) => (hubs.push(h), h));
    await expect.poll(() => logged.find((l) => l.includes('写不下副本')), { timeout: 5000 }).toBeDefined();
    const said = (JSON.parse(logged.find((l) => l.includes('写不下副本'))!) as { msg: string }).msg;
    expect(said).toContain(`本机的数据文件夹 ${path.resolve(dir)} 写不下副本（EISDIR）`);
    expect(said).toMatch(/请腾出至少 \d+ kB 的空间[^]*\nA standby's first start[^]*this PC's data folder/);
    expect(said).not.toContain('请确认主用主机在运行');
    fs.rmdirSync(path.join(dir, `${DATABASE_FILE}.copying`));
    const follower = await standby;
    await expect.poll(() => primary.replication.status().standby, { timeout: 5000 }).toBe('in-step');
    expect(follower.store.role.inCharge).toBe(false);
  });
});

describe('a link to the primary’s /replication that has not followed yet', () => {
  const open = async (hub: RunningHub) => {
    const ws = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/replication`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })));
    ws.on('error', () => undefined);
    return { ws, closed };
  };

  it('is closed when it sends or begins a message larger than a follow can be; the largest follow is read, and once followed a link sends as before', async () => {
    const primary = await startHub({ dataDir: tempDir(), token: TOKEN, seed: demoCatalogue({ allDay: true }) });
    hubs.push(primary);
    const { epoch, lineage } = primary.store.role;

    // The largest follow the schema takes: every string at its longest, each character one JSON writes as \u0001.
    const largest = JSON.stringify({ type: 'follow', token: '\u0001'.repeat(200), hub: '\u0001'.repeat(80), seq: Number.MAX_SAFE_INTEGER, log: '\u0001'.repeat(64), epoch: Number.MAX_SAFE_INTEGER, schema: Number.MAX_SAFE_INTEGER });
    expect(Buffer.byteLength(largest)).toBeGreaterThan(2_000);
    expect(Buffer.byteLength(largest)).toBeLessThan(MAX_MESSAGE_BEFORE_FOLLOW_BYTES / 2);
    const stranger = await open(primary);
    const answer = new Promise<unknown>((resolve) => stranger.ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
    stranger.ws.send(largest);
    expect(await answer).toMatchObject({ type: 'refused', code: 'unauthorised' });

    // The head of a 1 MB message, its first 64 KB, and the rest never sent: closed as the head arrives, not after the 5 s the follow is awaited.
    const begun = await open(primary);
    const sent = Date.now();
    (begun.ws as unknown as { _socket: net.Socket })._socket.write(Buffer.concat([frameHead(1024 * 1024), Buffer.alloc(64 * 1024)]));
    expect((await begun.closed).at - sent).toBeLessThan(2_000);

    // A whole message of 64 KB before the follow.
    const padded = await open(primary);
    padded.ws.send(JSON.stringify({ type: 'follow', token: TOKEN, hub: 'x'.repeat(64 * 1024), seq: 0, log: lineage.log, epoch }));
    expect((await padded.closed).code).toBe(1009);
    expect(primary.replication.status().standby).toBe('none');

    // A standby that has followed: a message of 64 KB is read as before (its acknowledgement counts), and the link goes on.
    const standby = await open(primary);
    const messages: { type: string; n?: number }[] = [];
    standby.ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    standby.ws.send(JSON.stringify({ type: 'follow', token: TOKEN, hub: 'standby-pc', seq: 0, log: lineage.log, epoch, schema: SCHEMA_VERSION }));
    await expect.poll(() => messages.find((m) => m.type === 'rows'), { timeout: 5000 }).toBeDefined();
    const rows = messages.find((m) => m.type === 'rows')!;
    standby.ws.send(JSON.stringify({ type: 'ack', n: rows.n, seq: primary.store.seq, padding: 'x'.repeat(64 * 1024) }));
    await expect.poll(() => primary.replication.status().standby, { timeout: 5000 }).toBe('in-step');
    const heard = messages.length;
    await expect.poll(() => messages.length, { timeout: 5000 }).toBeGreaterThan(heard);
    expect(standby.ws.readyState).toBe(WebSocket.OPEN);
    standby.ws.terminate();
  });
});

describe('a hub that answers with another hall token', () => {
  it('is said Chinese first: promote refused (exit code 78), the peer’s status with what to set', async () => {
    // As a hub of another hall (or one given another SERVICEHALL_TOKEN) answers: 401, its message in English.
    const other = (await import('node:http')).createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, code: 'unauthorised', message: 'the hall token is needed' })));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => void other.close());
    const url = `http://127.0.0.1:${(other.address() as net.AddressInfo).port}`;
    const refused = await promoteLocal({ url, token: 'another-halls-token-1234' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HubRefusal);
    expect((refused as Error).message).toBe(
      `本机的主机 ${url} 没有接管（应答 401）：两台主机须使用同一个大厅令牌（SERVICEHALL_TOKEN，或数据文件夹中的 admin-token）。什么都没有改动。\nThe hub on this machine, ${url}, did not take charge (it answered 401): both hubs need the same hall token (SERVICEHALL_TOKEN, or admin-token in the data folder). Nothing was changed.`,
    );
    const status = await peerStatus({ url, token: 'another-halls-token-1234' }).catch((e: unknown) => e as Error);
    expect((status as Error).message).toMatch(/^另一台主机 \S+ 对状态查询的应答是 401：两台主机须使用同一个大厅令牌[^]*\nthe peer hub \S+ answered 401 to its status: both hubs need the same hall token/);
  });
});

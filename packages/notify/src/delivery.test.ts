import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseNotifyConfig, type NotifyConfig } from './config';
import { DeliveryLoop } from './delivery';
import type { Notice } from './notices';
import { Notifier } from './notifier';
import { NOTIFY_MIGRATION, NOTIFY_STAMP_MIGRATION, NOTIFY_UNKNOWN_MIGRATION, Outbox, type Db } from './outbox';
import type { NotifyLogger } from './providers/types';
import { REASON_TEXT, smsTemplateContent } from './strings';
import { DingtalkStandIn, TencentSmsStandIn, WecomStandIn, type StandIn } from './testing';

const T0 = Date.UTC(2024, 4, 13, 1, 0);
const KEY = 'wecom-key-7f3a91c2-secret';
const TOKEN = 'dingtalk-token-b955aaaa9af0';
const DING_SECRET = 'SECdingtalksecret0123456789abcdef';
const TENCENT = { secretId: 'AKIDnotifytest0000000000000000000', secretKey: 'tencentSecretKeyForTheTest000000', sdkAppId: '1400006666', signName: '滨江政务' };
const PHONE = '13800001111';
const CODE = '402913';

const fault = (terminal: string): Notice => ({ kind: 'device-fault', terminal, device: 'printer', fault: 'paper-end' });
const BAD_RATING: Notice = { kind: 'bad-rating', window: 3, level: 'very-dissatisfied', ticket: 'A012', item: '社保卡补办', department: 'rsj' };

let dir: string;
let now: number;
const clock = () => now;
const standIns: StandIn[] = [];
const dbs: Db[] = [];
const loops: DeliveryLoop[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notify-'));
  now = T0;
});
afterEach(async () => {
  await Promise.all(loops.splice(0).map((l) => l.stop()));
  await Promise.all(standIns.splice(0).map((s) => s.close()));
  for (const db of dbs.splice(0)) if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function keep<T extends StandIn>(standIn: Promise<T>): Promise<T> {
  const s = await standIn;
  standIns.push(s);
  return s;
}

/** The hall's database as the hub opens it: WAL, synchronous=FULL, with the outbox's migration. */
function openDb(): Db {
  const db = new Database(path.join(dir, 'hall.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'notify_outbox'").get()) db.exec(NOTIFY_MIGRATION.sql + NOTIFY_UNKNOWN_MIGRATION.sql + NOTIFY_STAMP_MIGRATION.sql);
  dbs.push(db);
  return db;
}

function config(channels: unknown[], delivery: Record<string, number> = {}): NotifyConfig {
  const checked = parseNotifyConfig({ hall: '滨江区政务服务中心', channels, delivery: { baseDelayMs: 1_000, timeoutMs: 500, leaseMs: 60_000, ...delivery } });
  if (!checked.ok) throw new Error(checked.message);
  return checked.config;
}

function recordingLogger(): NotifyLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m, f) => lines.push(`${m} ${JSON.stringify(f ?? {})}`), warn: (m, f) => lines.push(`${m} ${JSON.stringify(f ?? {})}`) };
}

function hub(cfg: NotifyConfig, logger: NotifyLogger = recordingLogger(), db = openDb()) {
  const notifier = new Notifier(db, cfg, { clock, logger });
  const loop = new DeliveryLoop(notifier, { random: () => 0.5 });
  loops.push(loop);
  return { db, notifier, loop, outbox: notifier.outbox };
}

function queued(result: ReturnType<Notifier['notify']>): number[] {
  if (!result.ok) throw new Error(result.message);
  return result.queued.map((q) => q.id);
}

describe("queueing inside the command's transaction", () => {
  it('is rolled back with a refused command, kept with a committed one, and queued once per key', async () => {
    const robot = await keep(WecomStandIn.start({ keys: [KEY], clock }));
    const { db, notifier, outbox } = hub(config([{ id: 'duty', kind: 'wecom-robot', webhook: robot.webhook(KEY) }]));
    db.exec('CREATE TABLE tickets (number TEXT)');
    const command = (fail: boolean) =>
      db.transaction(() => {
        db.prepare('INSERT INTO tickets VALUES (?)').run('A012');
        const result = notifier.notify(BAD_RATING, { key: 'cmd-1|bad-rating' });
        if (fail) throw new Error('the command failed after queueing its alert');
        return result;
      })();
    expect(() => command(true)).toThrow(/failed after queueing/);
    expect(outbox.counts().pending).toBe(0);
    expect(command(false)).toEqual({ ok: true, queued: [{ id: 1, channel: 'duty', repeated: false }] });
    expect(notifier.notify(BAD_RATING, { key: 'cmd-1|bad-rating' })).toEqual({ ok: true, queued: [{ id: 1, channel: 'duty', repeated: true }] });
    expect(outbox.counts().pending).toBe(1);
  });
});

describe("the outbox's change stamps", () => {
  it('stamps every write of a notice above every stamp before it, each row of a postponed channel its own', () => {
    const db = openDb();
    const outbox = new Outbox(db);
    const stamps = () => db.prepare('SELECT id, changed FROM notify_outbox ORDER BY id').all() as { id: number; changed: number }[];
    const highest = () => Math.max(...stamps().map((r) => r.changed));
    const called = (ticket: string) => ({ kind: 'ticket-called' as const, ticket, window: 3 });
    const ids = ['A001', 'A002', 'A003'].map((t) => outbox.add({ key: `${t}|sms`, channel: 'sms', notice: called(t), recipient: '+8613800001111', at: T0 }).id);
    expect(stamps().map((r) => r.changed)).toEqual([1, 2, 3]);
    // Queued again under its key: nothing written, nothing stamped.
    outbox.add({ key: 'A001|sms', channel: 'sms', notice: called('A001'), recipient: '+8613800001111', at: T0 });
    expect(highest()).toBe(3);
    const writes: [string, () => void][] = [
      ['claimed', () => outbox.begin(ids[0]!, 'sms', T0, 60_000, '{}')],
      ['finished, its phone masked', () => outbox.finish(ids[0]!, undefined, { outcome: 'delivered', reason: 'delivered', detail: 'ok' }, { state: 'delivered', failures: 0, nextAt: T0, reason: 'delivered' }, T0)],
      ['withdrawn', () => outbox.withdraw('A002', T0, 'called')],
    ];
    for (const [, write] of writes) {
      const before = highest();
      write();
      expect(highest()).toBe(before + 1);
    }
    // A channel's pause moves its waiting notices, each with a stamp of its own.
    outbox.add({ key: 'A004|sms', channel: 'sms', notice: called('A004'), recipient: '+8613800001111', at: T0 });
    const before = highest();
    outbox.pauseChannel('sms', T0 + 60_000, 'rate-limited');
    const moved = stamps().filter((r) => r.changed > before);
    expect(moved.map((r) => r.changed)).toEqual([before + 1, before + 2]);
    expect(moved.map((r) => r.id)).toEqual([ids[2], ids[2]! + 1]);
  });
});

describe("the outbox's migration to the unknown state", () => {
  it('keeps the notices and attempts written before it, their link, and lets a notice end unknown', () => {
    const db = new Database(path.join(dir, 'old.db'));
    dbs.push(db);
    db.pragma('foreign_keys = ON');
    db.exec(NOTIFY_MIGRATION.sql);
    // A notice claimed and its request out, as the release before wrote them.
    const id = Number(
      db
        .prepare("INSERT INTO notify_outbox (key, channel, kind, recipient, notice, state, attempts, created_at, next_at, lease_until) VALUES ('k1', 'sms', 'ticket-called', '+8613800001111', ?, 'sending', 1, ?, ?, ?)")
        .run(JSON.stringify({ kind: 'ticket-called', ticket: 'A012', window: 3 }), T0, T0, T0 + 60_000).lastInsertRowid,
    );
    db.prepare("INSERT INTO notify_attempts (outbox_id, channel, started_at, outcome, request) VALUES (?, 'sms', ?, 'sending', '{}')").run(id, T0);
    db.transaction(() => db.exec(NOTIFY_UNKNOWN_MIGRATION.sql))();
    db.transaction(() => db.exec(NOTIFY_STAMP_MIGRATION.sql))();
    const outbox = new Outbox(db);
    expect(outbox.get(id)).toMatchObject({ key: 'k1', state: 'sending', recipient: '+8613800001111' });
    expect(outbox.attempts(id)).toMatchObject([{ outboxId: id, outcome: 'sending' }]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('foreign_key_list(notify_attempts)')).toMatchObject([{ table: 'notify_outbox', from: 'outbox_id' }]);
    outbox.markInterrupted(id, { state: 'unknown', failures: 1, nextAt: T0, reason: 'unknown-result' }, T0, 'test');
    expect(outbox.get(id)).toMatchObject({ state: 'unknown', recipient: '138****1111' });
    expect(() => db.prepare('INSERT INTO notify_attempts (outbox_id, channel, started_at, outcome, request) VALUES (999, ?, 0, ?, ?)').run('sms', 'sending', '{}')).toThrow(/FOREIGN KEY/);
  });
});

describe('delivery', () => {
  it('delivers exactly once through a 503, a timeout, a dropped connection, an unreadable answer and a busy errcode, backing off each time', async () => {
    const robot = await keep(WecomStandIn.start({ keys: [KEY], clock }));
    robot
      .failNext({ kind: 'status', status: 503 })
      .failNext({ kind: 'timeout' })
      .failNext({ kind: 'reset' })
      .failNext({ kind: 'garbage' })
      .failNext({ kind: 'error', code: -1, message: 'system busy' });
    const { notifier, loop, outbox } = hub(config([{ id: 'duty', kind: 'wecom-robot', webhook: robot.webhook(KEY) }]));
    const [id] = queued(notifier.notify(BAD_RATING, { key: 'k1' }));
    for (let pass = 0; pass < 10 && outbox.get(id!)!.state !== 'delivered'; pass++) {
      await loop.runOnce();
      now = Math.max(now, outbox.get(id!)!.nextAt);
    }
    expect(robot.accepted).toHaveLength(1);
    expect(robot.received).toHaveLength(6);
    const attempts = outbox.attempts(id!);
    expect(attempts.map((a) => [a.outcome, a.reason])).toEqual([
      ['retry', 'server-error'],
      ['retry', 'timeout'],
      ['retry', 'network'],
      ['retry', 'bad-answer'],
      ['retry', 'server-error'],
      ['delivered', 'delivered'],
    ]);
    // 1 s, 2 s, 4 s, 8 s, 16 s: exponential back-off (the jitter is held at its middle here).
    expect(attempts.slice(1).map((a, i) => a.startedAt - attempts[i]!.startedAt)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(attempts[0]).toMatchObject({ status: 503, answer: '<html>Bad Gateway</html>', detail: 'HTTP 503' });
    now += 86_400_000;
    await loop.runOnce();
    expect(robot.received).toHaveLength(6);
  });

  it('sends nothing twice across a restart of the delivery loop, and the rest after it', async () => {
    const robot = await keep(WecomStandIn.start({ keys: [KEY], clock }));
    const cfg = config([{ id: 'duty', kind: 'wecom-robot', webhook: robot.webhook(KEY) }]);
    const first = hub(cfg);
    for (let i = 1; i <= 6; i++) queued(first.notifier.notify(fault(`kiosk-${i}`), { key: `fault-${i}` }));
    const firstLoop = new DeliveryLoop(first.notifier, { random: () => 0.5, batch: 3 });
    await firstLoop.runOnce();
    robot.failNext({ kind: 'status', status: 503 });
    await firstLoop.runOnce();
    expect(robot.accepted).toHaveLength(3);
    await firstLoop.stop();
    first.db.close();

    now += 1_000;
    const second = hub(cfg);
    for (let pass = 0; pass < 5; pass++) await second.loop.runOnce();
    const terminals = robot.messages.map((m) => /(kiosk-\d)/.exec(m.content)![1]);
    expect(terminals.sort()).toEqual(['kiosk-1', 'kiosk-2', 'kiosk-3', 'kiosk-4', 'kiosk-5', 'kiosk-6']);
    expect(robot.received).toHaveLength(7);
    expect(second.outbox.counts()).toMatchObject({ delivered: 6, pending: 0, sending: 0 });
  });

  it('marks an attempt cut off by a crash as interrupted and sends it again once its lease runs out', async () => {
    const robot = await keep(WecomStandIn.start({ keys: [KEY], clock }));
    const cfg = config([{ id: 'duty', kind: 'wecom-robot', webhook: robot.webhook(KEY) }]);
    const first = hub(cfg);
    const [id] = queued(first.notifier.notify(BAD_RATING, { key: 'k1' }));
    // What a loop commits before its request leaves; then the hub dies.
    expect(first.outbox.begin(id!, 'duty', now, cfg.delivery.leaseMs, '{}')).toBeDefined();
    first.db.close();

    const second = hub(cfg);
    await second.loop.runOnce();
    expect(robot.received).toHaveLength(0);
    now += cfg.delivery.leaseMs;
    expect(await second.loop.runOnce()).toMatchObject({ interrupted: 1, delivered: 0 });
    now = second.outbox.get(id!)!.nextAt;
    expect(await second.loop.runOnce()).toMatchObject({ delivered: 1 });
    expect(second.outbox.attempts(id!).map((a) => a.outcome)).toEqual(['interrupted', 'delivered']);
    expect(robot.accepted).toHaveLength(1);
  });

  it('gives up after the policy\'s attempts: a dead letter, not tried again until it is sent again by hand', async () => {
    const robot = await keep(WecomStandIn.start({ keys: [KEY], clock }));
    robot.failNext({ kind: 'status', status: 500 }, 3);
    const { notifier, loop, outbox } = hub(config([{ id: 'duty', kind: 'wecom-robot', webhook: robot.webhook(KEY) }], { maxAttempts: 3 }));
    const [id] = queued(notifier.notify(BAD_RATING, { key: 'k1' }));
    expect(outbox.backlog()).toEqual([{ channel: 'duty', state: 'pending', count: 1 }]);
    for (let pass = 0; pass < 3; pass++) {
      await loop.runOnce();
      now = Math.max(now, outbox.get(id!)!.nextAt);
    }
    expect(outbox.get(id!)).toMatchObject({ state: 'dead', failures: 3, lastReason: 'too-many-failures' });
    expect(REASON_TEXT['zh-CN'][outbox.get(id!)!.lastReason!]).toBe('多次发送未成功，已停止重试，请核对渠道后手动重发。');
    expect(outbox.backlog()).toEqual([{ channel: 'duty', state: 'dead', count: 1 }]);
    now += 86_400_000;
    await loop.runOnce();
    expect(robot.received).toHaveLength(3);
    expect(outbox.requeue(id!, now)).toBe(true);
    await loop.runOnce();
    expect(outbox.get(id!)!.state).toBe('delivered');
    expect(robot.accepted).toHaveLength(1);
    expect(outbox.backlog()).toEqual([]);
  });

  it('makes a refusal (an unknown robot key) a dead letter at once', async () => {
    const robot = await keep(WecomStandIn.start({ keys: ['the-right-key'], clock }));
    const { notifier, loop, outbox } = hub(config([{ id: 'duty', kind: 'wecom-robot', webhook: robot.webhook(KEY) }]));
    const [id] = queued(notifier.notify(BAD_RATING, { key: 'k1' }));
    expect(await loop.runOnce()).toMatchObject({ dead: 1 });
    expect(outbox.get(id!)).toMatchObject({ state: 'dead', lastReason: 'rejected', lastDetail: 'errcode 93000 invalid webhook url' });
  });

  it('keeps a robot within 20 messages a minute, counting what was sent before a restart', async () => {
    const robot = await keep(WecomStandIn.start({ keys: [KEY], clock }));
    const cfg = config([{ id: 'duty', kind: 'wecom-robot', webhook: robot.webhook(KEY) }]);
    const first = hub(cfg);
    for (let i = 1; i <= 25; i++) queued(first.notifier.notify(fault(`kiosk-${i}`), { key: `fault-${i}` }));
    await first.loop.runOnce();
    expect(robot.accepted).toHaveLength(20);
    expect(first.outbox.due(now + 59_999)).toHaveLength(0);
    first.db.close();

    now += 30_000;
    const second = hub(cfg);
    await second.loop.runOnce();
    expect(robot.received).toHaveLength(20);
    now = T0 + 60_000;
    await second.loop.runOnce();
    expect(robot.accepted).toHaveLength(25);
    // The robot itself never had to say "too fast".
    expect(robot.received.filter((r) => !r.accepted)).toEqual([]);
  });

  it('pauses a DingTalk robot for ten minutes after "send too fast", without counting it as a failure', async () => {
    const robot = await keep(DingtalkStandIn.start({ robots: [{ token: TOKEN, secret: DING_SECRET }], clock }));
    robot.failNext({ kind: 'rate-limit' });
    const { notifier, loop, outbox } = hub(config([{ id: 'heads', kind: 'dingtalk-robot', webhook: robot.webhook(TOKEN), secret: DING_SECRET }]));
    const ids = [...queued(notifier.notify(BAD_RATING, { key: 'r1' })), ...queued(notifier.notify(fault('kiosk-1'), { key: 'f1' }))];
    expect(await loop.runOnce()).toMatchObject({ rateLimited: 1, delivered: 0 });
    expect(ids.map((id) => outbox.get(id)!)).toMatchObject([
      { state: 'pending', failures: 0, nextAt: T0 + 600_000 },
      { state: 'pending', failures: 0, nextAt: T0 + 600_000 },
    ]);
    now += 300_000;
    await loop.runOnce();
    expect(robot.received).toHaveLength(1);
    now = T0 + 600_000;
    expect(await loop.runOnce()).toMatchObject({ delivered: 2 });
  });

  it("lets a citizen's near-alert expire when it cannot go out in time, and masks the number once it is final", async () => {
    const sms = await keep(TencentSmsStandIn.start({ ...TENCENT, templates: { '1111': smsTemplateContent('ticket-near') }, clock }));
    sms.failNext({ kind: 'error', code: 'InternalError.Timeout', message: 'timeout' }, 10);
    const { notifier, loop, outbox } = hub(config([{ id: 'sms', kind: 'tencent-sms', ...TENCENT, endpoint: sms.endpoint, templates: { 'ticket-near': '1111' } }]));
    const [id] = queued(notifier.notify({ kind: 'ticket-near', ticket: 'A012', ahead: 3 }, { key: 'near-A012', recipient: PHONE, expiresAt: now + 2_500 }));
    await loop.runOnce();
    expect(outbox.get(id!)).toMatchObject({ state: 'pending', recipient: '+8613800001111' });
    expect(outbox.list()[0]!.recipient).toBe('138****1111');
    now = outbox.get(id!)!.nextAt;
    await loop.runOnce();
    expect(outbox.get(id!)).toMatchObject({ state: 'expired', recipient: '138****1111' });
    now += 60_000;
    await loop.runOnce();
    expect(sms.received).toHaveLength(2);
    expect(outbox.requeue(id!, now)).toBe(false);
  });

  it('delivers a one-time code through Tencent Cloud SMS exactly once, even when the first answer is lost', async () => {
    const sms = await keep(TencentSmsStandIn.start({ ...TENCENT, templates: { '1110': smsTemplateContent('phone-code') }, clock }));
    sms.failNext({ kind: 'status', status: 502 });
    const { notifier, loop, outbox } = hub(config([{ id: 'sms', kind: 'tencent-sms', ...TENCENT, endpoint: sms.endpoint, templates: { 'phone-code': '1110' } }]));
    const [id] = queued(notifier.notify({ kind: 'phone-code', code: CODE, minutes: 5 }, { key: 'code-1', recipient: PHONE, expiresAt: now + 300_000 }));
    await loop.runOnce();
    now = outbox.get(id!)!.nextAt;
    await loop.runOnce();
    expect(sms.sent).toEqual([{ phone: '+8613800001111', templateId: '1110', params: [CODE, '5'], text: `您的验证码为${CODE}，5分钟内有效。如非本人操作，请忽略本短信。`, signName: '滨江政务' }]);
  });
});

describe('an SMS whose answer never came', () => {
  const OTHER = '13900003333';
  const templates = { '1110': smsTemplateContent('phone-code'), '1112': smsTemplateContent('ticket-called') };
  const smsChannel = (endpoint: string) => ({ id: 'sms', kind: 'tencent-sms', ...TENCENT, endpoint, templates: { 'phone-code': '1110', 'ticket-called': '1112' } });

  it("does not send a citizen's code or called alert again when the provider took it but did not answer", async () => {
    const sms = await keep(TencentSmsStandIn.start({ ...TENCENT, templates, clock }));
    sms.failNext({ kind: 'late' }, 2);
    const { notifier, loop, outbox } = hub(config([smsChannel(sms.endpoint)]));
    const [code] = queued(notifier.notify({ kind: 'phone-code', code: CODE, minutes: 5 }, { key: 'code-1', recipient: PHONE, expiresAt: now + 300_000 }));
    const [called] = queued(notifier.notify({ kind: 'ticket-called', ticket: 'A012', window: 3 }, { key: 'called-A012', recipient: OTHER }));
    const summaries = [];
    // Well past the provider's 30 s a number and every back-off: a retry would have gone by then.
    for (let pass = 0; pass < 8; pass++) {
      summaries.push(await loop.runOnce());
      now += 40_000;
    }
    expect(sms.sent.map((m) => m.text)).toEqual([`您的验证码为${CODE}，5分钟内有效。如非本人操作，请忽略本短信。`, '请A012号到3号窗口办理。']);
    expect(sms.received).toHaveLength(2);
    for (const id of [code!, called!]) {
      expect(outbox.get(id)).toMatchObject({ state: 'unknown', lastReason: 'unknown-result', recipient: expect.stringMatching(/^\d{3}\*{4}\d{4}$/) });
      expect(outbox.attempts(id).map((a) => [a.outcome, a.reason, a.detail])).toEqual([['unknown', 'unknown-result', 'no answer in time']]);
    }
    expect(summaries.reduce((n, s) => n + s.unknown, 0)).toBe(2);
    expect(outbox.counts()).toMatchObject({ unknown: 2, pending: 0, sending: 0 });
    expect(outbox.backlog()).toEqual([{ channel: 'sms', state: 'unknown', count: 2 }]);
    expect(REASON_TEXT['zh-CN']['unknown-result']).toMatch(/不再自动重发/);
  });

  it("pauses the channel longer after each SMS in a row that got no answer, up to the policy's longest back-off, and one back-off again after a delivery", async () => {
    const sms = await keep(TencentSmsStandIn.start({ ...TENCENT, templates, clock }));
    sms.failNext({ kind: 'late' }, 3);
    // Jitter 0.5: each back-off exactly the policy's (1 s, 2 s, 4 s) but never past 3 s.
    const { notifier, loop, outbox } = hub(config([smsChannel(sms.endpoint)], { maxDelayMs: 3_000 }));
    const call = (i: number) => queued(notifier.notify({ kind: 'ticket-called', ticket: `A01${i}`, window: 3 }, { key: `called-A01${i}`, recipient: `1390000000${i}` }))[0]!;
    const ids = [1, 2, 3, 4].map(call);
    const pauses: number[] = [];
    for (let pass = 0; pass < 3; pass++) {
      expect(await loop.runOnce()).toMatchObject({ unknown: 1, delivered: 0 });
      const until = outbox.pausedUntil('sms');
      pauses.push(until - now);
      // The channel's next SMS waits for the pause, and the console is told why.
      expect(outbox.get(ids[pass + 1]!)).toMatchObject({ state: 'pending', nextAt: until });
      expect(outbox.pauses(now)).toEqual([{ channel: 'sms', until, reason: 'unknown-result' }]);
      expect(await loop.runOnce()).toMatchObject({ unknown: 0, delivered: 0 });
      now = until;
    }
    expect(pauses).toEqual([1_000, 2_000, 3_000]);
    expect(await loop.runOnce()).toMatchObject({ delivered: 1 });
    expect(outbox.pauses(now)).toEqual([]);
    // After a delivery, the next SMS without an answer pauses the channel for one back-off again.
    sms.failNext({ kind: 'late' }, 1);
    call(5);
    expect(await loop.runOnce()).toMatchObject({ unknown: 1 });
    expect(outbox.pausedUntil('sms') - now).toBe(1_000);
    expect(sms.received).toHaveLength(5);
  });

  it('sends again a citizen\'s SMS that never reached the provider (connection refused)', async () => {
    const gone = await TencentSmsStandIn.start({ ...TENCENT, templates, clock });
    const refused = gone.endpoint;
    await gone.close();
    const sms = await keep(TencentSmsStandIn.start({ ...TENCENT, templates, clock }));
    const { notifier, loop, outbox } = hub(config([smsChannel(refused)]));
    const [id] = queued(notifier.notify({ kind: 'ticket-called', ticket: 'A012', window: 3 }, { key: 'called-A012', recipient: PHONE }));
    await loop.runOnce();
    expect(outbox.get(id!)).toMatchObject({ state: 'pending', failures: 1, lastReason: 'network' });
    notifier.setConfig(config([smsChannel(sms.endpoint)]));
    now = outbox.get(id!)!.nextAt;
    await loop.runOnce();
    expect(outbox.attempts(id!).map((a) => [a.outcome, a.reason])).toEqual([
      ['retry', 'network'],
      ['delivered', 'delivered'],
    ]);
    expect(sms.sent.map((m) => m.text)).toEqual(['请A012号到3号窗口办理。']);
  });

  it('ends a citizen\'s SMS cut off by a crash as unknown, not sent again; a staff alert is sent again', async () => {
    const sms = await keep(TencentSmsStandIn.start({ ...TENCENT, templates, clock }));
    const robot = await keep(WecomStandIn.start({ keys: [KEY], clock }));
    const cfg = config([smsChannel(sms.endpoint), { id: 'duty', kind: 'wecom-robot', webhook: robot.webhook(KEY) }]);
    const first = hub(cfg);
    const [called] = queued(first.notifier.notify({ kind: 'ticket-called', ticket: 'A012', window: 3 }, { key: 'called-A012', recipient: PHONE }));
    const [alert] = queued(first.notifier.notify(BAD_RATING, { key: 'r1' }));
    first.outbox.begin(called!, 'sms', now, cfg.delivery.leaseMs, '{}');
    first.outbox.begin(alert!, 'duty', now, cfg.delivery.leaseMs, '{}');
    first.db.close();

    const second = hub(cfg);
    now += cfg.delivery.leaseMs;
    expect(await second.loop.runOnce()).toMatchObject({ interrupted: 2, unknown: 1 });
    for (let pass = 0; pass < 4; pass++) {
      now += 60_000;
      await second.loop.runOnce();
    }
    expect(second.outbox.get(called!)).toMatchObject({ state: 'unknown', lastReason: 'unknown-result' });
    expect(second.outbox.get(alert!)).toMatchObject({ state: 'delivered' });
    expect(sms.received).toHaveLength(0);
    expect(robot.accepted).toHaveLength(1);
  });
});

describe('privacy of what is kept and logged', () => {
  it('keeps keys, tokens, secrets, phone numbers and codes out of the log, the audit record and the finished outbox', async () => {
    const wecom = await keep(WecomStandIn.start({ keys: [KEY], clock }));
    const ding = await keep(DingtalkStandIn.start({ robots: [{ token: TOKEN, secret: DING_SECRET }], clock }));
    const sms = await keep(TencentSmsStandIn.start({ ...TENCENT, templates: { '1110': smsTemplateContent('phone-code'), '1113': smsTemplateContent('bad-rating') }, clock }));
    // Providers that echo the request in their error answer: the echo is redacted too.
    wecom.failNext({ kind: 'error', code: -1, message: `system busy for key=${KEY}` });
    sms.failNext({ kind: 'error', code: 'InternalError.OtherError', message: `failed for +86${PHONE} with ${CODE}` });
    const logger = recordingLogger();
    const { db, notifier, loop, outbox } = hub(
      config([
        { id: 'duty', kind: 'wecom-robot', webhook: wecom.webhook(KEY) },
        { id: 'heads', kind: 'dingtalk-robot', webhook: ding.webhook(TOKEN), secret: DING_SECRET },
        { id: 'sms', kind: 'tencent-sms', ...TENCENT, endpoint: sms.endpoint, templates: { 'phone-code': '1110', 'bad-rating': '1113' }, staffPhones: ['13900002222'] },
      ]),
      logger,
    );
    queued(notifier.notify({ kind: 'phone-code', code: CODE, minutes: 5 }, { key: 'c1', recipient: PHONE }));
    queued(notifier.notify(BAD_RATING, { key: 'r1' }));
    for (let pass = 0; pass < 6; pass++) {
      await loop.runOnce();
      now += 60_000;
    }
    expect(outbox.counts()).toMatchObject({ delivered: 4, pending: 0 });
    expect(wecom.accepted).toHaveLength(1);
    expect(ding.accepted).toHaveLength(1);
    expect(sms.sent.map((s) => s.phone).sort()).toEqual(['+8613800001111', '+8613900002222']);

    const kept = [
      ...logger.lines,
      ...(db.prepare('SELECT * FROM notify_outbox').all() as object[]).map((r) => JSON.stringify(r)),
      ...(db.prepare('SELECT * FROM notify_attempts').all() as object[]).map((r) => JSON.stringify(r)),
    ].join('\n');
    for (const secret of [KEY, TOKEN, DING_SECRET, TENCENT.secretKey, TENCENT.secretId, PHONE, '13900002222', CODE]) expect(kept).not.toContain(secret);
    expect(kept).toContain('138****1111');
    expect(logger.lines.filter((l) => l.startsWith('notification delivered'))).toHaveLength(4);
    const audit = outbox.attempts(outbox.byKey('r1|duty')!.id).map((a) => JSON.parse(a.request) as { url: string; body: string });
    expect(audit[0]!.url).toBe(wecom.webhook('***'));
    expect(JSON.parse(audit[0]!.body)).toMatchObject({ msgtype: 'markdown' });
  });

  it("the demo's log SMS shows the message with the number masked", async () => {
    const logger = recordingLogger();
    const { notifier, loop } = hub(config([{ id: 'demo-sms', kind: 'log-sms' }]), logger);
    queued(notifier.notify({ kind: 'ticket-called', ticket: 'B007', window: 12 }, { key: 'called-B007', recipient: `+86 ${PHONE}` }));
    await loop.runOnce();
    expect(logger.lines.filter((l) => l.startsWith('SMS to'))).toEqual(['SMS to 138****1111: 【滨江区政务服务中心】请B007号到12号窗口办理。 {"channel":"demo-sms","to":"138****1111"}']);
  });
});

describe('routing', () => {
  const channels = (robot: WecomStandIn) => [
    { id: 'duty', kind: 'wecom-robot', webhook: robot.webhook(KEY) },
    { id: 'rsj-head', kind: 'wecom-robot', webhook: robot.webhook('k2'), departments: ['rsj'], notices: ['bad-rating', 'overdue'] },
    { id: 'off', kind: 'wecom-robot', webhook: robot.webhook('k3'), enabled: false },
    { id: 'sms', kind: 'log-sms', staffPhones: ['13900002222', '13900003333'], notices: ['bad-rating', 'ticket-called'] },
    { id: 'sms2', kind: 'log-sms' },
  ];

  it('sends a staff alert to every channel that takes it: robots, department heads, duty phones', async () => {
    const robot = await keep(WecomStandIn.start({ keys: [KEY, 'k2', 'k3'], clock }));
    const { notifier } = hub(config(channels(robot)));
    const result = notifier.notify(BAD_RATING, { key: 'r1' });
    expect(result.ok && result.queued.map((q) => q.channel)).toEqual(['duty', 'rsj-head', 'sms', 'sms']);
    const other = notifier.notify({ ...BAD_RATING, department: 'gaj' }, { key: 'r2' });
    expect(other.ok && other.queued.map((q) => q.channel)).toEqual(['duty', 'sms', 'sms']);
    const device = notifier.notify(fault('kiosk-1'), { key: 'f1' });
    // sms2 takes every kind but has no duty phone to send a staff alert to.
    expect(device.ok && device.queued.map((q) => q.channel)).toEqual(['duty']);
  });

  it("sends a citizen's SMS through one SMS channel only, and needs a valid number", async () => {
    const robot = await keep(WecomStandIn.start({ keys: [KEY], clock }));
    const { notifier } = hub(config(channels(robot)));
    const called = notifier.notify({ kind: 'ticket-called', ticket: 'A012', window: 3 }, { key: 'c1', recipient: PHONE });
    expect(called.ok && called.queued.map((q) => q.channel)).toEqual(['sms']);
    expect(notifier.notify({ kind: 'ticket-called', ticket: 'A012', window: 3 }, { key: 'c2' })).toMatchObject({ ok: false, code: 'no-recipient', text: '抱歉，发送短信需要手机号码。' });
    expect(notifier.notify({ kind: 'ticket-called', ticket: 'A012', window: 3 }, { key: 'c3', recipient: '12345', language: 'en' })).toMatchObject({
      ok: false,
      code: 'bad-recipient',
      text: 'Sorry, the phone number is not valid. Please check it and try again.',
    });
  });

  it('queues nothing, and says so without an error, when no channel takes the notice', () => {
    const { notifier, outbox } = hub(config([]));
    expect(notifier.notify(BAD_RATING, { key: 'r1' })).toEqual({ ok: true, queued: [] });
    expect(notifier.notify({ kind: 'phone-code', code: CODE, minutes: 5 }, { key: 'c1', recipient: PHONE })).toEqual({ ok: true, queued: [] });
    expect(outbox.counts().pending).toBe(0);
  });

  it("tests one channel on the console's request, and refuses an unknown one", async () => {
    const robot = await keep(WecomStandIn.start({ keys: [KEY, 'k2'], clock }));
    const { notifier, loop } = hub(config(channels(robot)));
    // The department head's robot takes bad ratings and overdue cases only, but a test reaches it.
    const tested = notifier.notify({ kind: 'channel-test' }, { key: 'test-1', channel: 'rsj-head' });
    expect(tested.ok && tested.queued.map((q) => q.channel)).toEqual(['rsj-head']);
    await loop.runOnce();
    expect(robot.messages).toEqual([{ robot: 'k2', msgtype: 'markdown', content: expect.stringContaining('这是一条测试消息，本通知渠道工作正常。') }]);
    expect(notifier.notify({ kind: 'channel-test' }, { key: 'test-3', channel: 'nope' })).toMatchObject({ ok: false, code: 'unknown-channel' });
  });

  it('refuses a notice that would carry personal data, before anything is queued', () => {
    const { notifier, outbox } = hub(config([{ id: 'demo', kind: 'log-sms', staffPhones: ['13900002222'] }]));
    expect(notifier.notify({ ...BAD_RATING, applicant: '张三' }, { key: 'r1' })).toMatchObject({ ok: false, code: 'bad-notice' });
    expect(notifier.notify({ kind: 'overdue', subject: 'complaint', reference: '11010519491231002X', due: '2024-05-20' }, { key: 'o1' })).toMatchObject({
      ok: false,
      code: 'personal-data',
    });
    expect(outbox.counts().pending).toBe(0);
  });
});

describe('the running loop', () => {
  it('delivers soon after a wake, and stops only once its request is answered', async () => {
    const robot = await keep(WecomStandIn.start({ keys: [KEY], clock }));
    const { notifier, loop, outbox } = hub(config([{ id: 'duty', kind: 'wecom-robot', webhook: robot.webhook(KEY) }]));
    loop.start();
    queued(notifier.notify(BAD_RATING, { key: 'r1' }));
    loop.wake();
    await robot.waitFor(() => robot.accepted.length === 1);

    robot.failNext({ kind: 'timeout' });
    const [id] = queued(notifier.notify(fault('kiosk-1'), { key: 'f1' }));
    loop.wake();
    await robot.waitFor(() => robot.received.length === 2);
    await loop.stop();
    expect(outbox.attempts(id!).map((a) => [a.outcome, a.reason])).toEqual([['retry', 'timeout']]);
    expect(outbox.counts().sending).toBe(0);
  });
});

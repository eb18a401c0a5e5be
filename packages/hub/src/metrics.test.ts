import { demoCatalogue } from '@servicehall/fixtures';
import { Outbox as NotifyOutbox } from '@servicehall/notify';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Gauge } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from './integrity';
import { isLoopback, mayReadMetrics } from './metrics';
import { startHub, type RunningHub } from './server';
import { TestTerminal } from './testing/terminal';

const TOKEN = 'hall-token-metrics';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-metrics-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

async function hubWith(options: Partial<Parameters<typeof startHub>[0]> = {}): Promise<{ hub: RunningHub; dir: string }> {
  const dir = tempDir();
  const hub = await startHub({ dataDir: dir, token: TOKEN, seed: demoCatalogue({ allDay: true }), ...options });
  cleanups.push(() => hub.close());
  return { hub, dir };
}

async function terminal(hub: RunningHub, hello: Parameters<typeof TestTerminal.connect>[1]): Promise<TestTerminal> {
  const t = await TestTerminal.connect(hub.wsUrl, hello);
  cleanups.push(() => t.close());
  return t;
}

/** The value of one sample of the exposition text, or undefined when it is not there. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v) && Object.keys(got).length === Object.keys(labels).length) return Number(m[3]);
  }
  return undefined;
}

async function scrape(hub: RunningHub): Promise<string> {
  const res = await fetch(`${hub.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

describe('the /metrics page', () => {
  it('counts commands by type and outcome with their latency, terminals by role with their outboxes, devices not ready and the notification backlog', async () => {
    const { hub, dir } = await hubWith();
    const kiosk = await terminal(hub, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN, waiting: 3 });
    await terminal(hub, { role: 'window', terminal: 'window-1', window: 1, token: TOKEN });
    for (let i = 0; i < 4; i++) expect(await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, `press-000${i}-kiosk-1`)).toMatchObject({ ok: true });
    expect(await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, 'press-0000-kiosk-1')).toMatchObject({ ok: true });
    expect(await kiosk.command({ type: 'issueTicket', serviceCode: 'NO-SUCH-ITEM', lane: 'ordinary' })).toMatchObject({ ok: false });
    const fault = { kind: 'printer' as const, name: '取号打印机', status: 'fault' as const, code: 'paper-end' };
    expect(await kiosk.command({ type: 'reportDevices', devices: [fault, { kind: 'screen', name: '触摸屏', status: 'ok' }] })).toMatchObject({ ok: true });
    // A notice waiting for its channel, queued by another part of the hub in the same database.
    const db = new Database(path.join(dir, DATABASE_FILE));
    new NotifyOutbox(db).add({ key: 'k1', channel: 'duty', notice: { kind: 'device-fault', terminal: 'kiosk-1', device: 'printer', fault: 'paper-end' }, at: Date.now() });
    db.close();
    // The hub's review raises the printer's alert (an event of its own) after the report: the page is read after it.
    for (let i = 0; i < 100 && ![...hub.store.view.alerts.values()].some((a) => a.subject.kind === 'device-fault'); i++) await new Promise((r) => setTimeout(r, 20));
    expect([...hub.store.view.alerts.values()].map((a) => a.subject.kind)).toContain('device-fault');

    let text = await scrape(hub);
    expect(sample(text, 'servicehall_commands_total', { type: 'issueTicket', outcome: 'ok' })).toBe(4);
    expect(sample(text, 'servicehall_commands_total', { type: 'issueTicket', outcome: 'repeated' })).toBe(1);
    expect(sample(text, 'servicehall_commands_total', { type: 'issueTicket', outcome: 'refused' })).toBe(1);
    expect(sample(text, 'servicehall_command_duration_seconds_count', { type: 'issueTicket' })).toBe(6);
    expect(sample(text, 'servicehall_command_duration_seconds_bucket', { type: 'issueTicket', le: '+Inf' })).toBe(6);
    expect(sample(text, 'servicehall_command_duration_seconds_sum', { type: 'issueTicket' })).toBeGreaterThan(0);
    // Each answered, with the hub's own time for it (the terminal's wait without its network's).
    expect(sample(text, 'servicehall_command_answer_seconds_count', { type: 'issueTicket' })).toBe(6);
    expect(sample(text, 'servicehall_command_answer_seconds_bucket', { type: 'issueTicket', le: '1' })).toBe(6);
    expect(sample(text, 'servicehall_command_answer_seconds_sum', { type: 'issueTicket' })).toBeGreaterThan(sample(text, 'servicehall_command_duration_seconds_sum', { type: 'issueTicket' })!);
    // Each command above waited for its own flush of the log (one after another, none shares one).
    const flushes = sample(text, 'servicehall_log_flush_seconds_count')!;
    expect(flushes).toBeGreaterThanOrEqual(5);
    expect(sample(text, 'servicehall_log_flush_seconds_bucket', { le: '+Inf' })).toBe(flushes);
    expect(sample(text, 'servicehall_log_flush_seconds_sum')).toBeGreaterThan(0);
    expect(sample(text, 'servicehall_terminals_online', { role: 'kiosk' })).toBe(1);
    expect(sample(text, 'servicehall_terminals_online', { role: 'window' })).toBe(1);
    expect(sample(text, 'servicehall_terminals_online', { role: 'display' })).toBe(0);
    expect(sample(text, 'servicehall_terminal_outbox_commands', { role: 'kiosk' })).toBe(3);
    expect(sample(text, 'servicehall_device_problems', { role: 'kiosk', kind: 'printer', status: 'fault' })).toBe(1);
    expect(sample(text, 'servicehall_device_problems', { role: 'kiosk', kind: 'screen', status: 'ok' })).toBeUndefined();
    expect(sample(text, 'servicehall_device_fault', { terminal: 'kiosk-1', kind: 'printer', name: '取号打印机', code: 'paper-end' })).toBe(1);
    expect(sample(text, 'servicehall_notify_outbox', { channel: 'duty', state: 'pending' })).toBe(1);
    expect(sample(text, 'servicehall_event_seq')).toBe(hub.store.seq);
    expect(sample(text, 'servicehall_start_check_seconds', { kind: 'new' })).toBe(0);
    expect(sample(text, 'servicehall_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    // A hub alone: in charge at the first epoch, no standby linked, nothing waiting for one.
    expect(sample(text, 'servicehall_in_charge')).toBe(1);
    expect(sample(text, 'servicehall_epoch')).toBe(1);
    expect(sample(text, 'servicehall_replication_standby')).toBe(0);
    expect(sample(text, 'servicehall_replication_lag_events')).toBe(0);

    // The outbox as the terminal reports it with its heartbeat; the paper put back; the kiosk gone.
    kiosk.send({ type: 'ping', t: 1, waiting: 0 });
    await kiosk.next((m) => m.type === 'pong');
    expect(await kiosk.command({ type: 'reportDevices', devices: [{ ...fault, status: 'ok', code: undefined }] })).toMatchObject({ ok: true });
    text = await scrape(hub);
    expect(sample(text, 'servicehall_terminal_outbox_commands', { role: 'kiosk' })).toBe(0);
    expect(sample(text, 'servicehall_device_fault', { terminal: 'kiosk-1', kind: 'printer', name: '取号打印机', code: 'paper-end' })).toBeUndefined();
    kiosk.close();
    await expect.poll(async () => sample(await scrape(hub), 'servicehall_terminals_online', { role: 'kiosk' })).toBe(0);
  });

  it('shows the last backup', async () => {
    const backups = tempDir();
    const { hub } = await hubWith({ backup: { dir: backups, everyMs: 3_600_000, keepDaily: 7, keepWeekly: 8 } });
    // The first backup is taken at start, as none is there yet.
    await expect.poll(() => hub.operations.backups!.status.last?.seq, { timeout: 10_000 }).toBe(hub.store.seq);
    const text = await scrape(hub);
    expect(sample(text, 'servicehall_backup_last_seq')).toBe(hub.store.seq);
    expect(sample(text, 'servicehall_backup_last_bytes')).toBe(hub.operations.backups!.status.last!.bytes);
    expect(sample(text, 'servicehall_backup_last_success_timestamp_seconds')).toBeCloseTo(hub.operations.backups!.status.last!.takenAtMs / 1000, 3);
    expect(sample(text, 'servicehall_backup_failures')).toBe(0);
  });
});

describe('a scrape that fails', () => {
  it('answers 500 with the reason and leaves the hub serving (a figure that threw ended the process: an unhandled rejection)', async () => {
    const { hub } = await hubWith();
    const failing = { name: 'servicehall_test_failing', help: 'a figure whose source fails', registers: [hub.operations.metrics.registry] };
    new Gauge({
      ...failing,
      collect() {
        throw new Error('disk I/O error');
      },
    });
    const res = await fetch(`${hub.url}/metrics`);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('disk I/O error');
    hub.operations.metrics.registry.removeSingleMetric(failing.name);
    // Still serving, the next scrape whole.
    expect((await fetch(`${hub.url}/api/health`)).status).toBe(200);
    expect(await scrape(hub)).toContain('servicehall_commands_total');
  });
});

describe('who may read /metrics', () => {
  const request = (remoteAddress: string, authorization?: string) => ({ socket: { remoteAddress }, headers: authorization ? { authorization } : {}, method: 'GET' }) as unknown as IncomingMessage;

  it.each([
    ['127.0.0.1', undefined, undefined, true],
    ['::1', undefined, undefined, true],
    ['::ffff:127.0.0.1', undefined, undefined, true],
    ['10.20.0.7', undefined, undefined, false],
    ['10.20.0.7', 'metrics-secret', undefined, false],
    ['10.20.0.7', 'metrics-secret', 'Bearer metrics-secret', true],
    ['10.20.0.7', 'metrics-secret', 'Bearer hall-token-metrics', false],
    ['::ffff:10.20.0.7', 'metrics-secret', 'Basic bWV0cmljcy1zZWNyZXQ=', false],
  ])('from %s with metrics token %s and header %s: %s', (address, token, header, allowed) => {
    expect(mayReadMetrics(request(address, header), token)).toBe(allowed);
  });

  it('answers another machine without the token with what to set', async () => {
    const { hub } = await hubWith();
    const written: { status?: number; body?: string } = {};
    const res = { writeHead: (status: number) => ((written.status = status), res), end: (body?: string) => (written.body = body) } as unknown as ServerResponse;
    await hub.operations.metrics.serve(request('192.0.2.10'), res, undefined);
    expect(written).toEqual({ status: 403, body: expect.stringContaining('SERVICEHALL_METRICS_TOKEN') });
    await hub.operations.metrics.serve(request('192.0.2.10', 'Bearer wrong'), res, 'metrics-secret');
    expect(written.status).toBe(401);
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('128.0.0.1')).toBe(false);
  });
});

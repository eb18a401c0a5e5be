import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, useLogger } from './log';
import { startHub, type RunningHub } from './server';

function capture(level = 'debug') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), logger: createLogger({ level, destination }) };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("the hub's log", () => {
  it('writes JSON lines with the level by name and leaves out tokens, PINs and applicants at any depth', () => {
    const { logger, records } = capture();
    logger.info({ token: 'hall-secret', command: { type: 'signIn', pin: '246810' }, body: { outcome: { applicant: { name: '王小明' } } } }, 'x');
    logger.warn({ headers: { authorization: 'Bearer hall-secret' } }, 'y');
    const [info, warn] = records();
    expect(info).toMatchObject({ level: 'info', name: 'servicehall-hub', msg: 'x', token: '[redacted]', command: { type: 'signIn', pin: '[redacted]' } });
    expect(JSON.stringify(info)).not.toMatch(/hall-secret|246810|小明/);
    expect(warn).toMatchObject({ level: 'warn', headers: { authorization: '[redacted]' } });
    expect(() => createLogger({ level: 'loud' })).toThrow(/SERVICEHALL_LOG_LEVEL must be one of/);
  });

  it("records each command of a clerk's visit by type and outcome, with no PIN, token or applicant in any line", async () => {
    const { logger, records, lines } = capture('debug');
    cleanups.push(useLogger(logger));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-log-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const TOKEN = 'hall-token-never-logged';
    const hub: RunningHub = await startHub({ dataDir: dir, token: TOKEN, seed: demoCatalogue({ allDay: true }) });
    cleanups.push(() => hub.close());
    const api = (method: string, route: string, body?: unknown) =>
      fetch(hub.url + route, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await api('PUT', '/api/clerks/1011/pin', { pin: '246810' })).status).toBe(200);
    expect((await api('POST', '/api/windows/7/sign-in', { clerk: '1011', pin: '999999' })).status).toBe(401);
    expect((await api('POST', '/api/windows/7/sign-in', { clerk: '1011', pin: '246810' })).status).toBe(200);
    await api('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
    await api('POST', '/api/windows/7/call-next');
    await api('POST', '/api/windows/7/start');
    const outcome = await api('POST', '/api/windows/7/outcome', { serviceCode: 'SJ-QY-SL', outcome: 'accepted', applicant: { name: '王小明', idNumber: '330106198801011234' } });
    expect(outcome.status).toBe(200);

    const commands = records().filter((r) => r.msg === 'command');
    expect(commands.map((r) => [r.command, r.outcome])).toEqual([
      ['signIn', 'refused'],
      ['signIn', 'ok'],
      ['issueTicket', 'ok'],
      ['callNext', 'ok'],
      ['startService', 'ok'],
      ['recordOutcome', 'ok'],
    ]);
    expect(commands[0]).toMatchObject({ level: 'debug', role: 'admin', code: 'unauthorised' });
    for (const line of lines) expect(line).not.toMatch(/246810|999999|王小明|330106198801011234|hall-token-never-logged/);
  });
});

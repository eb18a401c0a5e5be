import { parseTicketNumber, type Ticket } from '@servicehall/core';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, HUB_PROCESS_TOKEN, LOAD_TEST_LIMITS, spawnHub, type HubProcess } from '../../hub/src/testing/hub-process';

const here = path.dirname(fileURLToPath(import.meta.url));
const terminalScript = path.join(here, 'testing', 'terminal-process.ts');
const SERVICES = ['GA-CS-DJ', 'RS-LHJY-DJ'];

interface Line {
  answer?: string;
  ok?: boolean;
  number?: string;
  code?: string;
  link?: { status: string; seq: number | null; epoch: number; log: string | null };
  stopped?: number;
  at: number;
}

/** A terminal in its own process (testing/terminal-process.ts), its lines as they come. */
class TerminalProcess {
  readonly lines: Line[] = [];
  private readonly exited: Promise<void>;
  private constructor(readonly child: ChildProcess) {
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        this.lines.push(JSON.parse(buffer.slice(0, i)) as Line);
        buffer = buffer.slice(i + 1);
      }
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static start(config: Record<string, unknown>): TerminalProcess {
    return new TerminalProcess(spawn(process.execPath, ['--import', 'tsx', terminalScript, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] }));
  }

  get link() {
    return this.lines.filter((l) => l.link).at(-1)?.link;
  }

  answers() {
    return this.lines.filter((l) => l.answer);
  }

  stop(): void {
    this.child.stdin!.write('stop\n');
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

const hubs: HubProcess[] = [];
const terminals: TerminalProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of terminals.splice(0)) await t.kill();
  for (const h of hubs.splice(0)) await h.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-failover-'));
  dirs.push(d);
  return d;
}

async function json<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { ...init, headers: { authorization: `Bearer ${HUB_PROCESS_TOKEN}`, 'content-type': 'application/json', ...init.headers } });
  return { status: res.status, body: (await res.json()) as T };
}

type Status = { inCharge: boolean; epoch: number; seq: number; standby: string; log: string };

/** Each terminal's link as it last said: its state and the epoch of its hub (a failure shows them all). */
const linksOf = () => terminals.map((t) => `${t.link?.status ?? 'none'}@${t.link?.epoch ?? 0}`).join(' ');

describe('a hall with a primary hub, a standby hub and terminals, each its own process', () => {
  it('loses no acknowledged ticket when the primary is killed under load, repeats no number, moves every terminal within 5 s, and fences the old primary', { timeout: 180_000 }, async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const [dirA, dirB] = [tempDir(), tempDir()];
    const urlA = `http://127.0.0.1:${portA}`;
    const urlB = `http://127.0.0.1:${portB}`;
    // Two seconds of silence: a loaded machine's hub may be late with a beat by a second, and a standby must not take over from a live primary for that.
    const common = { SERVICEHALL_LIMITS: LOAD_TEST_LIMITS, SERVICEHALL_PROMOTE_AFTER_S: '2' };
    const primary = await spawnHub(dirA, { ...common, SERVICEHALL_PEER: urlB }, portA);
    hubs.push(primary);
    // The installer copies the hall key to the standby PC; its first start copies the database.
    fs.copyFileSync(path.join(dirA, 'hall.key'), path.join(dirB, 'hall.key'));
    const standby = await spawnHub(dirB, { ...common, SERVICEHALL_PEER: urlA, SERVICEHALL_STANDBY: '1' }, portB);
    hubs.push(standby);
    await expect.poll(async () => (await json<Status>(`${urlA}/replication/status`)).body.standby, { timeout: 10_000 }).toBe('in-step');

    const urls = [`${urlA.replace('http', 'ws')}/ws`, `${urlB.replace('http', 'ws')}/ws`];
    const base = { urls, token: HUB_PROCESS_TOKEN, services: SERVICES };
    for (const n of [1, 2]) terminals.push(TerminalProcess.start({ ...base, role: 'kiosk', terminal: `kiosk-${n}`, everyMs: 15, outboxFile: path.join(tempDir(), 'outbox.json') }));
    for (const n of [1, 2]) terminals.push(TerminalProcess.start({ ...base, role: 'display', terminal: `display-${n}` }));
    // Four terminal processes start slowly on a loaded machine.
    await expect.poll(linksOf, { timeout: 60_000 }).toBe('online@1 online@1 online@1 online@1');
    await expect.poll(() => terminals.slice(0, 2).every((t) => t.answers().length >= 30), { timeout: 30_000 }).toBe(true);

    // The primary's PC dies while both kiosks are pressing.
    await primary.kill('SIGKILL');
    const killedAt = Date.now();
    await expect.poll(async () => (await json<Status>(`${urlB}/replication/status`).catch(() => undefined))?.body.inCharge, { timeout: 10_000 }).toBe(true);
    // Every terminal is back online with the new primary (its epoch) within 5 s of the kill.
    await expect.poll(linksOf, { timeout: 10_000 }).toBe('online@2 online@2 online@2 online@2');
    for (const t of terminals) {
      const moved = t.lines.find((l) => l.link?.status === 'online' && l.link.epoch === 2)!;
      expect(moved.at - killedAt, `terminal ${terminals.indexOf(t)} moved`).toBeLessThan(5_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const t of terminals.slice(0, 2)) t.stop();
    await expect.poll(() => terminals.slice(0, 2).every((t) => t.lines.some((l) => l.stopped !== undefined)), { timeout: 20_000 }).toBe(true);

    // Every acknowledged ticket is at the new primary, once, and no number was given twice.
    const answers = terminals.slice(0, 2).flatMap((t) => t.answers());
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    expect(new Set(answers.map((a) => a.answer)).size).toBe(answers.length);
    const numbers = answers.map((a) => a.number!);
    expect(new Set(numbers).size).toBe(numbers.length);
    const queue = (await json<{ seq: number; tickets: Ticket[] }>(`${urlB}/api/queue`)).body;
    const held = queue.tickets.map((t) => t.number);
    for (const n of numbers) expect(held, `ticket ${n}`).toContain(n);
    expect(new Set(held).size).toBe(held.length);
    // Numbering went on where the old primary stopped: per prefix, the numbers given run without a repeat.
    for (const prefix of new Set(numbers.map((n) => parseTicketNumber(n)!.prefix))) {
      const mine = numbers.filter((n) => parseTicketNumber(n)!.prefix === prefix).map((n) => parseTicketNumber(n)!.sequence);
      expect(new Set(mine).size).toBe(mine.length);
    }
    // Every terminal's view converges on the new primary's log.
    const seq = (await json<Status>(`${urlB}/replication/status`)).body.seq;
    await expect.poll(() => terminals.every((t) => t.link?.seq === seq), { timeout: 5_000 }).toBe(true);

    // The old primary comes back: it learns of epoch 2 from its peer, follows it, and takes no command.
    const back = await spawnHub(dirA, { ...common, SERVICEHALL_PEER: urlB }, portA);
    hubs.push(back);
    await expect.poll(async () => (await json<Status>(`${urlA}/replication/status`).catch(() => undefined))?.body, { timeout: 20_000 }).toMatchObject({ inCharge: false, epoch: 2, seq });
    const refused = await json<{ code: string }>(`${urlA}/api/tickets`, { method: 'POST', body: JSON.stringify({ serviceCode: SERVICES[0] }) });
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('not-in-charge');
    // And the new primary goes on with it as its standby.
    await expect.poll(async () => (await json<Status>(`${urlB}/replication/status`)).body.standby, { timeout: 10_000 }).toBe('in-step');
    const after = await json<{ ticket: Ticket }>(`${urlB}/api/tickets`, { method: 'POST', body: JSON.stringify({ serviceCode: SERVICES[0] }) });
    expect(after.status).toBe(201);
    expect(held).not.toContain(after.body.ticket.number);
  });
});

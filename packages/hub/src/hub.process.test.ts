import { parseTicketNumber, type HallEvent, type Ticket } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import type { Answer } from '@servicehall/protocol';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RUNNING_MARKER } from './integrity';
import { hubCommandLine, LOAD_TEST_LIMITS, spawnHub, type HubProcess } from './testing/hub-process';
import { TestTerminal } from './testing/terminal';

const catalogue = demoCatalogue({ allDay: true });
/** Items without a daily quota, one per prefix, so that a thousand tickets are all issued. */
const items = (() => {
  const seen = new Set<string>();
  return catalogue.items.filter((i) => i.dailyQuota === undefined && !seen.has(i.prefix) && seen.add(i.prefix));
})().slice(0, 4);

let hub: HubProcess | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await hub?.kill('SIGKILL');
  hub = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-hub-'));
  dirs.push(d);
  return d;
}

async function get<T>(h: HubProcess, route: string): Promise<T> {
  const res = await fetch(h.url + route, { headers: { authorization: `Bearer ${h.token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function allEvents(h: HubProcess): Promise<HallEvent[]> {
  const out: HallEvent[] = [];
  for (;;) {
    const page = await get<{ events: HallEvent[] }>(h, `/api/events?since=${out.length}&limit=5000`);
    if (page.events.length === 0) return out;
    out.push(...page.events);
  }
}

/** Each prefix's numbers on the day, sorted; they must run 1, 2, 3, ... without a gap or a repeat. */
function expectGapFree(tickets: Ticket[]) {
  const byPrefix = new Map<string, number[]>();
  for (const t of tickets) {
    const { prefix, sequence } = parseTicketNumber(t.number)!;
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), sequence]);
  }
  for (const [prefix, numbers] of byPrefix) {
    numbers.sort((a, b) => a - b);
    expect(numbers, `numbers of prefix ${prefix}`).toEqual(numbers.map((_, i) => i + 1));
  }
  return byPrefix;
}

function issueMany(kiosk: TestTerminal, n: number, offset: number): Promise<Answer>[] {
  return Array.from({ length: n }, (_, i) => kiosk.command({ type: 'issueTicket', serviceCode: items[(i + offset) % items.length]!.code, lane: 'ordinary' }));
}

describe('the hub as its own process on a real database', () => {
  it('gives two kiosks issuing 500 tickets each at once distinct numbers without gaps', async () => {
    expect(items.length).toBe(4);
    // A load test: two kiosks far beyond a person's pace, so the hall's rate limits are off.
    hub = await spawnHub(tempDir(), { SERVICEHALL_LIMITS: LOAD_TEST_LIMITS });
    const [a, b] = await Promise.all([
      TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: 'kiosk-1', token: hub.token }),
      TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: 'kiosk-2', token: hub.token }),
    ]);
    const answers = await Promise.all([...issueMany(a, 500, 0), ...issueMany(b, 500, 1)]);
    const refused = answers.filter((x) => !x.ok);
    expect(refused).toEqual([]);
    const numbers = answers.map((x) => (x.ok ? x.ticket!.number : ''));
    expect(new Set(numbers).size).toBe(1000);

    const queue = await get<{ tickets: Ticket[] }>(hub, '/api/queue');
    expect(queue.tickets).toHaveLength(1000);
    const byPrefix = expectGapFree(queue.tickets);
    expect([...byPrefix.values()].map((n) => n.length)).toEqual([250, 250, 250, 250]);
    // The hub's process runs with its Node options, as the service starts it (node-flags.ts).
    expect(fs.readFileSync(`/proc/${hub.child.pid}/cmdline`, 'utf8').split('\0')).toContain('--initial-old-space-size=512');
    a.close();
    b.close();
  });

  it('keeps every acknowledged ticket, and nothing half-written, when killed with SIGKILL in the middle of a load', async () => {
    const dir = tempDir();
    hub = await spawnHub(dir, { SERVICEHALL_LIMITS: LOAD_TEST_LIMITS });
    const kiosks = await Promise.all(
      ['kiosk-1', 'kiosk-2'].map((terminal) => TestTerminal.connect(hub!.wsUrl, { role: 'kiosk', terminal, token: hub!.token })),
    );
    const acked: Ticket[] = [];
    const killed = (async () => {
      while (acked.length < 300) await new Promise((r) => setTimeout(r, 1));
      await hub!.kill('SIGKILL');
    })();
    const pending = kiosks.flatMap((k, i) =>
      // 3,000 in all, 750 of each prefix: a hub that ran all of them before it died still has numbers left (999 a prefix).
      issueMany(k, 1500, i).map((p) =>
        p.then((x) => {
          if (x.ok) acked.push(x.ticket!);
        }),
      ),
    );
    await killed;
    // Answers still in flight when the process died never arrive; only the acknowledged count.
    void Promise.allSettled(pending);
    const acknowledged = [...acked];
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);
    expect(acknowledged.length).toBeLessThan(3000);
    for (const k of kiosks) k.close();

    hub = await spawnHub(dir);
    const queue = await get<{ tickets: Ticket[] }>(hub, '/api/queue');
    const stored = new Map(queue.tickets.map((t) => [t.id, t]));
    for (const t of acknowledged) expect(stored.get(t.id)?.number, `acknowledged ${t.number}`).toBe(t.number);
    expectGapFree(queue.tickets);

    // The log holds one issue event per stored ticket, numbered without a gap.
    const events = await allEvents(hub);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const issued = events.filter((e) => e.type === 'ticket.issued');
    expect(issued).toHaveLength(queue.tickets.length);

    // The restarted hub goes on from where the log ends.
    const kiosk = await TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: 'kiosk-1', token: hub.token });
    const after = await kiosk.command({ type: 'issueTicket', serviceCode: items[0]!.code, lane: 'ordinary' });
    // (Refused only when the numbers of the prefix had run out: what 4,000 tickets over 4 prefixes did when the hub had run them all.)
    expect(after, JSON.stringify(after)).toMatchObject({ ok: true });
    expectGapFree([...queue.tickets, (after as { ticket: Ticket }).ticket]);
    kiosk.close();
  });

  it('says where the hall token was made and stored, never the token itself in its log (a service has no terminal to show it on), and says nothing of it again', async () => {
    const dir = tempDir();
    hub = await spawnHub(dir, { SERVICEHALL_TOKEN: '' });
    await expect.poll(() => hub!.output()).toContain('a new hall token was made and stored');
    const token = fs.readFileSync(path.join(dir, 'admin-token'), 'utf8').trim();
    expect(hub.output()).toContain(JSON.stringify(path.join(dir, 'admin-token')));
    expect(hub.output()).not.toContain(token);
    await hub.kill();
    hub = await spawnHub(dir, { SERVICEHALL_TOKEN: '' });
    expect(hub.output()).not.toContain('a new hall token');
    expect(hub.output()).not.toContain(token);
  });

  it('makes the hall CA and its certificate with init-tls, then serves HTTPS that terminals trusting that CA reach', async () => {
    const dir = tempDir();
    const { execFile } = await import('node:child_process');
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [...hubCommandLine(), 'init-tls', '--name', '127.0.0.1', '--name', 'hub.hall.local'], { env: { ...process.env, SERVICEHALL_DATA: dir, SERVICEHALL_PORT: '8643' } }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    // Chinese first for the installer, then English; the address terminals are given, with the port the hub will serve on.
    expect(out).toMatch(/^大厅的 TLS 证书在 .*：\n  ca\.crt   大厅的 CA（新建）：复制到每台终端/);
    expect(out).toContain('主机 127.0.0.1, hub.hall.local 的证书');
    expect(out).toContain('  终端连接 wss://hub.hall.local:8643/ws\nServiceHall TLS in ');
    expect(out).toContain("the hub's certificate for 127.0.0.1, hub.hall.local");
    expect(out).toContain('terminals connect to wss://hub.hall.local:8643/ws');
    hub = await spawnHub(dir, { SERVICEHALL_HOST: '127.0.0.1' });
    expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const https = await import('node:https');
    const get = (ca?: Buffer) =>
      new Promise<number>((resolve, reject) => https.get(`${hub!.url}/api/health`, ca ? { ca } : {}, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject));
    expect(await get(fs.readFileSync(path.join(dir, 'tls', 'ca.crt')))).toBe(200);
    await expect(get()).rejects.toThrow(/certificate/);
  });

  it("names the citizens' listener in its start line, for the installer to point the reverse proxy at", async () => {
    const net = await import('node:net');
    const free = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    hub = await spawnHub(tempDir(), { SERVICEHALL_PUBLIC_PORT: String(free) });
    const started = hub.output().split('\n').find((l) => l.includes('"console"'))!;
    expect(JSON.parse(started)).toMatchObject({ citizens: `http://127.0.0.1:${free}` });
    expect((await fetch(`http://127.0.0.1:${free}/m/`)).status).toBe(200);
  });
});

describe('a hub a test or bench started', () => {
  it('stops cleanly by itself when that process ends without stopping it', async () => {
    const dir = tempDir();
    const parent = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./testing/abandoning-parent.ts', import.meta.url)), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    parent.stdout!.on('data', (d) => (out += d));
    parent.stderr!.on('data', (d) => (out += d));
    // 'close', not 'exit': a process's exit may be heard before the last of what it printed is read.
    const code = await new Promise<number | null>((resolve) => parent.once('close', resolve));
    expect(out, 'the parent failed as it should').toMatch(/the bench failed here, on purpose/);
    expect(code).not.toBe(0);
    const pid = Number(/^(\d+)$/m.exec(out)?.[1]);
    expect(pid, `the hub's pid, from:\n${out}`).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await vi.waitFor(() => expect(alive(), `hub ${pid} still runs with its parent gone`).toBe(false), { timeout: 20_000, interval: 100 });
    // Stopped cleanly: the running marker removed, so the next start does not check the whole database.
    expect(fs.existsSync(path.join(dir, RUNNING_MARKER))).toBe(false);
  });
  it('reads SERVICEHALL_STOP_WITH_PARENT as every yes/no setting is read: "yes" stops it with its parent too', async () => {
    const hub = await spawnHub(tempDir(), { SERVICEHALL_STOP_WITH_PARENT: 'yes' });
    const exited = new Promise<number | null>((resolve) => hub.child.once('exit', resolve));
    // The channel closing is what the hub sees when the process that started it is gone.
    hub.child.disconnect();
    try {
      await vi.waitFor(() => expect(hub.output()).toMatch(/the process that started it is gone/), { timeout: 20_000, interval: 100 });
      expect(await exited).toBe(0);
    } finally {
      if (hub.child.exitCode === null) await hub.kill();
    }
  });
});

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-demo-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the README's first line: the demo hall", () => {
  it('starts the hub and every built terminal, prints where they are, serves them, and stops cleanly', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo-hall.ts'], {
      cwd: root,
      env: { ...process.env, SERVICEHALL_DATA: dir, SERVICEHALL_PORT: '0', SERVICEHALL_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await expect.poll(() => out, { timeout: 20_000 }).toContain('Ctrl+C stops the hall');
    const hubUrl = /hub API\s+(http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
    const token = /token\s+(\S+)/.exec(out)?.[1];
    expect(hubUrl).toBeDefined();
    expect(token).toBe(fs.readFileSync(path.join(dir, 'admin-token'), 'utf8').trim());
    expect(await (await fetch(`${hubUrl}/api/health`)).json()).toMatchObject({ ok: true });
    const screens = [...out.matchAll(/^\s+(http:\/\/127\.0\.0\.1:\d+\/)\s+(.+)$/gm)].map((m) => m[1]!);
    // Every built terminal app has a screen; the console is the hub's own page.
    const built = fs.readdirSync(path.join(root, 'apps')).filter((a) => fs.existsSync(path.join(root, 'apps', a, 'dist/renderer/index.html')) && fs.existsSync(path.join(root, 'apps', a, 'src/main/electron.ts')));
    expect(screens.length).toBeGreaterThanOrEqual(built.length);
    for (const url of screens) expect(await (await fetch(url)).text()).toContain('<div id="root">');
    // Each window's line says whom to sign in as there: its department's clerk numbers, with the PIN.
    expect(out).toMatch(/1号窗口 window 1 .*clerks 1001, 1002, 1003 sign in with PIN 123456/);
    expect(out).toMatch(/5号窗口 window 5 .*clerks 1006, 1007 sign in with PIN 123456/);
    // The hall's setup has no public address yet: said at start.
    expect(out).toMatch(/warning\s+大厅未设置公共访问地址：号票不印二维码.*管理控制台“大厅设置”/);
    // Every demo window has a notice printer (simulated), so that an outcome's notice prints.
    type Board = { terminals: { terminal: string; devices: { kind: string; name: string; status: string }[] }[] };
    const board = async () => ((await (await fetch(`${hubUrl}/api/devices`, { headers: { authorization: `Bearer ${token}` } })).json()) as Board).terminals;
    for (const n of [1, 3, 5])
      await expect.poll(async () => (await board()).find((t) => t.terminal === `window-${n}`)?.devices.find((d) => d.name === 'notice-printer')?.status, { timeout: 10_000 }).toBe('ok');
    const consoleUrl = /console\s+(http:\S+)/.exec(out)?.[1];
    expect(await (await fetch(consoleUrl!)).text()).toContain('<div id="root">');
    expect((await (await fetch(`${hubUrl}/api/console/status`)).json())).toMatchObject({ configured: true, needsFirstAdmin: false });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 40_000);
});

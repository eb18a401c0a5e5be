import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

/**
 * A hub that starts, serves and stops in a process of its own, which then says which of the
 * packages it may load it loaded. better-sqlite3 must be among them (the check sees CommonJS packages at all).
 */
const PROBE = `
import { createRequire } from 'node:module';
import { startHub } from ${JSON.stringify(path.join(here, 'server.ts'))};
const hub = await startHub({ dataDir: process.env.PROBE_DIR, port: 0, token: 'probe-token-of-the-start-test', ratingSweepMs: 3_600_000 });
const res = await fetch(hub.url + '/api/health');
const loaded = Object.keys(createRequire(import.meta.url).cache);
const has = (name) => loaded.some((file) => file.includes('/node_modules/' + name + '/'));
console.log(JSON.stringify({ health: res.status, modules: Object.fromEntries(['better-sqlite3', 'exceljs', '@peculiar/x509', 'kysely'].map((m) => [m, has(m)])) }));
await hub.close();
process.exit(0);
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("the hub's start", () => {
  it('loads neither the workbook (exceljs), the certificates (x509) nor the reports (kysely) until one is asked for', { timeout: 60_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-start-'));
    dirs.push(dir);
    const script = path.join(dir, 'probe.mts');
    fs.writeFileSync(script, PROBE);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: { ...process.env, PROBE_DIR: path.join(dir, 'hall'), SERVICEHALL_LOG_LEVEL: 'error' },
    });
    const line = stdout.trim().split('\n').at(-1)!;
    const probe = JSON.parse(line) as { health: number; modules: Record<string, boolean> };
    expect(probe.health).toBe(200);
    expect(probe.modules).toEqual({ 'better-sqlite3': true, exceljs: false, '@peculiar/x509': false, kysely: false });
  });
});

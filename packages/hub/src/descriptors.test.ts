import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileLimit, openFileLimitIn, withinDescriptors } from './descriptors';
import { DEFAULT_LIMITS } from './limits';
import { opsText } from './ops-strings';
import { startHub } from './server';

/** /proc/self/limits as Linux writes it, with the open files' line given. */
const limitsText = (openFiles: string) =>
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    'Max processes             127235               127235               processes ',
    openFiles,
    'Max locked memory         8388608              8388608              bytes     ',
    '',
  ].join('\n');

describe("the process's limit of open files", () => {
  it.each([
    ['Max open files            20000                20000                files     ', 20_000],
    ['Max open files            1024                 1048576              files     ', 1024],
    ['Max open files            unlimited            unlimited            files     ', undefined],
    ['Max open filez            1024                 1024                 files     ', undefined],
    ['Max open files            -1                   1024                 files     ', undefined],
  ])('is read from its line in /proc/self/limits: %s', (line, expected) => {
    expect(openFileLimitIn(limitsText(line))).toBe(expected);
  });

  it('is unknown when the text has no such line, or the file cannot be read (not Linux)', () => {
    expect(openFileLimitIn('')).toBeUndefined();
    expect(openFileLimitIn('Max processes 10 10 processes')).toBeUndefined();
    expect(openFileLimit('/nonexistent/limits')).toBeUndefined();
  });

  it("is this process's own on Linux", () => {
    if (process.platform !== 'linux') return;
    const n = openFileLimit();
    expect(n).toBeGreaterThan(0);
    // The process can hold that many at most: as many as it has open now are fewer.
    expect(fs.readdirSync('/proc/self/fd').length).toBeLessThan(n!);
  });
});

describe('the caps of connections and phone streams', () => {
  it('stay as configured when the descriptors are many, or their number unknown', () => {
    expect(withinDescriptors(DEFAULT_LIMITS, 1_048_576)).toEqual({ limits: DEFAULT_LIMITS, lowered: [] });
    expect(withinDescriptors(DEFAULT_LIMITS, undefined)).toEqual({ limits: DEFAULT_LIMITS, lowered: [] });
  });

  it('are lowered well under a limit the streams would reach: 20,000 phone streams on a machine of 20,000 descriptors', () => {
    const { limits, lowered } = withinDescriptors(DEFAULT_LIMITS, 20_000);
    expect(lowered).toEqual([{ name: 'phone.streams', from: 20_000, to: 16_000 }]);
    expect(limits.phone).toEqual({ ...DEFAULT_LIMITS.phone, streams: 16_000 });
    expect(limits.connections).toBe(DEFAULT_LIMITS.connections);
  });

  it('are all lowered under a small limit, those of an address no higher than those in all', () => {
    const { limits, lowered } = withinDescriptors(DEFAULT_LIMITS, 1024);
    // A fifth kept (256 at least): 768 usable; connections beyond the cap may hold up to twice it.
    expect(lowered).toEqual([
      { name: 'connections', from: 4_096, to: 384 },
      { name: 'phone.streams', from: 20_000, to: 768 },
      { name: 'phone.streamsPerAddress', from: 1_024, to: 768 },
    ]);
    expect(limits.connectionsPerAddress).toBe(64);
    const tiny = withinDescriptors(DEFAULT_LIMITS, 200).limits;
    expect([tiny.connections, tiny.connectionsPerAddress, tiny.phone.streams, tiny.phone.streamsPerAddress]).toEqual([1, 1, 2, 2]);
    expect(tiny.commands).toBe(DEFAULT_LIMITS.commands);
  });

  it("are told to the operator in Chinese, then English, with the limit and what to raise", () => {
    const text = opsText('capsLowered', { limit: 1024, name: 'connections', from: 4096, to: 384 });
    expect(text).toMatch(/^主机进程最多能打开 1024 个文件[^\n]*connections[^\n]*4096[^\n]*384[^\n]*\nThe hub's process may open 1024 files[^\n]*LimitNOFILE/);
  });
});

describe('a hub started under a limit of open files', () => {
  it('serves with the lowered caps and says so to its operator, once for each', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-descriptors-'));
    const warnings: string[] = [];
    // 300 descriptors: 256 kept, 44 usable, 22 connections (those beyond the cap hold theirs until answered).
    const h = await startHub({ dataDir: dir, token: 'hall-token-for-descriptors', seed: demoCatalogue({ allDay: true }), warn: (m) => warnings.push(m), openFiles: 300 });
    const sockets: net.Socket[] = [];
    try {
      expect(warnings.filter((w) => w.startsWith('主机进程最多能打开 300 个文件'))).toHaveLength(4);
      expect(warnings.join('\n')).toContain('lowered connections from 4096 to 22');
      for (let i = 0; i < 22; i++) sockets.push(await new Promise<net.Socket>((resolve) => { const s = net.connect(h.port, '127.0.0.1', () => resolve(s)); }));
      await expect.poll(() => h.connectionCount()).toBe(22);
      const over = await fetch(`${h.url}/api/health`);
      expect(over.status).toBe(503);
      expect(await over.json()).toMatchObject({ code: 'too-many-connections' });
      for (const s of sockets.splice(0)) s.destroy();
      await expect.poll(async () => (await fetch(`${h.url}/api/health`)).status).toBe(200);
    } finally {
      for (const s of sockets) s.destroy();
      await h.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

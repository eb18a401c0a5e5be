import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { prepareDataFolder } from './files';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

/** A folder that can never be made: Node 20's recursive mkdir retries its ENOENT there forever. */
const NEVER = '/proc/servicehall-never/data';

/**
 * Runs `body` (an ES module's text, which may import the hub's sources as `hub/...`) in a Node of
 * its own: a mkdir that spins holds its thread, which only ending the process stops. Resolves with
 * what it printed, or null when it had not ended within `ms`.
 */
function runAlone(body: string, ms = 10_000, limits: string[] = []): Promise<string | null> {
  return new Promise((resolve) => {
    const code = body.replaceAll("'hub/", `'${here}/`);
    const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', code];
    // prlimit's limits (a file size limit: writes beyond it fail, as on a full disk) for this process alone.
    const child = limits.length ? spawn('prlimit', [...limits, ...node], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(node[0]!, node.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    // 'close', not 'exit': a process's exit may be heard before the last of what it printed is read.
    child.once('close', (exit) => {
      clearTimeout(timer);
      resolve(exit === null ? null : out);
    });
  });
}

describe('a data folder that can never be made (SERVICEHALL_DATA under /proc)', () => {
  it.each([
    ['opening the hall database', `const { openDatabase } = await import('hub/db.ts'); openDatabase('${NEVER}');`],
    ['marking the hub as running', `const { markRunning } = await import('hub/integrity.ts'); markRunning('${NEVER}');`],
    [
      'copying the database from the peer hub',
      `const { default: http } = await import('node:http');
       const { copyFromPeer } = await import('hub/replication.ts');
       const server = http.createServer((req, res) => { res.writeHead(200, { 'x-sha256': '0', 'x-seq': '0' }); res.end(); });
       await new Promise((r) => server.listen(0, '127.0.0.1', r));
       try { await copyFromPeer({ url: 'http://127.0.0.1:' + server.address().port, token: 'hall-token-for-the-folder-tests' }, '${NEVER}'); } finally { server.close(); }`,
    ],
  ])('is refused at once when %s, naming the folder in Chinese then English, not spun on in mkdir', async (_, body) => {
    const out = await runAlone(`try { ${body} console.log('made'); } catch (error) { console.log(error.name + ': ' + error.message); }`);
    expect(out, 'it had not ended within 10 s').not.toBeNull();
    expect(out).toMatch(/^HubRefusal: 数据文件夹 \/proc\/servicehall-never\/data 无法创建或写入（ENOENT[^]*\nThe data folder \/proc\/servicehall-never\/data cannot be made/);
  }, 30_000);
});

describe('a data folder that is there but takes no files (SERVICEHALL_DATA=/proc)', () => {
  it('is refused naming the folder, and its mode is left as it was', () => {
    // For root, access() said /proc was writable: the hub made /proc (and /sys/kernel) mode 700 before it found it could make no file there.
    const chmod = vi.spyOn(fs, 'chmodSync').mockImplementation(() => undefined);
    const warn = vi.fn();
    try {
      expect(() => prepareDataFolder('/proc', warn)).toThrow(/^数据文件夹 \/proc 无法创建或写入（E[A-Z]+[^]*\nThe data folder \/proc cannot be made or written to/);
      expect(chmod).not.toHaveBeenCalled();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      chmod.mockRestore();
    }
  });
});

describe('a new hall on a disk with no room', () => {
  it('is refused naming the data folder in Chinese then English, and leaves no empty running marker to be read as an unclean stop', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-noroom-'));
    try {
      // A file size limit of 0 (RLIMIT_FSIZE): the marker's first byte fails (EFBIG), as a full disk's would (ENOSPC).
      const out = await runAlone(`const { markRunning } = await import('hub/integrity.ts'); try { markRunning('${dir}'); console.log('made'); } catch (error) { console.log(error.name + ': ' + error.message); }`, 30_000, ['--fsize=0:unlimited']);
      expect(out).toMatch(/^HubRefusal: 数据文件夹 \S+ 无法创建或写入（EFBIG[^]*有空余空间[^]*\nThe data folder \S+ cannot be made or written to \(EFBIG/);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("is refused naming the database when its tables do not fit, and starts once the disk has room", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-noroom-'));
    const open = `const { openDatabase } = await import('hub/db.ts'); try { openDatabase('${dir}').close(); console.log('opened'); } catch (error) { console.log(error.name + ': ' + error.message); }`;
    try {
      // 64 kB a file: the database's first page fits, its tables' WAL does not (as on a nearly full disk).
      const out = await runAlone(open, 30_000, ['--fsize=65536:unlimited']);
      expect(out).toMatch(/^HubRefusal: 主机无法读取大厅数据库 \S+hall\.db（SQLITE_(FULL|IOERR\w*): [^）]+）：它所在的磁盘可能已满或只读[^]*\nThe hub cannot read the hall database/);
      expect(await runAlone(open, 30_000)).toBe('opened\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

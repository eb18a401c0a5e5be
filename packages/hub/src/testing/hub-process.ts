import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtEntry } from '../built';
import { HUB_NODE_FLAGS } from '../node-flags';
import { underOrdinaryPolicy } from './ordinary-policy';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../../..');
const cli = path.resolve(here, '../cli.ts');

/**
 * Node's arguments that run the hub's command line, as `npm run hub -- …` does: with HUB_BUILT=1 (`npm test` sets it
 * once it has built the hub; the benches too) the bundle in packages/hub/dist, as a hall runs it; otherwise its
 * TypeScript through tsx (`npx vitest run` in a developer's checkout, nothing to build first). The built hub starts in
 * about 0.6 s here (a command in 0.35 s), tsx in 1.4 s, and the tests run the command line some hundred times.
 */
export function hubCommandLine(): string[] {
  if (process.env.HUB_BUILT !== '1') return ['--import', 'tsx', cli];
  if (!fs.existsSync(builtEntry('cli'))) throw new Error(`HUB_BUILT=1 but the hub is not built (${builtEntry('cli')}): npm run build:hub`);
  return [builtEntry('cli')];
}

/** The hall token a test hub process is given unless the test says otherwise. */
export const HUB_PROCESS_TOKEN = 'test-token-for-the-hub-process';

/** SERVICEHALL_LIMITS for load tests and benchmarks: many terminals and phones on one address, far beyond a person's pace. */
const UNLIMITED = { perMinute: 1e9, burst: 1e6 };
export const LOAD_TEST_LIMITS = JSON.stringify({
  commands: 'off',
  messages: UNLIMITED,
  connectionsPerAddress: 8000,
  connections: 8000,
  phone: { read: UNLIMITED, watch: UNLIMITED, code: UNLIMITED, write: UNLIMITED, cases: UNLIMITED },
});

export interface HubProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  token: string;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Runs the hub as its own process on `dataDir`, as an installer would, and waits until it serves:
 * its TypeScript through tsx, or with HUB_BUILT=1 (`npm test` and the benches set it) the hub as `npm run build`
 * built it (packages/hub/dist), as a hall runs it (hubCommandLine).
 */
export async function spawnHub(dataDir: string, env: Record<string, string> = {}, port = 0): Promise<HubProcess> {
  const program = hubCommandLine();
  // HUB_PROF=DIR: the hub writes a CPU profile there when it stops (for the benches: where does a hub's time go).
  const profile = process.env.HUB_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HUB_PROF}`] : [];
  // HUB_NODE_ARGS="--trace-gc-nvp --inspect=127.0.0.1:9339": more of Node's and V8's options for the hub (its collector's log, an
  // inspector); after the hub's own (HUB_NODE_FLAGS), so that one given again here wins (a bench of another setting).
  const extra = process.env.HUB_NODE_ARGS ? process.env.HUB_NODE_ARGS.split(' ').filter(Boolean) : [];
  // Under the ordinary policy even where the bench's own process is a stand-in under SCHED_BATCH: the hub is what is measured.
  const [file, args] = underOrdinaryPolicy(process.execPath, [...HUB_NODE_FLAGS, ...profile, ...extra, ...program]);
  const child = spawn(file, args, {
    cwd: root,
    env: { ...process.env, SERVICEHALL_DATA: dataDir, SERVICEHALL_PORT: String(port), SERVICEHALL_TOKEN: HUB_PROCESS_TOKEN, SERVICEHALL_DEMO_ALL_DAY: '1', SERVICEHALL_SEED: 'demo', SERVICEHALL_LOG_LEVEL: 'info', SERVICEHALL_STOP_WITH_PARENT: '1', ...env },
    // An IPC channel the hub stops with (SERVICEHALL_STOP_WITH_PARENT): a bench or test that throws leaves no hub behind.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // The channel does not keep this process alive: one that forgets its hub still ends (and the hub with it).
  child.channel?.unref();
  let out = '';
  // HUB_OUT=FILE: the hub's output is written there too (with HUB_NODE_ARGS=--trace-gc-nvp, a line for each of its collections).
  // Both streams write to the one file, closed once the hub has exited (not by whichever stream ends first).
  if (process.env.HUB_OUT) {
    const file = fs.createWriteStream(process.env.HUB_OUT, { flags: 'a' });
    child.stdout!.pipe(file, { end: false });
    child.stderr!.pipe(file, { end: false });
    child.once('close', () => file.end());
  }
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    // A loaded machine (the test suite beside the hubs) starts a hub in seconds, not milliseconds.
    const timer = setTimeout(() => (clearInterval(looking), reject(new Error(`the hub did not start in time:\n${out}`))), 60_000);
    // With SERVICEHALL_LOG_FILE the hub logs to that file's folder (hub.1.log, ...), looked at until it names its address.
    const logs = env.SERVICEHALL_LOG_FILE ? path.dirname(env.SERVICEHALL_LOG_FILE) : undefined;
    const logged = () => (logs && fs.existsSync(logs) ? fs.readdirSync(logs, { withFileTypes: true }).filter((f) => f.isFile()).map((f) => fs.readFileSync(path.join(logs, f.name), 'utf8')).join('') : '');
    const looking = logs ? setInterval(() => check(), 100) : undefined;
    const check = () => {
      // The hub's log line 'ServiceHall hub started' (JSON) names its address, https:// when it has TLS.
      const m = /"url":"(https?:\/\/[\d.]+:\d+)"/.exec(out + logged());
      if (m) {
        clearTimeout(timer);
        clearInterval(looking);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(looking);
      reject(new Error(`the hub exited with ${code}:\n${out}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/ws',
    token: env.SERVICEHALL_TOKEN ?? HUB_PROCESS_TOKEN,
    output: () => out,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Ports handed out by freePort: below the kernel's own for port 0 (Linux: 32768 up), a band for each test file that runs at once. */
const PORT_BANDS = { first: 20_000, size: 700, count: 16 };
let nextInBand = Math.floor(Math.random() * PORT_BANDS.size);

/** Whether nothing listens on `port` of 127.0.0.1 now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A TCP port free on this machine now, for a server that must come back on the same address, or whose port
 * must be known before it starts. Between this and its listen nobody else may take it: a port the kernel
 * gives for port 0 can be given next to another test file's server (EADDRINUSE, two files at once), so the
 * port is taken from a band of its own for each file running at once (vitest's VITEST_POOL_ID), below the
 * kernel's range, and tried first.
 */
export async function freePort(): Promise<number> {
  const slot = Number(process.env.VITEST_POOL_ID ?? 0) % PORT_BANDS.count;
  const band = PORT_BANDS.first + slot * PORT_BANDS.size;
  for (let tried = 0; tried < PORT_BANDS.size; tried++) {
    const port = band + (nextInBand++ % PORT_BANDS.size);
    if (await portFree(port)) return port;
  }
  throw new Error(`no free port in ${band} to ${band + PORT_BANDS.size - 1}`);
}

/** A figure of the hub's /metrics text (Prometheus' exposition format): `name` with its labels as written, e.g. `servicehall_phone_streams{served_by="hub"}`. */
export function metricIn(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** The processes a process started (a hub's phones' process), from the kernel (Linux). */
export function childrenOf(pid: number): number[] {
  return fs.readdirSync(`/proc/${pid}/task`).flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
}

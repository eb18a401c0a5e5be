import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { freePort } from '@servicehall/hub/testing';
import os from 'node:os';
import path from 'node:path';

/** Debian's PostgreSQL 15 (`apt-get install postgresql`, in scripts/install.sh --for-tests); SERVICEHALL_PG_BIN names another. */
export const PG_BIN = process.env.SERVICEHALL_PG_BIN || '/usr/lib/postgresql/15/bin';

/** Why the PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresMissing(): string | undefined {
  for (const tool of ['initdb', 'pg_ctl', 'postgres'])
    if (!fs.existsSync(path.join(PG_BIN, tool)))
      return `PostgreSQL's ${tool} is not in ${PG_BIN}: install Debian's postgresql (scripts/install.sh --for-tests) or set SERVICEHALL_PG_BIN`;
  return undefined;
}


/** A throwaway PostgreSQL cluster in a temporary folder, on a free port: for tests and the bench. */
export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/city */
  url: string;
  port: number;
  dir: string;
  /** Stops the server (its data stays), as a city's network or server going away would. */
  stop(): void;
  /** Starts it again on the same port. */
  start(): void;
  running(): boolean;
  /** Stops it and removes its folder. */
  destroy(): void;
}

// The server refuses to run as root: as root, the cluster belongs to Debian's postgres user.
const asRoot = process.getuid?.() === 0;
function run(tool: string, args: string[], nice = 0): string {
  const file = path.join(PG_BIN, tool);
  const [as, asArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  // The server started under nice: its processes inherit the value.
  const [cmd, argv] = nice ? ['nice', ['-n', String(nice), as, ...asArgs]] : [as, asArgs];
  const result = spawnSync(cmd, argv, { encoding: 'utf8', cwd: os.tmpdir() });
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * initdb, pg_ctl start, and a database named `database`: about two seconds. `nice`: the server's
 * processes run at that nice value (the bench: a city's server is not the hall's PC, and here it
 * shares the hall's cores, so it gives way to the hub as the shipper's own thread does).
 */
export async function startTestPostgres(database = 'city', options: { nice?: number } = {}): Promise<TestPostgres> {
  const missing = postgresMissing();
  if (missing) throw new Error(missing);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-pg-'));
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  const port = await freePort();
  // fsync stays on: the tests stop the server and count on what it committed.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50 -c shared_buffers=64MB`;
  let up = false;
  const start = () => {
    run('pg_ctl', ['-D', data, '-o', serverOptions, '-l', path.join(dir, 'log'), '-w', '-t', '30', 'start'], options.nice);
    up = true;
  };
  const stop = () => {
    if (!up) return;
    run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    up = false;
  };
  start();
  run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-q', '-c', `CREATE DATABASE ${database}`]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    dir,
    stop,
    start,
    running: () => up,
    destroy() {
      try {
        stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

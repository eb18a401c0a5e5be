import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresMissing, startTestPostgres } from './testing';

const missing = postgresMissing();
if (missing) console.warn(`skipping the PostgreSQL tests: ${missing}`);

/** A process's nice value, field 19 of /proc/PID/stat (after the command's parenthesis). */
const niceOf = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);

describe.skipIf(!!missing || process.platform !== 'linux')("the bench's PostgreSQL", () => {
  it('runs its server and every connection at the nice value asked for, and the tests’ at the caller’s', async () => {
    const mine = niceOf(process.pid);
    for (const nice of [10, undefined]) {
      const city = await startTestPostgres('city', nice === undefined ? {} : { nice });
      try {
        const postmaster = Number(fs.readFileSync(path.join(city.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
        const client = new pg.Client(city.url);
        await client.connect();
        const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        const expected = nice === undefined ? mine : Math.min(19, mine + nice);
        try {
          expect(niceOf(postmaster)).toBe(expected);
          expect(niceOf(backend)).toBe(expected);
        } finally {
          await client.end();
        }
      } finally {
        city.destroy();
      }
    }
  }, 60_000);
});

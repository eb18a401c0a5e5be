import { startRatingFeed } from '@servicehall/upstream';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseWait } from './server';

/** What a city database not there yet answers a connect with (nothing listening on its port). */
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/** A database with nothing to send: every statement answers no rows. */
const empty = { query: async () => ({ rows: [] }), release: () => undefined } as unknown as pg.ClientBase & { release(): void };

/** The 好差评 feed every 10 ms over a database away for its first `awayTurns` connects, its words as databaseWait says them. */
async function feedOver(awayTurns: number, waitingAtStart: boolean, turns: number): Promise<string[]> {
  const said: string[] = [];
  const wait = databaseWait({ away: () => said.push('away'), back: () => said.push('back'), failed: (e) => said.push(`failed ${(e as Error).message}`) }, waitingAtStart);
  let connects = 0;
  const connect = async () => (++connects <= awayTurns ? Promise.reject(refused()) : empty);
  const feed = startRatingFeed(connect, { kind: 'file', dir: '/nonexistent', levels: 'national' }, 10, (e) => wait.failed(e), () => wait.done());
  await expect.poll(() => connects, { timeout: 5_000 }).toBeGreaterThanOrEqual(turns);
  await feed.stop();
  return said;
}

describe("the 好差评 feed's words while the city's database is not there yet", () => {
  it('says the wait once, over many turns, and once when the database is back', async () => {
    // Before: a failed turn said at each of the six turns (every 10 s), 好差评上报本轮没有完成 six times over.
    expect(await feedOver(6, false, 10)).toEqual(['away', 'back']);
  });

  it('says nothing more of a wait the server said at its start, but says the database back', async () => {
    expect(await feedOver(3, true, 6)).toEqual(['back']);
  });

  it('still says every turn that failed for another reason', () => {
    const said: string[] = [];
    const wait = databaseWait({ away: () => said.push('away'), back: () => said.push('back'), failed: () => said.push('failed') });
    const notADir = Object.assign(new Error('ENOTDIR: not a directory'), { code: 'ENOTDIR' });
    wait.failed(notADir);
    wait.failed(notADir);
    wait.done();
    expect(said).toEqual(['failed', 'failed']);
  });
});

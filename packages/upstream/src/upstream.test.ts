import { generateHistory } from '@servicehall/hub/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './testing';
import type { UpstreamStatus } from './ship';
import { startUpstream } from './upstream';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("the hub's shipper to the city", () => {
  it('ends its worker as soon as the shipper has stopped, so that a hub shipping to the city stops at once, not 5 s later', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-upstream-stop-'));
    dirs.push(dir);
    generateHistory({ dataDir: dir, days: 1, ticketsPerDay: 10, lastDay: '2026-11-27' });
    // The city's database away (nobody listens there): the shipper waits and tries again, as in a hall whose city is down.
    const said: UpstreamStatus[] = [];
    const upstream = startUpstream({ databaseFile: path.join(dir, 'hall.db'), url: `postgres://city_hub:none@127.0.0.1:${await freePort()}/city`, hall: '330106-01', firstRetryMs: 50, maxRetryMs: 100 }, (s) => said.push(s));
    await expect.poll(() => said.some((s) => s.state === 'offline'), { timeout: 20_000 }).toBe(true);
    const started = performance.now();
    await upstream.stop();
    // Before, the worker stayed alive on its message port once its shipper had stopped, and was terminated after 5 s.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(said.at(-1)?.state).toBe('stopped');
  }, 30_000);
});

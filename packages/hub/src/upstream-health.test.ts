import type { UpstreamStatus } from '@servicehall/upstream/hub';
import { describe, expect, it } from 'vitest';
import { upstreamHealth } from './http';

const status = (change: Partial<UpstreamStatus>): UpstreamStatus => ({ hall: '330106-01', state: 'caught-up', shippedSeq: 10, hallSeq: 10, behindEvents: 0, behindSeconds: 0, eventsPerSecond: 0, ...change });

describe("the hub's health says why it does not ship to the city, not its error", () => {
  it.each([
    ['a city database not reached (down, a wrong address or password)', { state: 'offline', cityAnswered: false, message: 'connect ECONNREFUSED' }, 'unreachable'],
    ['a city database that answered but did not take the records (its disk full)', { state: 'offline', cityAnswered: true, message: 'No space left on device' }, 'not-taken'],
    ["a city following another log under this hall's code (a wrong hall code)", { state: 'refused', refusal: 'another-log' }, 'another-log'],
    ['another hub shipping this log from a copy of its data folder', { state: 'refused', refusal: 'another-hub' }, 'another-hub'],
    ["a log the city's copy does not meet (archived before it was shipped)", { state: 'refused', refusal: 'not-shipped-log' }, 'not-shipped-log'],
  ] as const)('%s', (_, change, problem) => {
    const health = upstreamHealth(status(change));
    // Before: offline was all the console could read, 市级平台暂时无法连接 for each of them.
    expect(health).toMatchObject({ state: change.state, problem });
    expect(JSON.stringify(health)).not.toContain('message' in change ? change.message : '@');
  });

  it('says no problem while it ships', () => {
    for (const state of ['connecting', 'shipping', 'caught-up'] as const) expect(upstreamHealth(status({ state }))).not.toHaveProperty('problem');
  });
});

import { describe, expect, it } from 'vitest';
import { FEED_AGAIN_MS, FEED_LONGEST_WAIT_MS, feedRetryMs, networkError, refusedFeed, type FeedLink } from './feed-link';
import { STRINGS } from './i18n';

describe('asking for a refused live feed again', () => {
  it.each([
    // inARow, the hub's Retry-After, the wait (no spread)
    [1, undefined, FEED_AGAIN_MS],
    [2, undefined, 2 * FEED_AGAIN_MS],
    [3, undefined, 4 * FEED_AGAIN_MS],
    [10, undefined, FEED_LONGEST_WAIT_MS],
    [1, 1_000, 1_000],
    [3, 1_000, 4_000],
    // A Retry-After longer than the longest wait is honoured as it is.
    [1, 120_000, 120_000],
    [5, 120_000, 120_000],
  ])('after refusal %i in a row with Retry-After %s waits %i ms', (inARow, retryAfterMs, wait) => {
    expect(feedRetryMs(inARow, retryAfterMs, 0.5)).toBe(wait);
  });

  it('spreads the wait a quarter either way, so that a hall’s consoles refused together do not ask again together', () => {
    expect(feedRetryMs(1, 4_000, 0)).toBe(3_000);
    expect(feedRetryMs(1, 4_000, 1)).toBe(5_000);
  });
});

describe('what a refused feed was, by the session check after it', () => {
  it.each<[Parameters<typeof refusedFeed>[0], FeedLink]>([
    ['signed-in', 'busy'],
    [{ status: 401, code: 'unauthorised' }, 'ended'],
    [{ status: 0, code: 'offline' }, 'lost'],
    [{ status: 503, code: 'not-in-charge' }, 'notInCharge'],
    [{ status: 429, code: 'rate-limited' }, 'busy'],
    [{ status: 503, code: 'too-many-connections' }, 'refused'],
  ])('%j is %s', (check, link) => expect(refusedFeed(check)).toBe(link));
});

describe('a network error on the feed', () => {
  it.each<[FeedLink, FeedLink]>([
    // The hub down as the page opened: still connecting, not a link that was lost.
    ['linking', 'linking'],
    ['linked', 'lost'],
    ['notInCharge', 'lost'],
    ['busy', 'lost'],
  ])('after %s says %s', (before, after) => expect(networkError(before)).toBe(after));
});

describe('what the console’s corner says of its feed', () => {
  const states: FeedLink[] = ['linking', 'linked', 'lost', 'busy', 'notInCharge', 'refused', 'ended'];

  it('never says it reconnects once the session has ended, in either language', () => {
    expect(STRINGS['zh-CN'].live.ended).toContain('会话已结束');
    expect(STRINGS['zh-CN'].live.ended).not.toMatch(/重新连接/);
    expect(STRINGS.en.live.ended).toContain('Session ended');
    expect(STRINGS.en.live.ended).not.toMatch(/reconnect/i);
  });

  it('says that a refused feed comes back by itself, and what the supervisor may do', () => {
    for (const link of ['busy', 'notInCharge', 'refused'] as const) {
      expect(STRINGS['zh-CN'].live[link]).toContain('自动重新连接');
      expect(STRINGS.en.live[link]).toContain('reconnects shortly by itself');
    }
    expect(STRINGS['zh-CN'].live.busy).toContain('请关闭不用的页面');
    expect(STRINGS['zh-CN'].live.notInCharge).toContain('主备切换中');
  });

  it('says each state in its own words in both languages', () => {
    for (const language of ['zh-CN', 'en'] as const) expect(new Set(states.map((s) => STRINGS[language].live[s])).size).toBe(states.length);
  });
});

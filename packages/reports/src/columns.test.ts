import { describe, expect, it } from 'vitest';
import { formatDuration } from './columns';

describe('a duration in a report', () => {
  it.each([
    [0, '0:00:00'],
    [90, '0:01:30'],
    [3599.6, '1:00:00'],
    [3 * 3600 + 5 * 60 + 7, '3:05:07'],
    // A clock set back, or a ticket served before it was called: one sign in front, never "-1:-2:-30".
    [-90, '-0:01:30'],
    [-3725, '-1:02:05'],
    [-0.4, '0:00:00'],
    [undefined, ''],
    [Number.NaN, ''],
  ])('reads %s s as "%s"', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

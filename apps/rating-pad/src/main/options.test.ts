import { ConfigError } from '@servicehall/agent';
import { describe, expect, it } from 'vitest';
import { padOptionsFromEnv } from './options';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    padOptionsFromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('how long the pad’s thanks and reasons screens stay', () => {
  it('are the pad’s defaults unless the hall sets them, in seconds', () => {
    expect(padOptionsFromEnv({})).toEqual({});
    expect(padOptionsFromEnv({ SERVICEHALL_RATING_THANKS_SECONDS: '10', SERVICEHALL_RATING_DETAILS_SECONDS: ' 120 ' })).toEqual({ thanksMs: 10_000, detailsMs: 120_000 });
  });

  it.each([
    ['SERVICEHALL_RATING_THANKS_SECONDS', '0'],
    ['SERVICEHALL_RATING_THANKS_SECONDS', '121'],
    ['SERVICEHALL_RATING_THANKS_SECONDS', '6s'],
    ['SERVICEHALL_RATING_DETAILS_SECONDS', '601'],
    ['SERVICEHALL_RATING_DETAILS_SECONDS', 'ninety'],
  ])('are refused, naming %s, when it is %j', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
    expect(problems[0]).toContain(value);
    let message = '';
    try {
      padOptionsFromEnv({ [name]: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(new RegExp(`^终端配置有误[^]*${name}`));
  });
});

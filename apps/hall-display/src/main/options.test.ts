import { ConfigError } from '@servicehall/agent';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDisplayOptions } from './options';

describe('the hall screen’s notices', () => {
  it('are taken from the environment, one per "|"', () => {
    expect(loadDisplayOptions(undefined, { SERVICEHALL_NOTICES: '请凭号码按序办理 | 请保管好随身财物' }).notices).toEqual(['请凭号码按序办理', '请保管好随身财物']);
  });

  it('are read from a configuration file saved with a byte-order mark (Windows Notepad)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-display-'));
    try {
      const file = path.join(dir, 'terminal.json');
      fs.writeFileSync(file, '\uFEFF' + JSON.stringify({ hallDisplay: { notices: ['请凭号码按序办理'] } }));
      expect(loadDisplayOptions(file, {}).notices).toEqual(['请凭号码按序办理']);
      // A key it does not know is named, not left to its default.
      fs.writeFileSync(file, JSON.stringify({ hallDisplay: { notice: ['请凭号码按序办理'] } }));
      expect(() => loadDisplayOptions(file, {})).toThrow(ConfigError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are refused, naming the phrase, when one uses a phrase the handbook forbids (H-14)', () => {
    let problems: string[] = [];
    try {
      loadDisplayOptions(undefined, { SERVICEHALL_NOTICES: '请凭号码按序办理|下班了，明天再来' });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems.join('\n')).toContain('下班了，明天再来');
  });
});

describe('how long each page of the waiting list stays', () => {
  it('is 8 s unless the hall sets it, in the file or the environment', () => {
    expect(loadDisplayOptions(undefined, {}).pageMs).toBe(8000);
    expect(loadDisplayOptions(undefined, { SERVICEHALL_PAGE_MS: '12000' }).pageMs).toBe(12_000);
  });

  it('is refused, naming the variable set, below 3 s (too quick to read) or above 2 minutes', () => {
    for (const value of ['1000', '600000', 'soon']) {
      let problems: string[] = [];
      try {
        loadDisplayOptions(undefined, { SERVICEHALL_PAGE_MS: value });
      } catch (error) {
        if (error instanceof ConfigError) problems = error.problems;
      }
      expect(problems.join('\n'), value).toContain(`environment variable SERVICEHALL_PAGE_MS=${value}:`);
    }
  });
});

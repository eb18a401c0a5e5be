import { ConfigError } from '@servicehall/agent';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWindowOptions } from './options';

describe("the window terminal's own options", () => {
  it('name a key they do not know instead of leaving its option at the default', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-window-options-'));
    try {
      const file = path.join(dir, 'terminal.json');
      fs.writeFileSync(file, JSON.stringify({ windowTerminal: { answerTimeoutMS: 3000 } }));
      let problems: string[] = [];
      try {
        loadWindowOptions(file, {});
      } catch (error) {
        if (error instanceof ConfigError) problems = error.problems;
      }
      expect(problems).toEqual(['windowTerminal: Unrecognized key: "answerTimeoutMS"']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { ConfigError } from '@servicehall/agent';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKioskSettings } from './settings';

describe("the kiosk's own settings", () => {
  it('name a key they do not know instead of leaving its setting at the default', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-kiosk-settings-'));
    try {
      const file = path.join(dir, 'terminal.json');
      fs.writeFileSync(file, JSON.stringify({ kiosk: { leasesize: 40 } }));
      let problems: string[] = [];
      try {
        loadKioskSettings(file, {});
      } catch (error) {
        if (error instanceof ConfigError) problems = error.problems;
      }
      expect(problems.join('\n')).toContain('kiosk: Unrecognized key: "leasesize"');
      fs.writeFileSync(file, JSON.stringify({ kiosk: { leaseSize: 40 } }));
      expect(loadKioskSettings(file, {}).leaseSize).toBe(40);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

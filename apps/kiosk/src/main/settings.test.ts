import { ConfigError } from '@servicehall/agent';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@servicehall/agent';
import { checkKioskPrinter, loadKioskSettings } from './settings';

describe("the kiosk's ticket printer", () => {
  it('is refused at load when its profile is none the driver knows (it would print 80 mm lines on 58 mm paper)', () => {
    const config = (profile: string) =>
      loadConfig(undefined, { SERVICEHALL_HUB_URL: 'ws://127.0.0.1:8600/ws', SERVICEHALL_TOKEN: 'a-hall-token' }, { role: 'kiosk', terminal: 'kiosk-1', devices: { printer: { transport: 'serial', path: '/dev/ttyS0', profile } } });
    expect(() => checkKioskPrinter(config('58 mm'))).toThrow(/devices\.printer\.profile: "58 mm" is not a printer profile; one of 58, 58mm, 80, 80mm, generic-58/);
    expect(() => checkKioskPrinter(config('58 mm'))).toThrow(/^终端配置有误[^]*devices\.printer\.profile：“58 mm”不是打印机型号，应为以下之一：58、58mm、80、80mm、generic-58/);
    for (const profile of ['58mm', '80MM', 'generic-58']) expect(() => checkKioskPrinter(config(profile))).not.toThrow();
  });
});

describe("the kiosk's own settings", () => {
  it('hold a printer that is better again for 10 s before the hub is told, unless set otherwise', () => {
    expect(loadKioskSettings(undefined, {}).printerRecoveryMs).toBe(10_000);
    expect(loadKioskSettings(undefined, { SERVICEHALL_KIOSK_PRINTER_RECOVERY_MS: '1500' }).printerRecoveryMs).toBe(1500);
  });

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

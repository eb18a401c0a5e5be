import { DisplaySimulator, displayDevice, startPtyPair } from '@servicehall/fixtures/devices';
import { DISPLAY_PROFILES, NumberDisplay, type TextDisplayProfile } from '@servicehall/number-display';
import { describe, expect, it } from 'vitest';
import { STRINGS } from '../shared/strings';
import { loadConfig } from '@servicehall/agent';
import { checkWindowDisplay, displayProfileFor, displayProfileOf, faceRows, WindowDisplay } from './display';

const zh = STRINGS['zh-CN'].display;

/** A display driver whose bytes go straight into the display simulator's device. */
function onDevice(profile: TextDisplayProfile) {
  const device = displayDevice(profile);
  const driver = new NumberDisplay({ write: async (bytes) => void device.receive(Buffer.from(bytes)), onData: () => () => undefined, close: async () => undefined }, profile);
  return { device, driver };
}

describe('the rows on a Chinese window display', () => {
  for (const id of ['dm-d-chinese', 'cd5220-chinese'] as const) {
    it(`greets with the call on a ${id} display (H-05)`, async () => {
      const profile = DISPLAY_PROFILES[id] as TextDisplayProfile;
      const { device, driver } = onDevice(profile);
      expect(await driver.showRows(faceRows({ kind: 'call', number: 'A012', window: 3 }, zh))).toEqual({ ok: true });
      expect(device.shown.rows).toEqual(['您好！很高兴为您服务', '请A012号到3号窗口']);
      expect(device.rejected).toBe(0);
    });

    it(`shows 暂停服务 on a ${id} display while paused, replacing the call`, async () => {
      const profile = DISPLAY_PROFILES[id] as TextDisplayProfile;
      const { device, driver } = onDevice(profile);
      await driver.showRows(faceRows({ kind: 'call', number: 'A012', window: 3 }, zh));
      await driver.showRows(faceRows({ kind: 'paused', window: 3 }, zh));
      expect(device.shown.rows).toEqual(['暂停服务', '如需帮助请到咨询台']);
    });
  }

  it('shows the widest number and window whole: the greeting stays, the call line drops its 请', async () => {
    const { device, driver } = onDevice(DISPLAY_PROFILES['dm-d-chinese'] as TextDisplayProfile);
    await driver.showRows(faceRows({ kind: 'call', number: 'AB12345', window: 999 }, zh));
    expect(device.shown.rows).toEqual(['您好！很高兴为您服务', 'AB12345号到999号窗口']);
    await driver.showRows(faceRows({ kind: 'call', number: 'A0123', window: 13 }, zh));
    expect(device.shown.rows).toEqual(['您好！很高兴为您服务', '请A0123号到13号窗口']);
    const en = STRINGS.en.display;
    await driver.showRows(faceRows({ kind: 'call', number: 'AB12345', window: 999 }, en));
    expect(device.shown.rows[1]).toBe('AB12345: window 999');
  });

  it('cuts a row to the display width on a character boundary', async () => {
    const { device, driver } = onDevice(DISPLAY_PROFILES['dm-d-chinese'] as TextDisplayProfile);
    await driver.showRows(['请A0123号到13号窗口办理业务']);
    expect(device.shown.rows[0]).toBe('请A0123号到13号窗口');
  });

  it('is refused politely, as a value, by a digits-only display', async () => {
    const driver = new NumberDisplay({ write: async () => undefined, onData: () => () => undefined, close: async () => undefined }, DISPLAY_PROFILES['modbus-led']);
    expect(await driver.showRows(['暂停服务'])).toMatchObject({ ok: false, code: 'not-shown' });
  });

  it('refuses at load a display too small for every number the hall may issue, naming it and its limit', () => {
    const config = (display: Record<string, unknown>, window = 12) =>
      loadConfig(undefined, { SERVICEHALL_HUB_URL: 'ws://127.0.0.1:8600/ws', SERVICEHALL_TOKEN: 'a-hall-token', SERVICEHALL_WINDOW: String(window) }, { role: 'window', terminal: 'window-12', devices: { display: { transport: 'serial', path: '/dev/ttyS1', ...display } } });
    for (const profile of ['dmd', 'dm-d', 'cd5220', 'cd5220-chinese', 'modbus']) {
      for (const language of ['zh-CN', 'en'] as const) expect(() => checkWindowDisplay(config({ profile }, 999), STRINGS[language].display)).not.toThrow();
    }
    expect(() => checkWindowDisplay(config({ profile: 'modbus', cells: 4 }), zh)).toThrow(/devices\.display: 显示屏 modbus-led 号码只有 4 位.*modbus-led has 4 cells for the number; ZZ99999 needs 7/);
    expect(() => checkWindowDisplay(config({ profile: 'modbus', windowDigits: 2 }, 120), zh)).toThrow(/modbus-led has 2 digits for the window; window 120 needs 3/);
    expect(() => checkWindowDisplay(config({ profile: 'dmd', columns: 16 }), zh)).toThrow(/dm-d-chinese has 16 columns a row/);
    expect(() => checkWindowDisplay(config({ profile: 'cd5220', columns: 10 }), zh)).not.toThrow();
    expect(() => checkWindowDisplay(config({ profile: 'cd5220', columns: 8 }), zh)).toThrow(/cd5220 has 8 columns a row; "Window 12" needs 9/);
    // A profile misspelt is named, not driven with DM-D's commands.
    expect(() => checkWindowDisplay(config({ profile: 'cd5200' }), zh)).toThrow(/devices\.display\.profile: "cd5200" is not a display profile; one of .*cd5220/);
    expect(() => checkWindowDisplay(config({ profile: 'cd5200' }), zh)).toThrow(/^终端配置有误[^]*devices\.display\.profile：“cd5200”不是显示屏型号，应为以下之一：.*cd5220/);
    expect(() => checkWindowDisplay(config({ profile: 'CD5220' }), zh)).not.toThrow();
    const withPrinter = { ...config({ profile: 'dmd' }), devices: { printer: { transport: 'file' as const, path: '/dev/usb/lp0', profile: '58-mm' } } };
    expect(() => checkWindowDisplay(withPrinter, zh)).toThrow(/devices\.printer\.profile: "58-mm" is not a printer profile/);
    expect(displayProfileOf({ transport: 'serial', path: '/dev/ttyS1', baudRate: 9600, profile: 'modbus', slave: 7 })).toMatchObject({ id: 'modbus-led', slave: 7 });
  });

  it('says once, not at every try, that a display cannot be opened', async () => {
    const logs: string[] = [];
    const display = new WindowDisplay({ transport: 'serial', path: '/dev/servicehall-no-such-display', baudRate: 9600, profile: 'dmd' }, zh, (m) => logs.push(m));
    // Each time with which port and what to do, for the device board.
    const detail = expect.stringMatching(/^串口 \/dev\/servicehall-no-such-display 不存在：.*\/dev\/serial\/by-id\//);
    for (let i = 0; i < 4; i++) expect(await display.show({ kind: 'idle', window: 3 })).toEqual({ kind: 'fault', code: 'offline', detail });
    expect(logs.filter((l) => l.includes('cannot be opened'))).toHaveLength(1);
    await display.close();
  });

  it('says which address a network display is at and what to check when nothing answers there', async () => {
    const { freePort } = await import('@servicehall/hub/testing');
    const port = await freePort();
    const logs: string[] = [];
    const display = new WindowDisplay({ transport: 'tcp', host: '127.0.0.1', port, profile: 'dmd' }, zh, (m) => logs.push(m));
    const detail = `网络设备 127.0.0.1:${port} 拒绝连接：请检查设备已开机、配置中的端口正确（网络打印机一般为 9100），且没有其他电脑正连着它`;
    for (let i = 0; i < 2; i++) expect(await display.show({ kind: 'idle', window: 3 })).toEqual({ kind: 'fault', code: 'offline', detail });
    expect(logs.filter((l) => l.includes('cannot be opened'))).toHaveLength(1);
    await display.close();
  });

  it('says offline, not write-failed, for a display unplugged in the middle of a call', async () => {
    // Whether the write fails before the line's close is heard, or after it, depends on timing: eight times over.
    for (let round = 0; round < 8; round++) {
      const pair = await startPtyPair();
      const sim = await DisplaySimulator.open(pair.device, DISPLAY_PROFILES['dm-d-chinese']);
      let lost = false;
      const display = new WindowDisplay({ transport: 'serial', path: pair.host, baudRate: 9600, profile: 'dmd' }, zh, () => undefined, () => (lost = true));
      expect(await display.show({ kind: 'idle', window: 3 })).toEqual({ kind: 'ok' });
      // The USB adapter is pulled out as the call is written to it.
      const unplugged = Promise.all([sim.close(), pair.close()]);
      const state = await display.show({ kind: 'call', number: 'A012', window: 3 });
      await unplugged;
      // Written just before it went: the line's close is heard, and the terminal says offline from it.
      if (state.kind === 'ok') await expect.poll(() => lost).toBe(true);
      else expect(state).toMatchObject({ kind: 'fault', code: 'offline' });
      await display.close();
    }
  }, 30_000);

  it('reads the configuration’s short profile names', () => {
    expect(displayProfileFor('dmd').id).toBe('dm-d-chinese');
    expect(displayProfileFor('cd5220').id).toBe('cd5220');
    expect(displayProfileFor('modbus').id).toBe('modbus-led');
  });
});

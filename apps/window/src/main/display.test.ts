import { displayDevice } from '@servicehall/fixtures/devices';
import { DISPLAY_PROFILES, NumberDisplay, type TextDisplayProfile } from '@servicehall/number-display';
import { describe, expect, it } from 'vitest';
import { STRINGS } from '../shared/strings';
import { displayProfileFor, faceRows } from './display';

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

  it('cuts a row to the display width on a character boundary', async () => {
    const { device, driver } = onDevice(DISPLAY_PROFILES['dm-d-chinese'] as TextDisplayProfile);
    await driver.showRows(['请A0123号到13号窗口办理业务']);
    expect(device.shown.rows[0]).toBe('请A0123号到13号窗口');
  });

  it('is refused politely, as a value, by a digits-only display', async () => {
    const driver = new NumberDisplay({ write: async () => undefined, onData: () => () => undefined, close: async () => undefined }, DISPLAY_PROFILES['modbus-led']);
    expect(await driver.showRows(['暂停服务'])).toMatchObject({ ok: false, code: 'not-shown' });
  });

  it('reads the configuration’s short profile names', () => {
    expect(displayProfileFor('dmd').id).toBe('dm-d-chinese');
    expect(displayProfileFor('cd5220').id).toBe('cd5220');
    expect(displayProfileFor('modbus').id).toBe('modbus-led');
  });
});

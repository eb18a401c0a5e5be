import { displayDevice } from '@servicehall/fixtures/devices';
import { DISPLAY_PROFILES, type TextDisplayProfile } from '@servicehall/number-display';
import { describe, expect, it } from 'vitest';
import { STRINGS } from '../shared/strings';
import { displayProfileFor, faceRows, fitRow, textRowsBytes } from './display';

const zh = STRINGS['zh-CN'].display;

describe('the rows on a Chinese window display', () => {
  for (const id of ['dm-d-chinese', 'cd5220-chinese'] as const) {
    it(`greets with the call on a ${id} display (H-05)`, () => {
      const profile = DISPLAY_PROFILES[id] as TextDisplayProfile;
      const device = displayDevice(profile);
      device.receive(textRowsBytes(profile, faceRows({ kind: 'call', number: 'A012', window: 3 }, zh)));
      expect(device.shown.rows).toEqual(['您好！很高兴为您服务', '请A012号到3号窗口']);
      expect(device.rejected).toBe(0);
    });

    it(`shows 暂停服务 on a ${id} display while paused, replacing the call`, () => {
      const profile = DISPLAY_PROFILES[id] as TextDisplayProfile;
      const device = displayDevice(profile);
      device.receive(textRowsBytes(profile, faceRows({ kind: 'call', number: 'A012', window: 3 }, zh)));
      device.receive(textRowsBytes(profile, faceRows({ kind: 'paused', window: 3 }, zh)));
      expect(device.shown.rows).toEqual(['暂停服务', '如需帮助请到咨询台']);
    });
  }

  it('cuts a row to the display width on a character boundary', () => {
    expect(fitRow('请A0123号到13号窗口办理业务', 20)).toBe('请A0123号到13号窗口');
  });

  it('reads the configuration’s short profile names', () => {
    expect(displayProfileFor('dmd').id).toBe('dm-d-chinese');
    expect(displayProfileFor('cd5220').id).toBe('cd5220');
    expect(displayProfileFor('modbus').id).toBe('modbus-led');
  });
});

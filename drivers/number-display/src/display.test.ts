import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DisplaySimulator, displayDevice, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import { openSerialLink } from '@servicehall/rating-keys';
import { callLine, commandsFor, splitNumber } from './commands';
import { crc16Modbus, writeRegister } from './crc16';
import { NumberDisplay, type ByteLink } from './display';
import { DISPLAY_PROFILES, type DisplayProfile } from './profiles';

const CALL = { number: 'A012', window: 3 };

describe('display commands', () => {
  it('uses CRC-16/MODBUS (check value 0x4B37) low byte first', () => {
    expect(crc16Modbus(Buffer.from('123456789'))).toBe(0x4b37);
    expect(writeRegister(1, 0x0001, 0x0003).toString('hex')).toBe('010600010003980b');
  });

  it('composes the DM-D call through escpos-screen: clear, cursor, number, cursor, GBK line', () => {
    const bytes = commandsFor(DISPLAY_PROFILES['dm-d-chinese']).show(CALL) as Buffer;
    expect(bytes.toString('hex')).toBe(`0c1f240101${Buffer.from('A012').toString('hex')}1f240102c7eb41303132bac5b5bd33bac5b4b0bfda`);
    expect(callLine(CALL, true)).toBe('请A012号到3号窗口');
  });

  it('sends no Chinese to a display without Chinese fonts', () => {
    for (const profile of [DISPLAY_PROFILES['dm-d'], DISPLAY_PROFILES.cd5220]) {
      const bytes = commandsFor(profile).show(CALL) as Buffer;
      expect([...bytes].every((b) => b < 0x80)).toBe(true);
    }
  });

  it('splits a called number for a numeric LED display, and refuses what it cannot show', () => {
    expect(splitNumber('A012')).toEqual({ prefix: 0x41, value: 12 });
    expect(splitNumber('0456')).toEqual({ prefix: 0, value: 456 });
    expect(splitNumber('甲12')).toBeUndefined();
  });
});

const cases: Array<[string, DisplayProfile, string[]]> = [
  ['DM-D with Chinese fonts', DISPLAY_PROFILES['dm-d-chinese'], ['A012', '请A012号到3号窗口']],
  ['DM-D without', DISPLAY_PROFILES['dm-d'], ['A012', 'No.A012 to window 3']],
  ['CD5220', DISPLAY_PROFILES.cd5220, ['A012', 'No.A012 to window 3']],
  ['CD5220 with Chinese fonts', DISPLAY_PROFILES['cd5220-chinese'], ['A012', '请A012号到3号窗口']],
  ['Modbus RTU LED', DISPLAY_PROFILES['modbus-led'], ['A012', '3']],
];

describe.each(cases)('a %s display on a serial line', (_name, profile, expected) => {
  let pair: PtyPair;
  let sim: DisplaySimulator;
  let display: NumberDisplay;
  let link: ByteLink;

  beforeEach(async () => {
    pair = await startPtyPair();
    sim = await DisplaySimulator.open(pair.device, profile);
    link = await openSerialLink(pair.host);
    display = new NumberDisplay(link, profile, 500);
  });

  afterEach(async () => {
    await link.close();
    await sim.close();
    await pair.close();
  });

  it('shows the called number and the line, sets brightness, and clears', async () => {
    expect(await display.show(CALL)).toEqual({ ok: true });
    await waitFor(() => JSON.stringify(sim.shown.rows) === JSON.stringify(expected));
    expect(await display.setBrightness(2)).toEqual({ ok: true });
    await waitFor(() => sim.shown.brightness === 2);
    expect(await display.clear()).toEqual({ ok: true });
    await waitFor(() => sim.shown.rows.every((r) => r === ''));
    expect(sim.device.rejected).toBe(0);
  });
});

describe('a Modbus display that refuses or stays silent', () => {
  it('returns the exception as a value, and a timeout within the bound when nobody answers', async () => {
    const pair = await startPtyPair();
    const link = await openSerialLink(pair.host);
    const base = DISPLAY_PROFILES['modbus-led'];
    if (base.commandSet !== 'modbus-rtu') throw new Error('profile');
    const sim = await DisplaySimulator.open(pair.device, { ...base, registers: { ...base.registers, window: 0x0100 } });
    const wrongMap = new NumberDisplay(link, base, 300);
    try {
      const refused = await wrongMap.show(CALL);
      expect(refused).toMatchObject({ ok: false, code: 'modbus-exception' });
      await sim.close();
      const started = performance.now();
      const silent = await wrongMap.setBrightness(3);
      expect(silent).toMatchObject({ ok: false, code: 'timeout' });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(await wrongMap.show({ number: '甲12', window: 1 })).toMatchObject({ ok: false, code: 'not-shown' });
    } finally {
      await link.close();
      await pair.close();
    }
  });
});

describe('the display simulators on random bytes', () => {
  it.each(Object.values(DISPLAY_PROFILES))('never throw and keep their size ($id)', (profile) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
        const device = displayDevice(profile);
        device.receive(bytes);
        const shown = device.shown;
        expect(shown.brightness).toBeGreaterThanOrEqual(1);
        expect(shown.brightness).toBeLessThanOrEqual(4);
        if (profile.commandSet !== 'modbus-rtu') expect(shown.rows).toHaveLength(2);
      }),
      { numRuns: 200 },
    );
  });
});

async function waitFor(condition: () => boolean, ms = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

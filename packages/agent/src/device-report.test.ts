import { DeviceReportSchema } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { deviceReport } from './device-report';

describe('a device as the hub’s device board is told it (H-04)', () => {
  it('says each state, a fault by its code', () => {
    expect(deviceReport('printer', 'notice-printer', { kind: 'fault', code: 'paper-end' })).toEqual({ kind: 'printer', name: 'notice-printer', status: 'fault', code: 'paper-end' });
    expect(deviceReport('display', 'window-display', { kind: 'absent' })).toEqual({ kind: 'display', name: 'window-display', status: 'absent' });
    expect(deviceReport('printer', 'ticket-printer', { kind: 'warning', code: 'paper-near-end' })).toEqual({ kind: 'printer', name: 'ticket-printer', status: 'warning', code: 'paper-near-end' });
  });

  it('carries what the line said of a fault, one line within 200 characters, so that the hub takes the report', () => {
    const said = '串口 /dev/ttyUSB0 不存在：请检查设备是否插好、通电';
    expect(deviceReport('printer', 'ticket-printer', { kind: 'fault', code: 'offline', detail: said })).toEqual({ kind: 'printer', name: 'ticket-printer', status: 'fault', code: 'offline', detail: said });
    const long = deviceReport('display', 'window-display', { kind: 'fault', code: 'offline', detail: `${'串'.repeat(300)}\n    at open (serial.ts:1)` });
    expect(long.detail).toBe('串'.repeat(200));
    expect(DeviceReportSchema.safeParse(long).success).toBe(true);
    expect(deviceReport('display', 'window-display', { kind: 'fault', code: 'offline', detail: '  ' })).not.toHaveProperty('detail');
  });
});

import { describe, expect, it } from 'vitest';
import { staffNameOf } from './staff-names';

describe('who did a step, as the console shows it', () => {
  const accounts = [{ id: 'zhangmin', name: '张敏' }];
  const clerks = [{ number: '1011', name: '李娜', department: '公安户籍' }];
  const SYSTEM = { hub: '系统', token: '系统接口（大厅令牌）' };
  it('names a staff account and a clerk by name with their id, the hub as the hub, an unknown id as it is', () => {
    expect(staffNameOf('zhangmin', accounts, clerks, SYSTEM)).toBe('张敏（zhangmin）');
    expect(staffNameOf('1011', accounts, clerks, SYSTEM)).toBe('李娜（1011）');
    expect(staffNameOf('hub', accounts, clerks, SYSTEM)).toBe('系统');
    expect(staffNameOf('someone-gone', accounts, clerks, SYSTEM)).toBe('someone-gone');
    expect(staffNameOf(undefined, accounts, clerks, SYSTEM)).toBe('—');
  });
  it('names what the hall token did (a 12345 work-order system registering a complaint) as the integration, not as “http”', () => {
    expect(staffNameOf('http', accounts, clerks, SYSTEM)).toBe('系统接口（大厅令牌）');
    expect(staffNameOf('hall-token', accounts, clerks, SYSTEM)).toBe('系统接口（大厅令牌）');
  });
});

import { describe, expect, it } from 'vitest';
import { staffNameOf } from './staff-names';

describe('who did a step, as the console shows it', () => {
  const accounts = [{ id: 'zhangmin', name: '张敏' }];
  const clerks = [{ number: '1011', name: '李娜', department: '公安户籍' }];
  it('names a staff account and a clerk by name with their id, the hub as the hub, an unknown id as it is', () => {
    expect(staffNameOf('zhangmin', accounts, clerks, '系统')).toBe('张敏（zhangmin）');
    expect(staffNameOf('1011', accounts, clerks, '系统')).toBe('李娜（1011）');
    expect(staffNameOf('hub', accounts, clerks, '系统')).toBe('系统');
    expect(staffNameOf('someone-gone', accounts, clerks, '系统')).toBe('someone-gone');
    expect(staffNameOf(undefined, accounts, clerks, '系统')).toBe('—');
  });
});

import { describe, expect, it } from 'vitest';
import { spanIn, STRINGS } from './i18n';

const zh = STRINGS['zh-CN'];

describe('the console’s Chinese', () => {
  it('writes a window as 4号窗口 in every sentence that names one, as the rest of the console does', () => {
    const said = [
      zh.setup.change('11:55', '张主任', 4),
      zh.setup.window.find('4'),
      zh.today.overtaken('张主任', '14:36', 4),
      zh.today.behind('张主任', '14:36', 4),
      zh.today.windowGone(4, true),
      zh.today.windowName(4, '出入境'),
      zh.audit.summary.pendingWindow(4),
    ];
    for (const text of said) expect(text).toContain('4号窗口');
    expect(said.filter((text) => /\d 号窗口/.test(text))).toEqual([]);
  });
});

describe('a window’s heading in the setup', () => {
  it.each([
    ['1', '1号窗口 公安户籍', '1号窗口 · 公安户籍'],
    ['1', '公安户籍', '1号窗口 · 公安户籍'],
    ['12', '1号窗口 公安户籍', '12号窗口 · 1号窗口 公安户籍'],
    ['3', '', '3号窗口'],
    ['', '新开窗口', '新开窗口'],
  ])('says window %s named “%s” as %s, its number once', (number, name, heading) => {
    expect(zh.setup.window.heading(number, name)).toBe(heading);
  });

  it('heads a window on 今日调整 as the setup does, the name after a ·', () => {
    for (const [n, name] of [[1, '综合受理'], [1, '1号窗口 公安户籍'], [21, '临时窗口21']] as const) expect(zh.today.windowName(n, name)).toBe(zh.setup.window.heading(String(n), name));
    expect(zh.today.windowName(1, '综合受理')).toBe('1号窗口 · 综合受理');
    expect(STRINGS.en.today.windowName(2, 'Window 2 Passports')).toBe('Window 2 · Passports');
  });

  it('says it once in English too', () => {
    expect(STRINGS.en.setup.window.heading('1', '1号窗口 公安户籍')).toBe('Window 1 · 公安户籍');
    expect(STRINGS.en.setup.window.heading('2', 'Window 2 Passports')).toBe('Window 2 · Passports');
  });
});

describe('a span of time on the console', () => {
  it.each([
    [45, '45 秒', '45 s'],
    [125, '2 分钟', '2 min'],
    [59 * 60, '59 分钟', '59 min'],
    [60 * 60, '1 小时', '1 h'],
    [(2 * 60 + 10) * 60, '2 小时 10 分钟', '2 h 10 min'],
    [24 * 3600, '1 天', '1 day'],
    [57_800 * 60, '40 天 3 小时', '40 days 3 h'],
  ])('says %i seconds as %s / %s', (seconds, zhText, enText) => {
    expect(spanIn('zh-CN', seconds)).toBe(zhText);
    expect(spanIn('en', seconds)).toBe(enText);
  });

  it('says a backlog to the city of 40 days in days and hours, not 57800 分钟', () => {
    expect(zh.overview.upstream.behind(1200, 57_800 * 60)).toBe('待上报 1200 条，最早的已等待 40 天 3 小时');
    expect(STRINGS.en.overview.upstream.behind(1200, 57_800 * 60)).toBe('1200 records waiting, the oldest for 40 days 3 h');
  });

  it("says each way the hall's data does not reach the city as what it is and who is to look, in Chinese and English", () => {
    const zhSaid = zh.overview.upstream.problems;
    const enSaid = STRINGS.en.overview.upstream.problems;
    // Before: 市级平台暂时无法连接 for a city database that answered (its disk full) and for one not reached alike.
    expect(zhSaid.unreachable).toMatch(/^连不上市级平台的数据库。[^]*网络管理员[^]*SERVICEHALL_UPSTREAM_URL/);
    expect(zhSaid['not-taken']).toMatch(/没有接受本大厅的数据（例如其磁盘已满）[^]*不是本大厅的地址或密码问题：请联系市级平台的数据库管理员。$/);
    expect(zhSaid['another-log']).toMatch(/^市级平台不接受本主机的数据，上报已停止[^]*SERVICEHALL_UPSTREAM_HALL[^]*请运维人员核对大厅编码/);
    expect(zhSaid['another-hub']).toMatch(/请运维人员停掉不该运行的那台主机。$/);
    expect(zhSaid['not-shipped-log']).toMatch(/请联系技术支持。$/);
    expect(enSaid['not-taken']).toMatch(/call the city's database administrator\.$/);
    expect(enSaid['another-log']).toContain('SERVICEHALL_UPSTREAM_HALL');
    expect(Object.keys(enSaid)).toEqual(Object.keys(zhSaid));
    for (const said of Object.values(zhSaid)) expect(said).not.toContain('暂时无法连接');
  });

  it('says a terminal offline over a weekend, or a long pause, in the same words', () => {
    expect(zh.alerts.text.offline('取号机 2', 2 * 24 * 60 + 65)).toBe('取号机 2已离线 2 天 1 小时，请检查网络和电源。');
    expect(zh.alerts.text.pause(3, 95, 30)).toBe('3号窗口已暂停 1 小时 35 分钟，超过允许的 30 分钟。');
    expect(zh.board.paused('', 130)).toBe('暂停 2 小时 10 分钟');
  });

  it('says a span the hub counts in minutes in minutes while under an hour (not 60 秒), then in hours: a pause, a service, a call, an offline terminal', () => {
    expect(zh.board.paused('午休', 1)).toBe('暂停 1 分钟（午休）');
    expect(zh.board.serving('A012', 0)).toBe('A012 办理中 0 分钟');
    expect(zh.board.serving('A012', 75)).toBe('A012 办理中 1 小时 15 分钟');
    expect(zh.board.called('B003', 1)).toBe('已呼叫 B003，1 分钟');
    expect(STRINGS.en.board.serving('A012', 75)).toBe('serving A012, 1 h 15 min');
    expect(STRINGS.en.board.called('B003', 125)).toBe('called B003, 2 h 5 min');
    expect(zh.alerts.text.offline('取号机 2', 1)).toBe('取号机 2已离线 1 分钟，请检查网络和电源。');
    expect(STRINGS.en.alerts.text.pause(3, 1, 0)).toBe('Window 3 has been paused for 1 min, past the 0 min allowed.');
  });
});

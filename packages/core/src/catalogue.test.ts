import { describe, expect, it } from 'vitest';
import demo from '../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { CatalogueSchema, checkCatalogue, clockTimeOf, findItem, findWindow, hallSetupWarnings, IncomingCatalogueSchema, isLoopbackHost, periodOf, periodProblem, periodsOf, type CatalogueInput } from './catalogue';

/** A fresh, editable copy of the demo hall's catalogue. */
function demoInput(): CatalogueInput {
  return JSON.parse(JSON.stringify(demo)) as CatalogueInput;
}

function problemsOf(input: unknown): string[] {
  const r = checkCatalogue(input);
  return r.ok ? [] : r.problems;
}

describe("the hall's public address (the base of the QR codes on tickets)", () => {
  const withUrl = (publicUrl: string) => {
    const c = demoInput();
    c.hall.publicUrl = publicUrl;
    return checkCatalogue(c);
  };

  it('is part of the hall setup, kept without its trailing slash', () => {
    const r = withUrl('https://zwfw.binjiang.example.gov.cn/hall/');
    expect(r.ok && r.catalogue.hall.publicUrl).toBe('https://zwfw.binjiang.example.gov.cn/hall');
    expect(withUrl('http://192.168.10.20:8600').ok).toBe(true);
  });

  it.each([
    ['http://127.0.0.1:8600', "127.0.0.1 is this machine's own address"],
    ['http://localhost:8600', "localhost is this machine's own address"],
    ['http://[::1]:8600', "[::1] is this machine's own address"],
    ['http://0.0.0.0:8600', "0.0.0.0 is this machine's own address"],
    ['ftp://hall.example.gov.cn', 'must start with https://'],
    ['hall.example.gov.cn', 'not an address'],
    ['https://hall.example.gov.cn/?a=1', 'must not hold a query'],
    ['https://admin:secret@hall.example.gov.cn', 'must not hold a user name or password'],
  ])('refuses %s, naming the field', (url, problem) => {
    const r = withUrl(url);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problems.join('\n')).toContain(`hall.publicUrl: ${problem}`);
  });

  it('tells loopback hosts from the rest', () => {
    for (const host of ['localhost', 'kiosk.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1', '0.0.0.0']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['192.168.1.10', 'zwfw.example.gov.cn', '10.0.0.1', 'localhost.example.com']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('is warned about at start when it is missing, and only then', () => {
    const without = checkCatalogue(demoInput());
    if (!without.ok) throw new Error('demo');
    expect(hallSetupWarnings(without.catalogue).join('')).toContain('hall.publicUrl');
    // Staff are sent to the console's field first, the API second.
    const [warning] = hallSetupWarnings(without.catalogue);
    const [zh, en] = warning!.split(' / ');
    expect(zh).toContain('管理控制台“大厅设置”的“大厅信息”一步填写“公共访问地址（二维码链接）”');
    expect(zh!.indexOf('公共访问地址（二维码链接）')).toBeLessThan(zh!.indexOf('PUT /api/catalogue'));
    expect(en).toContain('In the console, open Hall setup, step Hall, fill in Public address (QR links)');
    expect(en!.indexOf('Public address (QR links)')).toBeLessThan(en!.indexOf('PUT /api/catalogue'));
    const r = withUrl('https://zwfw.example.gov.cn');
    if (!r.ok) throw new Error('url');
    expect(hallSetupWarnings(r.catalogue)).toEqual([]);
  });
});

describe('checkCatalogue', () => {
  it('accepts the demo hall and fills in the defaults', () => {
    const r = checkCatalogue(demo);
    expect(r.ok ? [] : r.problems).toEqual([]);
    if (!r.ok) return;
    expect(r.catalogue.hall.timeZone).toBe('Asia/Shanghai');
    expect(r.catalogue.queue).toEqual({ ordinaryPerPriority: 3, appointmentEarlyMinutes: 15, recallLimit: 5, recallCooldownSeconds: 20 });
    expect(findItem(r.catalogue, 'GA-SFZ-HL')?.prefix).toBe('A');
    expect(findWindow(r.catalogue, 15)?.serves).toContain('ZX-ZH-ZX');
    expect(findItem(r.catalogue, 'NO-SUCH')).toBeUndefined();
  });

  it('gives a minimal catalogue the handbook defaults (fees, hours, numbering, queue policy)', () => {
    const r = checkCatalogue({
      hall: { name: '测试大厅' },
      departments: [{ name: '综合' }],
      items: [{ code: 'X', name: '事项', department: '综合', prefix: 'X', legalLimitDays: 5, promisedLimitDays: 3 }],
      windows: [{ number: 1, name: '1号窗口', serves: ['X'] }],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.catalogue.items[0]).toMatchObject({ fees: '不收费', issuingHours: [{ from: '08:30', to: '17:00' }], typicalServiceMinutes: 8 });
    expect(r.catalogue.numbering).toEqual({ digits: 3, first: 1, last: 999 });
    expect(r.catalogue.queue.recallLimit).toBe(5);
  });

  it.each<[string, (c: CatalogueInput) => void, string]>([
    ['a duplicate service item code', (c) => void (c.items[3]!.code = c.items[0]!.code), 'items.3.code: duplicate service item code GA-SFZ-HL'],
    ['an item of an unknown department', (c) => void (c.items[2]!.department = '气象局'), 'items.2.department: unknown department 气象局'],
    [
      'a promised limit longer than the legal limit',
      (c) => {
        c.items[1]!.legalLimitDays = 5;
        c.items[1]!.promisedLimitDays = 6;
      },
      'items.1.promisedLimitDays: the promised limit cannot exceed the legal limit',
    ],
    ['a window serving an unknown item', (c) => void c.windows[4]!.serves.push('NO-SUCH'), 'windows.4.serves.3: unknown service item NO-SUCH'],
    ['a duplicate window number', (c) => void (c.windows[1]!.number = c.windows[0]!.number), 'windows.1.number: duplicate window number 1'],
    [
      'a duplicate material id within an item',
      (c) => void (c.items[0]!.materials![1]!.id = c.items[0]!.materials![0]!.id),
      'items.0.materials.1.id: duplicate material id m1',
    ],
    ['a number range that does not fit the digits', (c) => void (c.numbering = { digits: 2, first: 1, last: 999 }), 'numbering.digits: the last number does not fit in the digits'],
    ['a number range of one number', (c) => void (c.numbering = { digits: 3, first: 5, last: 5 }), 'numbering.last: the range must hold at least two numbers'],
    ['an item named with spaces only', (c) => void (c.items[2]!.name = ' \u3000 '), 'items.2.name: must not be spaces only'],
    ['a hall named with spaces only', (c) => void (c.hall.name = '   '), 'hall.name: must not be spaces only'],
    [
      'an item name holding a printer command (ESC @ resets the ticket printer)',
      (c) => void (c.items[1]!.name = '户籍\x1b@迁移'),
      'items.1.name: holds a control character (U+001B) that screens cannot show and printers take as a command',
    ],
    [
      "a material's note pasted from a Word table (its cell mark)",
      (c) => void (c.items[0]!.materials![0]!.note = '加盖公章\x07'),
      'items.0.materials.0.note: holds a control character (U+0007) that screens cannot show and printers take as a command',
    ],
    ['a notice with a manual line break from Word', (c) => void (c.hall.notices = ['今日下午\x0b停电']), 'hall.notices.0: holds a control character (U+000B) that screens cannot show and printers take as a command'],
    ['a window name with a C1 control', (c) => void (c.windows[2]!.name = '3号\u0085窗口'), 'windows.2.name: holds a control character (U+0085) that screens cannot show and printers take as a command'],
    ['a holiday that is no day', (c) => void (c.calendar = { holidays: { '2031-02-30': '春节' }, workdays: {} }), 'calendar.holidays.2031-02-30: 2031-02-30 is not a day of the calendar'],
    [
      'a day both a holiday and a make-up working day',
      (c) => void (c.calendar = { holidays: { '2031-01-01': '元旦' }, workdays: { '2031-01-01': '调休' } }),
      'calendar.workdays.2031-01-01: 2031-01-01 cannot be both a holiday and a make-up working day',
    ],
  ])('refuses %s, naming the path', (_what, spoil, problem) => {
    const input = demoInput();
    spoil(input);
    expect(problemsOf(input)).toContain(problem);
  });

  it('reads a catalogue the hall already keeps with a control character in it (set up before the check): only what comes in is refused', () => {
    const input = demoInput();
    input.items[1]!.name = '居民身份证\x07换领';
    // The terminals' snapshot and the event log read with CatalogueSchema: a hall set up before the check keeps working.
    expect(CatalogueSchema.safeParse(input).success).toBe(true);
    expect(IncomingCatalogueSchema.safeParse(input).success).toBe(false);
  });

  it('takes HTML, emoji and a workbook cell’s line break in its texts as plain text (the pages escape it, the printer folds it)', () => {
    const input = demoInput();
    input.items[0]!.name = '<script>alert(1)</script>身份证换领';
    input.hall.name = '滨江区🏛政务服务中心';
    input.items[0]!.fees = '不收费\r\n（工本费除外）\t';
    // A supervisor's notice of today, carried over by each save: not the administrator's to mend in the wizard.
    input.items[1]!.today = { day: '2026-12-04', closedNotice: '系统维护\x07，请明日再来' };
    expect(problemsOf(input)).toEqual([]);
  });

  it.each<[string, (c: CatalogueInput) => void, string]>([
    ['a prefix of digits', (c) => void (c.items[0]!.prefix = 'A1'), 'items.0.prefix'],
    ['an issuing hour that is not HH:MM', (c) => void (c.items[0]!.issuingHours = [{ from: '8:30', to: '17:00' }]), 'items.0.issuingHours.0.from'],
    ['a window that serves nothing', (c) => void (c.windows[0]!.serves = []), 'windows.0.serves'],
  ])('refuses %s by its schema, naming the path', (_what, spoil, path) => {
    const input = demoInput();
    spoil(input);
    expect(problemsOf(input).some((p) => p.startsWith(`${path}: `))).toBe(true);
  });

  it('names the root when the input is not a catalogue at all', () => {
    expect(problemsOf('not a catalogue')).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});

describe('periods of the day: issuing hours and bookable hours', () => {
  const spoilt = () => {
    const input = demoInput();
    input.items[0]!.issuingHours = [
      { from: '25:00', to: '12:00' },
      { from: '8:3', to: '17:00' },
      { from: '17:00', to: '08:30' },
    ];
    input.appointments = { hours: [{ from: '12:00', to: '09:00' }] };
    return input;
  };

  it('refuses a period that ends before it starts, and a time not HH:MM once, not also as ending before it starts', () => {
    expect(problemsOf(spoilt())).toEqual([
      'items.0.issuingHours.0.from: expected HH:MM, e.g. 08:30 (24:00 is the end of the day)',
      'items.0.issuingHours.1.from: expected HH:MM, e.g. 08:30 (24:00 is the end of the day)',
      'items.0.issuingHours.2.to: the end must be later than the start',
      'appointments.hours.0.to: the end must be later than the start',
    ]);
  });

  it('refuses a period that shares time with an earlier one, naming both, and takes a lunch break or periods that touch', () => {
    const withHours = (issuingHours: { from: string; to: string }[], bookable = [{ from: '09:00', to: '11:30' }]) => {
      const input = demoInput();
      input.items[0]!.issuingHours = issuingHours;
      input.appointments = { hours: bookable };
      return input;
    };
    const overlapping = withHours(
      [
        { from: '08:30', to: '12:00' },
        { from: '11:00', to: '17:00' },
      ],
      [
        { from: '09:00', to: '11:30' },
        { from: '08:00', to: '09:30' },
      ],
    );
    expect(problemsOf(overlapping)).toEqual(['items.0.issuingHours.1.from: the period overlaps period 1', 'appointments.hours.1.from: the period overlaps period 1']);
    const item = `事项 ${overlapping.items[0]!.code}（${overlapping.items[0]!.name}）的取号时段`;
    expect(periodProblem(overlapping, ['items', 0, 'issuingHours', 1, 'from'], 'zh-CN')).toEqual({ subject: item, text: '第 2 段“11:00-17:00”与第 1 段“08:30-12:00”时间重叠：各段不能重叠，例如 08:30-12:00 和 13:30-17:00' });
    expect(periodProblem(overlapping, ['appointments', 'hours', 1, 'from'], 'en')?.text).toBe('period 2 "08:00-09:30" overlaps period 1 "09:00-11:30": periods may not share time, e.g. 08:30-12:00 and 13:30-17:00');
    // A hall kept with such hours before this check still loads (its snapshot, its log): only what comes in is held to it.
    expect(CatalogueSchema.safeParse(overlapping).success).toBe(true);
    // A lunch break, and a period that starts as another ends, are right.
    for (const hours of [
      [
        { from: '08:30', to: '12:00' },
        { from: '13:30', to: '17:00' },
      ],
      [
        { from: '13:30', to: '17:00' },
        { from: '08:30', to: '12:00' },
      ],
      [
        { from: '08:30', to: '12:00' },
        { from: '12:00', to: '17:00' },
      ],
    ])
      expect(problemsOf(withHours(hours)), JSON.stringify(hours)).toEqual([]);
    // A period also wrong in itself is said once, as that.
    expect(problemsOf(withHours([{ from: '08:30', to: '12:00' }, { from: '17:00', to: '09:00' }]))).toEqual(['items.0.issuingHours.1.to: the end must be later than the start']);
  });

  it('says whose period is wrong, which one, and what a right one looks like', () => {
    const input = spoilt();
    const item = `事项 ${input.items[0]!.code}（${input.items[0]!.name}）的取号时段`;
    expect(periodProblem(input, ['items', 0, 'issuingHours', 0, 'from'], 'zh-CN')).toEqual({ subject: item, text: '第 1 段“25:00-12:00”：时间应为 HH:MM，例如 08:30（24:00 为一天的结束）' });
    expect(periodProblem(input, ['items', 0, 'issuingHours', 2, 'to'], 'zh-CN')).toEqual({ subject: item, text: '第 3 段“17:00-08:30”：结束时间须晚于开始时间，例如 08:30-17:00' });
    expect(periodProblem(input, ['appointments', 'hours', 0, 'to'], 'zh-CN')).toEqual({ subject: '可预约时段', text: '第 1 段“12:00-09:00”：结束时间须晚于开始时间，例如 08:30-17:00' });
    expect(periodProblem(input, ['items', 0, 'issuingHours', 1, 'from'], 'en')?.text).toBe('period 2 "8:3-17:00": a time is HH:MM, e.g. 08:30 (24:00 is the end of the day)');
    expect(periodProblem(input, ['items', 0, 'prefix'], 'zh-CN')).toBeUndefined();
    // What a script sends may be anything: a period that is not an object still reads as one to write as HH:MM.
    expect(periodProblem({ items: [{ issuingHours: ['08:30-17:00'] }] }, ['items', 0, 'issuingHours', 0], 'zh-CN')).toEqual({ subject: '第 1 项事项的取号时段', text: '第 1 段“-”：时间应为 HH:MM，例如 08:30（24:00 为一天的结束）' });
  });
});

describe('a time and a period as a person types them', () => {
  it.each([
    ['08:30', '08:30'],
    ['8:30', '08:30'],
    ['8：30', '08:30'],
    ['８:３０', '08:30'],
    ['0830', '08:30'],
    [' 17:00 ', '17:00'],
    ['24:00', '24:00'],
    // Not a time: left as typed, for the check to name.
    ['8:3', '8:3'],
    ['830', '830'],
    ['八点半', '八点半'],
    ['', ''],
  ])('reads %j as %j', (typed, held) => {
    expect(clockTimeOf(typed)).toBe(held);
  });

  it.each([
    ['8:30-12:00', { from: '08:30', to: '12:00' }],
    ['8：30～12：00', { from: '08:30', to: '12:00' }],
    ['0830 至 1200', { from: '08:30', to: '12:00' }],
    ['13:30 – 17:00', { from: '13:30', to: '17:00' }],
    ['13:30－17:00', { from: '13:30', to: '17:00' }],
    ['8:30', { from: '08:30', to: '' }],
  ])('reads the period %j', (typed, period) => {
    expect(periodOf(typed)).toEqual(period);
  });

  it.each([
    ['8:30 - 12:00，13:30 - 17:00', [{ from: '08:30', to: '12:00' }, { from: '13:30', to: '17:00' }]],
    ['08:30-12:00\n13:30 至 17:00', [{ from: '08:30', to: '12:00' }, { from: '13:30', to: '17:00' }]],
    ['8:30～12:00；13:30–17:00', [{ from: '08:30', to: '12:00' }, { from: '13:30', to: '17:00' }]],
    ['08:30-12:00 13:30-17:00', [{ from: '08:30', to: '12:00' }, { from: '13:30', to: '17:00' }]],
    ['8:30 -12:00、 13:30- 17:00 ', [{ from: '08:30', to: '12:00' }, { from: '13:30', to: '17:00' }]],
    ['', []],
  ])('reads the list of periods %j as the setup and 今日调整 take it', (typed, periods) => {
    expect(periodsOf(typed)).toEqual(periods);
  });
});

describe('the hall time zone', () => {
  it('is refused, naming the field, when the system does not know it', () => {
    const bad = demoInput() as { hall: { timeZone: string } };
    bad.hall.timeZone = 'Mars/Olympus_Mons';
    const r = checkCatalogue(bad);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.join('\n')).toContain('hall.timeZone');
  });
});

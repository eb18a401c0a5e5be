import { describe, expect, it } from 'vitest';
import { decodeReceipt, SAMPLE_ITEM } from '@servicehall/fixtures/devices';
import { acceptanceNotice, correctionNotice, oneTimeNotice, rejectionNotice, ticket, type PrintDocument } from './documents';
import { encodeDocument } from './encode';
import { PROFILES } from './profiles';
import { columns } from './text';
import { FORBIDDEN_PHRASES, STRINGS, forbiddenPhraseIn } from './strings';

const p58 = PROFILES['generic-58'];
const p80 = PROFILES['generic-80'];
const TICKET = {
  hallName: '滨江区政务服务中心',
  number: 'A012',
  itemName: '不动产登记',
  waitingAhead: 5,
  expectedWaitMinutes: 15,
  issuedAt: { iso: '2024-05-06T01:12:00Z', timeZone: 'Asia/Shanghai' },
  qrUrl: 'https://hall.example.gov.cn/q/A012?d=20240506',
};
const CTX = { hallName: '滨江区政务服务中心', date: '2024-05-06', window: '3号窗口', clerkNumber: '0307' };
const rule58 = '-'.repeat(32);
const rule80 = '-'.repeat(48);
const footer = (rule: string) => [rule, '窗口：3号窗口', '经办人工号：0307', '日期：2024-05-06', '咨询监督电话：12345'];

function decode(doc: PrintDocument, profile = p80) {
  const bytes = encodeDocument(doc, profile);
  return { bytes, ...decodeReceipt(bytes) };
}

describe('the queue ticket', () => {
  it('prints on 58 mm paper as the golden lines, with the number large, the QR and one cut', () => {
    const { receipt, stats } = decode(ticket(TICKET), p58);
    expect(receipt.text).toEqual([
      '滨江区政务服务中心',
      rule58,
      '您的号码',
      'A012',
      '办理事项：不动产登记',
      '前面还有 5 人等候',
      '预计等候约 15 分钟',
      '取号时间：2024-05-06 09:12',
      '扫码查看排队进度',
      rule58,
      '请留意叫号，感谢您的耐心等候',
    ]);
    const number = receipt.items.find((it) => it.kind === 'line' && it.text === 'A012');
    expect(number).toMatchObject({ align: 'center', width: 3, height: 3, bold: true });
    // At double size the item would break in the middle of 不动产: it steps down to one line instead.
    expect(receipt.items.find((it) => it.kind === 'line' && it.text.startsWith('办理事项'))).toMatchObject({ width: 1, height: 1 });
    expect(receipt.qrCodes).toEqual([TICKET.qrUrl]);
    expect(receipt.cuts).toBe(1);
    expect(receipt.items.at(-1)).toEqual({ kind: 'cut', partial: true });
    expect(stats).toMatchObject({ unknown: 0, truncated: 0 });
  });

  it('prints on 80 mm paper as the golden lines', () => {
    const { receipt } = decode(ticket(TICKET), p80);
    expect(receipt.text).toEqual([
      '滨江区政务服务中心',
      rule80,
      '您的号码',
      'A012',
      '办理事项：不动产登记',
      '前面还有 5 人等候',
      '预计等候约 15 分钟',
      '取号时间：2024-05-06 09:12',
      '扫码查看排队进度',
      rule80,
      '请留意叫号，感谢您的耐心等候',
    ]);
    expect(receipt.items.find((it) => it.kind === 'line' && it.text === 'A012')).toMatchObject({ width: 4, height: 4 });
  });

  it('stays under 1 KB, in native text and QR commands with no raster image', () => {
    for (const profile of [p58, p80]) {
      const bytes = encodeDocument(ticket(TICKET), profile);
      expect(bytes.length).toBeLessThanOrEqual(1024);
      const hex = bytes.toString('hex');
      expect(hex).not.toContain('1d7630'); // GS v 0 raster
      expect(hex).not.toContain('1b2a'); // ESC * bit image
    }
  });

  it('round-trips an all-Chinese ticket through GBK, with characters outside GB2312 and a four-byte GB18030 one', () => {
    const doc = ticket({ ...TICKET, hallName: '𠮷喆镕县政务服务中心', itemName: '龑堃村土地确权', number: '甲〇一二', issuedAt: '二〇二四年五月六日', qrUrl: 'https://例子.中国/排队?号=甲〇一二' });
    const { receipt, bytes } = decode(doc, p80);
    expect(receipt.text).toContain('𠮷喆镕县政务服务中心');
    expect(receipt.text).toContain('办理事项：龑堃村土地确权');
    expect(receipt.text).toContain('甲〇一二');
    expect(receipt.text).toContain('取号时间：二〇二四年五月六日');
    // The QR length counts bytes, so a non-ASCII payload survives (node-thermal-printer counts UTF-16 units).
    expect(receipt.qrCodes).toEqual(['https://例子.中国/排队?号=甲〇一二']);
    expect(bytes.includes(Buffer.from([0x1c, 0x26]))).toBe(true);
    expect(receipt.text.join('')).not.toContain('?');
  });

  it('sends none of a name’s control characters (ESC @, GS V, NUL) and no emoji, only what the printer can print', () => {
    const plain = encodeDocument(ticket(TICKET), p80);
    const count = (bytes: Buffer, seq: number[]) => {
      let n = 0;
      for (let i = bytes.indexOf(Buffer.from(seq)); i >= 0; i = bytes.indexOf(Buffer.from(seq), i + 1)) n++;
      return n;
    };
    const { receipt, bytes } = decode(ticket({ ...TICKET, hallName: '滨江区🏛️政务服务中心', itemName: '户籍\x1b@\x1dV\x00迁移😀' }), p80);
    expect(receipt.text).toContain('滨江区政务服务中心');
    expect(receipt.text).toContain('办理事项：户籍@V迁移');
    // The ticket's own commands only: one reset at its start, one cut at its end, no NUL, no four-byte GB18030 emoji (0x95 0x32 …).
    for (const seq of [[0x1b, 0x40], [0x1d, 0x56], [0x00]]) expect(count(bytes, seq), seq.join(' ')).toBe(count(plain, seq));
    expect(receipt.text.join('')).not.toMatch(/\p{Extended_Pictographic}/u);
  });

  it('prints in English from the same table', () => {
    const { receipt } = decode(ticket({ ...TICKET, lang: 'en', hallName: 'Binjiang Service Centre', itemName: 'Property registration' }), p58);
    expect(receipt.text).toContain('People ahead of you: 5');
    expect(receipt.text).toContain('Expected wait: about 15 min');
    // One person ahead is no "1 people".
    const one = decode(ticket({ ...TICKET, lang: 'en', waitingAhead: 1 }), p58).receipt.text.join(' ');
    expect(one).toContain('People ahead of you: 1');
    expect(one).not.toMatch(/\b1 people\b/);
  });

  it('keeps an item name large where it fits one line, and never breaks a word of it at any size', () => {
    const itemLines = (itemName: string, profile = p58, lang: 'zh-CN' | 'en' = 'zh-CN') => {
      const { receipt } = decode(ticket({ ...TICKET, itemName, lang }), profile);
      const start = receipt.items.findIndex((it) => it.kind === 'line' && it.text === 'A012') + 1;
      const lines = receipt.items.slice(start).filter((it) => it.kind === 'line' && it.text.trim() !== '');
      const end = lines.findIndex((it) => it.kind === 'line' && /^(前面|People ahead)/.test(it.text));
      return lines.slice(0, end) as Extract<(typeof lines)[number], { kind: 'line' }>[];
    };
    expect(itemLines('户口迁入', p80).map((l) => [l.text, l.width])).toEqual([['办理事项：户口迁入', 2]]);
    expect(itemLines('户口迁入').map((l) => [l.text, l.width])).toEqual([['办理事项：户口迁入', 1]]);
    expect(itemLines('居民身份证换领').map((l) => [l.text, l.width])).toEqual([['办理事项：居民身份证换领', 1]]);
    expect(itemLines('居民身份证换领', p80).map((l) => [l.text, l.width])).toEqual([['办理事项：居民身份证换领', 2]]);
    // Too long for one line even at normal size: it breaks between words (保险|关系, never 关|系).
    expect(itemLines('城乡居民基本养老保险关系转移接续').map((l) => [l.text, l.width])).toEqual([
      ['办理事项：城乡居民基本养老保险', 1],
      ['关系转移接续', 1],
    ]);
    expect(itemLines('Renewal of Resident Identity Card', p58, 'en').map((l) => [l.text, l.width])).toEqual([
      ['Service: Renewal of Resident', 1],
      ['Identity Card', 1],
    ]);
  });

  it('prints the number to type at a kiosk where the printer has no QR code, and no "scan" line', () => {
    const { receipt } = decode(ticket(TICKET), PROFILES['no-cutter-58']);
    expect(receipt.qrCodes).toEqual([]);
    expect(receipt.text.join('')).not.toContain('扫码');
    expect(receipt.text.join('')).toContain('在取号机“进度查询”输入 A012 可查排队进度');
    // No address to link to: the same line, on any printer.
    const { qrUrl: _, ...withoutLink } = TICKET;
    const bare = decode(ticket(withoutLink), p80).receipt;
    expect(bare.qrCodes).toEqual([]);
    expect(bare.text).toContain('在取号机“进度查询”输入 A012 可查排队进度');
  });

  it('tells the first in line that nobody is ahead instead of a wait', () => {
    const { receipt } = decode(ticket({ ...TICKET, waitingAhead: 0 }), p80);
    expect(receipt.text).toContain('前面暂无等候，请留意叫号');
    expect(receipt.text.some((l) => l.startsWith('预计等候'))).toBe(false);
  });

  it('says on an emergency ticket (应急取号) that the wait cannot be estimated, and gives no figure', () => {
    const { qrUrl: _, ...withoutLink } = TICKET;
    const { receipt } = decode(ticket({ ...withoutLink, number: 'A981', emergency: true }), p58);
    expect(receipt.text).toContain('应急取号：等候时间暂无法估算');
    expect(receipt.text.join('')).toContain('工作人员将按取号时间先后为您办理');
    expect(receipt.text.some((l) => l.startsWith('前面') || l.startsWith('预计等候'))).toBe(false);
    expect(receipt.text).toContain('A981');
    const en = decode(ticket({ ...withoutLink, number: 'A981', emergency: true, lang: 'en' }), p80).receipt.text.join(' ');
    expect(en).toContain('the wait cannot be estimated');
  });

  it('never ends with ESC @ after the cut (node-thermal-printer cut() does, resetting Chinese mode)', () => {
    const bytes = encodeDocument(ticket(TICKET), p80);
    expect([...bytes.subarray(-4)]).toEqual([0x1d, 0x56, 66, 72]);
  });
});

describe('the notices', () => {
  const oneTime = oneTimeNotice({ ...CTX, item: SAMPLE_ITEM });
  const correction = correctionNotice({
    ...CTX,
    item: SAMPLE_ITEM,
    caseNumber: 'BJ20240506-0012',
    deadline: '2024-05-20',
    missing: [
      { material: SAMPLE_ITEM.materials[2]!, reason: '租赁合同未经登记备案' },
      { material: SAMPLE_ITEM.materials[3]!, reason: '照片不是近期照片' },
    ],
  });
  const acceptance = acceptanceNotice({
    ...CTX,
    item: SAMPLE_ITEM,
    caseNumber: 'BJ20240506-0013',
    acceptedOn: '2024-05-06',
    dueDate: '2024-05-13',
    trackUrl: 'https://zwfw.example.gov.cn/case/BJ20240506-0013',
  });
  const rejection = rejectionNotice({ ...CTX, item: SAMPLE_ITEM, caseNumber: 'BJ20240506-0014', reason: '申请事项不属于本机关职权范围，请向户籍所在地公安派出所申请。' });

  it('一次性告知单 lists every material at once (H-03), with the online QR', () => {
    const { receipt } = decode(oneTime);
    expect(receipt.text).toEqual([
      '滨江区政务服务中心',
      '一次性告知单',
      rule80,
      '事项：户口迁入登记',
      '部门：公安局',
      '办理条件：',
      '1. 在本市有合法稳定住所',
      '2. 符合本市落户条件',
      '所需材料（共 4 项）：',
      '1. 居民身份证（原件及复印件，1 份）',
      '2. 居民户口簿（原件，1 份）',
      '3. 房屋产权证明或租赁合同（复印件，1 份）',
      '   说明：租赁合同须经住房部门登记备案',
      '4. 近期二寸免冠彩色照片（原件，2 份）',
      '办理流程：',
      '1. 窗口提交材料',
      '2. 审核受理',
      '3. 办结领证',
      '收费标准：不收费',
      '法定办结时限：20 个工作日',
      '承诺办结时限：5 个工作日',
      '网上办理：',
      'https://zwfw.example.gov.cn/item/hukou-move-in',
      '以上为办理本事项所需的全部材料，一次告知。',
      ...footer(rule80),
    ]);
    expect(receipt.qrCodes).toEqual(['https://zwfw.example.gov.cn/item/hukou-move-in']);
    expect(receipt.cuts).toBe(1);
  });

  it('补正材料告知书 names each missing material with its reason and the deadline', () => {
    const { receipt } = decode(correction);
    expect(receipt.text).toEqual([
      '滨江区政务服务中心',
      '补正材料告知书',
      rule80,
      '编号：BJ20240506-0012',
      '事项：户口迁入登记',
      '您提交的申请材料需要补正，现将需补正的全部材料一',
      '次告知如下：',
      '1. 房屋产权证明或租赁合同（复印件，1 份）',
      '   补正原因：租赁合同未经登记备案',
      '2. 近期二寸免冠彩色照片（原件，2 份）',
      '   补正原因：照片不是近期照片',
      '请于 2024-05-20 前补正，补正齐全后我们将及时为您',
      '办理。',
      ...footer(rule80),
    ]);
    expect(receipt.qrCodes).toEqual([]);
    expect(receipt.cuts).toBe(1);
  });

  it('受理通知书 gives the case number, the promised limit and the due date (H-07)', () => {
    const { receipt } = decode(acceptance);
    expect(receipt.text).toEqual([
      '滨江区政务服务中心',
      '受理通知书',
      rule80,
      '编号：BJ20240506-0013',
      '事项：户口迁入登记',
      '您的申请材料齐全，符合法定形式，现予受理。',
      '受理日期：2024-05-06',
      '承诺办结时限：5 个工作日',
      '办结日期：2024-05-13 前',
      '我们将在承诺时限内办结。',
      '扫码可查询办理进度',
      ...footer(rule80),
    ]);
    expect(receipt.qrCodes).toEqual(['https://zwfw.example.gov.cn/case/BJ20240506-0013']);
  });

  it('受理通知书 on a printer without QR gives the case number to type instead of "scan"', () => {
    const { receipt } = decode(acceptance, PROFILES['no-cutter-58']);
    expect(receipt.qrCodes).toEqual([]);
    expect(receipt.text.join('')).not.toContain('扫码');
    expect(receipt.text.join('')).toMatch(/输入编号 ?BJ20240506-0013 可查办理进度/);
  });

  it('says 即时办结 for a limit of 0 working days, as the kiosk screen does', () => {
    const sameDay = { ...SAMPLE_ITEM, legalLimitDays: 0, promisedLimitDays: 0 };
    const guide = decode(oneTimeNotice({ ...CTX, item: sameDay })).receipt.text;
    expect(guide).toContain('法定办结时限：即时办结');
    expect(guide).toContain('承诺办结时限：即时办结');
    expect(guide.join('')).not.toContain('0 个工作日');
    const accepted = decode(acceptanceNotice({ ...CTX, item: sameDay, caseNumber: 'BJ1', acceptedOn: '2024-05-06', dueDate: '2024-05-06' })).receipt.text;
    expect(accepted).toContain('承诺办结时限：即时办结');
    expect(decode(oneTimeNotice({ ...CTX, item: sameDay, lang: 'en' })).receipt.text).toContain('Promised time limit: Same day');
  });

  it('says "1 working day" in English, not "1 working days"', () => {
    const oneDay = { ...SAMPLE_ITEM, legalLimitDays: 1, promisedLimitDays: 1 };
    const text = decode(oneTimeNotice({ ...CTX, item: oneDay, lang: 'en' })).receipt.text.join(' ');
    expect(text).toContain('Promised time limit: 1 working day');
    expect(text).not.toContain('1 working days');
    expect(decode(oneTimeNotice({ ...CTX, item: { ...oneDay, legalLimitDays: 20 }, lang: 'en' })).receipt.text.join(' ')).toContain('20 working days');
  });

  it('不予受理通知书 never starts a line with a lone 。 (避头尾)', () => {
    // 24 characters fill an 80 mm line exactly.
    const reason = '申请事项不属于本机关职权范围，请向属地派出所申请。';
    for (const profile of [p58, p80]) {
      const { receipt } = decode(rejectionNotice({ ...CTX, item: SAMPLE_ITEM, caseNumber: 'BJ20240506-0014', reason }), profile);
      for (const line of receipt.text) expect(line.trim()).not.toMatch(/^[。，、；：）》”]/);
      expect(receipt.text.join('')).toContain(reason);
    }
  });

  it('不予受理 states the reason and the remedy', () => {
    const { receipt } = decode(rejection);
    expect(receipt.text).toEqual([
      '滨江区政务服务中心',
      '不予受理通知书',
      rule80,
      '编号：BJ20240506-0014',
      '事项：户口迁入登记',
      '经审查，您的申请不予受理，理由如下：',
      '申请事项不属于本机关职权范围，请向户籍所在地公安',
      '派出所申请。',
      '如对本决定有异议，可依法申请行政复议或者提起行政',
      '诉讼。',
      ...footer(rule80),
    ]);
    expect(receipt.cuts).toBe(1);
  });

  it.each([
    ['一次性告知单', oneTime],
    ['补正材料告知书', correction],
    ['受理通知书', acceptance],
    ['不予受理通知书', rejection],
    ['ticket', ticket(TICKET)],
  ])('%s fits 58 mm paper and says the same as on 80 mm', (_name, doc) => {
    const narrow = decode(doc, p58).receipt;
    const wide = decode(doc, p80).receipt;
    for (const item of narrow.items) {
      if (item.kind === 'line') expect(columns(item.text) * item.width).toBeLessThanOrEqual(32);
    }
    const flat = (lines: string[]) => lines.filter((l) => !/^-+$/.test(l)).join('').replace(/\s+/g, '');
    expect(flat(narrow.text)).toBe(flat(wide.text));
    expect(narrow.qrCodes).toEqual(wide.qrCodes);
    expect(narrow.cuts).toBe(1);
  });
});

describe('the string table', () => {
  it('holds none of the forbidden phrases (H-14), in either language', () => {
    expect(forbiddenPhraseIn('请稍候，下班了，明天再来')).toBe('下班了，明天再来');
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const text of Object.values(STRINGS[lang])) expect(forbiddenPhraseIn(text), text).toBeUndefined();
    }
    expect(FORBIDDEN_PHRASES).toHaveLength(7);
  });

  it('has every key in English too', () => {
    expect(Object.keys(STRINGS.en).sort()).toEqual(Object.keys(STRINGS['zh-CN']).sort());
  });
});

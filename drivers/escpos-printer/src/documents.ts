import type { Material, ServiceItem } from '@servicehall/core';
import { t, type Lang } from './strings';

export type Align = 'left' | 'center' | 'right';

/** A printable document as layout-free blocks; encode.ts wraps them to a profile's width. */
export type Block =
  | {
      kind: 'text';
      text: string;
      align?: Align;
      size?: number | 'ticket-number';
      bold?: boolean;
      indent?: string;
      /** 'shrink': a smaller size, down to 1, where the text would not fit one line; Chinese words are kept whole. */
      fit?: 'shrink';
    }
  /**
   * A QR code with the line under it; a printer without QR prints `instead` (what to type at a
   * kiosk), so that no "scan" line ever stands without a code.
   */
  | { kind: 'qr'; data: string; caption?: string; instead?: string }
  | { kind: 'rule' }
  | { kind: 'feed'; lines: number };

export interface PrintDocument {
  kind: 'ticket' | 'one-time-notice' | 'correction-notice' | 'acceptance-notice' | 'rejection-notice';
  blocks: Block[];
}

export interface TicketInput {
  hallName: string;
  /** As shown and called, e.g. "A012". */
  number: string;
  itemName: string;
  waitingAhead: number;
  expectedWaitMinutes: number;
  /** Either already formatted by the caller, or an instant plus the hall's time zone. */
  issuedAt: string | { iso: string; timeZone: string };
  qrUrl?: string;
  lang?: Lang;
  /** 应急取号: given from the kiosk's lease while no hub answered, so no wait is known. */
  emergency?: boolean;
}

/** "2024-05-06 09:12" in the given time zone. */
export function formatIssuedAt(issuedAt: TicketInput['issuedAt']): string {
  if (typeof issuedAt === 'string') return issuedAt;
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: issuedAt.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(issuedAt.iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export function ticket(input: TicketInput): PrintDocument {
  const lang = input.lang ?? 'zh-CN';
  const blocks: Block[] = [
    { kind: 'text', text: input.hallName, align: 'center', bold: true },
    { kind: 'rule' },
    { kind: 'text', text: t(lang, 'ticket.yourNumber'), align: 'center' },
    { kind: 'text', text: input.number, align: 'center', size: 'ticket-number', bold: true },
    { kind: 'text', text: t(lang, 'ticket.item', { item: input.itemName }), align: 'center', size: 2, fit: 'shrink' },
    { kind: 'feed', lines: 1 },
  ];
  if (input.emergency) blocks.push({ kind: 'text', text: t(lang, 'ticket.emergency'), bold: true }, { kind: 'text', text: t(lang, 'ticket.emergencyOrder') });
  else {
    blocks.push({ kind: 'text', text: input.waitingAhead > 0 ? t(lang, 'ticket.waiting', { n: input.waitingAhead }) : t(lang, 'ticket.noneWaiting') });
    if (input.waitingAhead > 0) blocks.push({ kind: 'text', text: t(lang, 'ticket.expected', { m: input.expectedWaitMinutes }) });
  }
  blocks.push({ kind: 'text', text: t(lang, 'ticket.issued', { time: formatIssuedAt(input.issuedAt) }) });
  const typeNumber = t(lang, 'ticket.typeNumber', { number: input.number });
  if (input.qrUrl) blocks.push({ kind: 'qr', data: input.qrUrl, caption: t(lang, 'ticket.scan'), instead: typeNumber });
  else blocks.push({ kind: 'text', text: typeNumber, align: 'center' });
  blocks.push({ kind: 'rule' }, { kind: 'text', text: t(lang, 'ticket.closing'), align: 'center' });
  return { kind: 'ticket', blocks };
}

export interface NoticeContext {
  hallName: string;
  /** The date printed on the notice, formatted by the caller. */
  date: string;
  window?: string;
  clerkNumber?: string;
  phone?: string;
  lang?: Lang;
}

function header(ctx: NoticeContext, title: string, caseNumber?: string): Block[] {
  const lang = ctx.lang ?? 'zh-CN';
  const blocks: Block[] = [
    { kind: 'text', text: ctx.hallName, align: 'center', bold: true },
    { kind: 'text', text: title, align: 'center', size: 2, bold: true },
    { kind: 'rule' },
  ];
  if (caseNumber) blocks.push({ kind: 'text', text: t(lang, 'notice.caseNumber', { n: caseNumber }) });
  return blocks;
}

function footer(ctx: NoticeContext): Block[] {
  const lang = ctx.lang ?? 'zh-CN';
  const blocks: Block[] = [{ kind: 'rule' }];
  if (ctx.window) blocks.push({ kind: 'text', text: t(lang, 'notice.window', { w: ctx.window }) });
  if (ctx.clerkNumber) blocks.push({ kind: 'text', text: t(lang, 'notice.clerk', { c: ctx.clerkNumber }) });
  blocks.push({ kind: 'text', text: t(lang, 'notice.date', { date: ctx.date }) });
  blocks.push({ kind: 'text', text: t(lang, 'notice.phone', { p: ctx.phone ?? '12345' }) });
  return blocks;
}

/** A time limit in working days, 0 being 即时办结 as the kiosk's guide says. */
function limit(lang: Lang, key: 'notice.legalLimit' | 'notice.promisedLimit', days: number): string {
  return t(lang, key, { limit: days === 0 ? t(lang, 'notice.sameDay') : days === 1 ? t(lang, 'notice.oneWorkingDay') : t(lang, 'notice.workingDays', { n: days }) });
}

function numbered(items: string[], indent = '   '): Block[] {
  return items.map((text, i) => ({ kind: 'text', text: `${i + 1}. ${text}`, indent }) as const);
}

export function describeMaterial(m: Material, lang: Lang): string {
  const sep = lang === 'zh-CN' ? '，' : ', ';
  const form = t(lang, `material.${m.form}`);
  const text = `${m.name}（${form}${sep}${t(lang, 'material.count', { n: m.count })}）`;
  return lang === 'zh-CN' ? text : text.replace('（', ' (').replace('）', ')');
}

/** 一次性告知单 (H-03): everything the item needs, in one notice. */
export function oneTimeNotice(input: NoticeContext & { item: ServiceItem }): PrintDocument {
  const lang = input.lang ?? 'zh-CN';
  const { item } = input;
  const blocks: Block[] = [
    ...header(input, t(lang, 'notice.oneTime')),
    { kind: 'text', text: t(lang, 'notice.item', { item: lang === 'en' && item.nameEn ? item.nameEn : item.name }) },
    { kind: 'text', text: t(lang, 'notice.department', { d: item.department }) },
  ];
  if (item.conditions.length > 0) blocks.push({ kind: 'text', text: t(lang, 'notice.conditions'), bold: true }, ...numbered(item.conditions));
  blocks.push({ kind: 'text', text: t(lang, 'notice.materials', { n: item.materials.length }), bold: true });
  item.materials.forEach((m, i) => {
    blocks.push({ kind: 'text', text: `${i + 1}. ${describeMaterial(m, lang)}`, indent: '   ' });
    if (m.note) blocks.push({ kind: 'text', text: `   ${t(lang, 'material.note', { note: m.note })}`, indent: '   ' });
  });
  if (item.steps.length > 0) blocks.push({ kind: 'text', text: t(lang, 'notice.steps'), bold: true }, ...numbered(item.steps));
  blocks.push(
    { kind: 'text', text: t(lang, 'notice.fees', { fees: item.fees }) },
    { kind: 'text', text: limit(lang, 'notice.legalLimit', item.legalLimitDays) },
    { kind: 'text', text: limit(lang, 'notice.promisedLimit', item.promisedLimitDays) },
  );
  if (item.onlineUrl) blocks.push({ kind: 'text', text: t(lang, 'notice.online', { url: item.onlineUrl }) }, { kind: 'qr', data: item.onlineUrl });
  blocks.push({ kind: 'text', text: t(lang, 'notice.oneTimeClosing'), bold: true }, ...footer(input));
  return { kind: 'one-time-notice', blocks };
}

export interface MissingMaterial {
  material: Material;
  reason: string;
}

/** 补正材料告知书 (H-03): every missing or faulty material at once, with the date to bring them by. */
export function correctionNotice(input: NoticeContext & { item: ServiceItem; caseNumber: string; missing: MissingMaterial[]; deadline: string }): PrintDocument {
  const lang = input.lang ?? 'zh-CN';
  const blocks: Block[] = [
    ...header(input, t(lang, 'notice.correction'), input.caseNumber),
    { kind: 'text', text: t(lang, 'notice.item', { item: input.item.name }) },
    { kind: 'text', text: t(lang, 'notice.correctionIntro') },
  ];
  input.missing.forEach((m, i) => {
    blocks.push({ kind: 'text', text: `${i + 1}. ${describeMaterial(m.material, lang)}`, indent: '   ' });
    blocks.push({ kind: 'text', text: `   ${t(lang, 'material.reason', { reason: m.reason })}`, indent: '   ' });
  });
  blocks.push({ kind: 'text', text: t(lang, 'notice.correctionDeadline', { date: input.deadline }), bold: true }, ...footer(input));
  return { kind: 'correction-notice', blocks };
}

/** 受理通知书 (H-07): accepted, with the time limit and the due date. */
export function acceptanceNotice(
  input: NoticeContext & { item: ServiceItem; caseNumber: string; acceptedOn: string; dueDate: string; trackUrl?: string },
): PrintDocument {
  const lang = input.lang ?? 'zh-CN';
  const blocks: Block[] = [
    ...header(input, t(lang, 'notice.acceptance'), input.caseNumber),
    { kind: 'text', text: t(lang, 'notice.item', { item: input.item.name }) },
    { kind: 'text', text: t(lang, 'notice.acceptanceIntro') },
    { kind: 'text', text: t(lang, 'notice.acceptedOn', { date: input.acceptedOn }) },
    { kind: 'text', text: limit(lang, 'notice.promisedLimit', input.item.promisedLimitDays) },
    { kind: 'text', text: t(lang, 'notice.dueDate', { date: input.dueDate }), bold: true },
  ];
  blocks.push({ kind: 'text', text: t(lang, 'notice.acceptanceClosing') });
  const typeCase = t(lang, 'notice.typeCase', { n: input.caseNumber });
  if (input.trackUrl) blocks.push({ kind: 'qr', data: input.trackUrl, caption: t(lang, 'notice.scanCase'), instead: typeCase });
  else blocks.push({ kind: 'text', text: typeCase });
  blocks.push(...footer(input));
  return { kind: 'acceptance-notice', blocks };
}

/** 不予受理通知书 (H-07): not accepted, with the reason stated and the remedy open to the applicant. */
export function rejectionNotice(input: NoticeContext & { item: ServiceItem; caseNumber: string; reason: string }): PrintDocument {
  const lang = input.lang ?? 'zh-CN';
  const blocks: Block[] = [
    ...header(input, t(lang, 'notice.rejection'), input.caseNumber),
    { kind: 'text', text: t(lang, 'notice.item', { item: input.item.name }) },
    { kind: 'text', text: t(lang, 'notice.rejectionIntro') },
    { kind: 'text', text: input.reason, indent: '' },
    { kind: 'text', text: t(lang, 'notice.remedy') },
    ...footer(input),
  ];
  return { kind: 'rejection-notice', blocks };
}

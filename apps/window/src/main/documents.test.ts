import { applyEvent, CatalogueSchema, decide, emptyView, type Actor, type Case, type CommandBody, type HallView } from '@servicehall/core';
import { encodeDocument, PROFILES } from '@servicehall/escpos-printer';
import { decodeReceipt } from '@servicehall/fixtures/devices';
import { describe, expect, it } from 'vitest';
import demo from '../../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { noticeFor } from './documents';

const DAY = '2026-09-28';
const at = (time: string) => Date.parse(`${DAY}T${time}:00+08:00`);
const win7: Actor = { role: 'window', terminal: 'window-7', window: 7 };
const options = { windowName: '7号窗口 企业开办', clerk: '1011', lang: 'zh-CN' as const, correctionDays: 10 };

function must(view: HallView, command: CommandBody, actor: Actor, now: number) {
  const r = decide(view, command, { now, actor });
  if (!r.ok) throw new Error(`${command.type} refused: ${r.code}`);
  for (const e of r.value.events) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  return r.value;
}

function serving(code: string): HallView {
  const view = emptyView(CatalogueSchema.parse(demo), DAY);
  must(view, { type: 'openWindow', window: 7, clerk: '1011' }, win7, at('08:30'));
  must(view, { type: 'issueTicket', serviceCode: code, lane: 'ordinary' }, { role: 'kiosk', terminal: 'k' }, at('09:00'));
  must(view, { type: 'callNext', window: 7 }, win7, at('09:01'));
  must(view, { type: 'startService', window: 7 }, win7, at('09:02'));
  return view;
}

const recorded = (view: HallView, body: Partial<Extract<CommandBody, { type: 'recordOutcome' }>> & { serviceCode: string; outcome: 'accepted' | 'correction' | 'rejected' | 'consultation' }): Case => {
  const e = must(view, { type: 'recordOutcome', window: 7, ...body }, win7, at('09:05')).events[0]!;
  if (e.type !== 'case.recorded') throw new Error('no case');
  return view.cases.get(e.case.number)!;
};

const printedText = (doc: Parameters<typeof encodeDocument>[0]) => decodeReceipt(encodeDocument(doc, PROFILES['generic-80'])).receipt.text.join('\n');

describe('the notices an outcome prints', () => {
  it('prints a 受理通知书 whose due date skips 国庆 and counts the make-up Saturday (N-05)', () => {
    const view = serving('SJ-SPJY-XK');
    const c = recorded(view, { serviceCode: 'SJ-SPJY-XK', outcome: 'accepted' });
    const notice = noticeFor(view, { outcome: 'accepted', case: c }, options)!;
    expect(notice.document).toBe('acceptance');
    const text = printedText(notice.doc);
    expect(text).toContain('受理通知书');
    expect(text).toContain('SL202609280001');
    expect(text).toContain('办结日期：2026-10-10');
  });

  it('names every chosen material on the 补正材料告知书, each with its reason (H-03)', () => {
    const view = serving('SJ-QY-SL');
    const c = recorded(view, { serviceCode: 'SJ-QY-SL', outcome: 'correction', materials: ['m2', 'm5'] });
    const notice = noticeFor(view, { outcome: 'correction', case: c, reasons: { m2: '已过有效期' } }, options)!;
    const text = printedText(notice.doc);
    const item = view.catalogue.items.find((i) => i.code === 'SJ-QY-SL')!;
    for (const id of ['m2', 'm5']) expect(text).toContain(item.materials.find((m) => m.id === id)!.name.slice(0, 8));
    expect(text).not.toContain(item.materials.find((m) => m.id === 'm1')!.name.slice(0, 8));
    expect(text).toContain('补正原因：已过有效期');
    expect(text).toContain('补正原因：未提供');
    // Ten working days from 09-28 across 国庆: 09-29, 09-30, 10-08, 10-09, 10-10 (make-up), 10-12 .. 10-16.
    expect(text).toContain('2026-10-16');
  });

  it('prints the deadline the hub gave the notice (the hall’s), whatever the window’s own setting', () => {
    const view = serving('SJ-QY-SL');
    view.catalogue = { ...view.catalogue, cases: { correctionDays: 3 } };
    const c = recorded(view, { serviceCode: 'SJ-QY-SL', outcome: 'correction', materials: ['m2'] });
    expect(c.notices[0]!.deadline).toBe('2026-10-08');
    const text = printedText(noticeFor(view, { outcome: 'correction', case: c }, { ...options, correctionDays: 20 })!.doc);
    expect(text).toContain('2026-10-08');
  });

  it('prints the reason of a 不予受理 and the one-time notice of a consultation', () => {
    const view = serving('SJ-QY-SL');
    const c = recorded(view, { serviceCode: 'SJ-QY-SL', outcome: 'rejected', reason: '申请事项依法不需要取得行政许可' });
    expect(printedText(noticeFor(view, { outcome: 'rejected', case: c, rejectReason: c.rejectReason }, options)!.doc)).toContain('申请事项依法不需要取得行政许可');
    const k = recorded(view, { serviceCode: 'SJ-GT-SL', outcome: 'consultation' });
    expect(printedText(noticeFor(view, { outcome: 'consultation', case: k }, options)!.doc)).toContain('一次性告知单');
  });
});

import { CASE_STATE_NAMES, maskName } from '../cases';
import type { Delivery } from '../casework';
import type { CommandBody } from '../commands';
import { ok, refuse, type Result } from '../result';
import { inBothLanguages } from '../strings';
import { byOf, caseDepartments, forbidden, isHeadOf, isSupervisor, staffOf } from './casework';
import type { DecideContext, Decision, HallView } from './view';

// Delivery of results (H-12): the notice that the result is ready, how it goes (the window, post
// with its tracking number, electronically), who signed for it, and the originals given back.

export type DeliveryCommand = Extract<CommandBody, { type: 'recordDelivery' }>;

/** A step recorded already, most often by a colleague a moment before: said so, in the console's language. */
const recordedAlready = (number: string, zh: string, en: string) =>
  refuse('illegal-transition', inBothLanguages(`办件 ${number} ${zh}，无需再次登记：请刷新页面查看。`, `${en}: refresh the page to see it.`));

export function decideDelivery(view: HallView, command: DeliveryCommand, ctx: DecideContext): Result<Decision> {
  const c = view.cases.get(command.caseNumber) ?? ctx.caseOf?.(command.caseNumber);
  if (!c) return refuse('not-found', `there is no case ${command.caseNumber}`);
  const s = staffOf(ctx);
  // Clerks hand results over at their windows; a department head sees to their department's cases,
  // one handed to them between departments (H-10) too: the department that finished it often delivers it.
  const departments = caseDepartments(view.catalogue, c, ctx.caseRouteOf?.(c.number));
  if (!isSupervisor(ctx) && !departments.some((d) => isHeadOf(ctx, d)) && s?.role !== 'clerk') return forbidden(ctx, `record the delivery of case ${c.number}`);
  if (c.state !== 'accepted') return refuse('illegal-transition', inBothLanguages(`办件 ${c.number} 为“${CASE_STATE_NAMES[c.state]}”：只有已受理的办件才有办理结果需要送达。`, `Case ${c.number} is ${c.state}: only an accepted case has a result to deliver.`));
  const by = byOf(ctx);
  const d: Delivery = ctx.deliveryOf?.(c.number) ?? { caseNumber: c.number, notices: [] };
  const method = command.method ?? d.method;
  let next: Delivery;
  switch (command.action) {
    case 'notify':
      if (!command.channel) return refuse('bad-request', inBothLanguages('请选择通知申请人领取的方式：短信、电话、政务 App 或书面。', 'Say how the citizen was told the result is ready: sms, phone, app or letter.'));
      next = { ...d, ...(method ? { method } : {}), notices: [...d.notices, { at: ctx.now, channel: command.channel, by }] };
      break;
    case 'send':
      if (method !== 'post' && method !== 'electronic') return refuse('bad-request', inBothLanguages('办理结果只能邮寄或电子送达；窗口领取的请记录签收。', 'A result is sent by post or electronically; one handed over at the window is recorded as handed over.'));
      if (method === 'post' && !command.trackingNumber) return refuse('bad-request', inBothLanguages('邮寄送达请填写快递单号。', 'A result sent by post needs its tracking number.'));
      if (d.sent || d.delivered) return recordedAlready(c.number, d.delivered ? '的办理结果已签收' : '的办理结果已寄出', `The result of case ${c.number} is ${d.delivered ? 'delivered' : 'sent'} already`);
      next = { ...d, method, sent: { at: ctx.now, method, by, ...(command.trackingNumber ? { trackingNumber: command.trackingNumber } : {}) } };
      break;
    case 'hand-over': {
      if (d.delivered) return recordedAlready(c.number, '的办理结果已签收', `The result of case ${c.number} is delivered already`);
      const how = method ?? 'window';
      if (how !== 'electronic' && !command.signedBy) return refuse('bad-request', inBothLanguages('请填写签收人。', 'Say who signed for the result.'));
      next = { ...d, method: how, delivered: { at: ctx.now, by, ...(command.signedBy ? { signedBy: maskName(command.signedBy) } : {}) } };
      break;
    }
    case 'return-originals':
      if (!command.items || !command.signedBy) return refuse('bad-request', inBothLanguages('请填写退还的原件和签收人。', 'Name the originals given back and who signed for them.'));
      if (d.originals) return recordedAlready(c.number, '的原件已退还', `The originals of case ${c.number} are given back already`);
      next = { ...d, originals: { at: ctx.now, items: command.items, signedBy: maskName(command.signedBy), by } };
      break;
  }
  return ok({ events: [{ type: 'delivery.recorded', action: command.action, delivery: next }] });
}

import { maskName } from '../cases';
import type { Delivery } from '../casework';
import type { CommandBody } from '../commands';
import { ok, refuse, type Result } from '../result';
import { byOf, caseDepartments, forbidden, isHeadOf, isSupervisor, staffOf } from './casework';
import type { DecideContext, Decision, HallView } from './view';

// Delivery of results (H-12): the notice that the result is ready, how it goes (the window, post
// with its tracking number, electronically), who signed for it, and the originals given back.

export type DeliveryCommand = Extract<CommandBody, { type: 'recordDelivery' }>;

export function decideDelivery(view: HallView, command: DeliveryCommand, ctx: DecideContext): Result<Decision> {
  const c = view.cases.get(command.caseNumber) ?? ctx.caseOf?.(command.caseNumber);
  if (!c) return refuse('not-found', `there is no case ${command.caseNumber}`);
  const s = staffOf(ctx);
  // Clerks hand results over at their windows; a department head sees to their department's cases,
  // one handed to them between departments (H-10) too: the department that finished it often delivers it.
  const departments = caseDepartments(view.catalogue, c, ctx.caseRouteOf?.(c.number));
  if (!isSupervisor(ctx) && !departments.some((d) => isHeadOf(ctx, d)) && s?.role !== 'clerk') return forbidden(ctx, `record the delivery of case ${c.number}`);
  if (c.state !== 'accepted') return refuse('illegal-transition', `case ${c.number} is ${c.state}: only an accepted case has a result to deliver`);
  const by = byOf(ctx);
  const d: Delivery = ctx.deliveryOf?.(c.number) ?? { caseNumber: c.number, notices: [] };
  const method = command.method ?? d.method;
  let next: Delivery;
  switch (command.action) {
    case 'notify':
      if (!command.channel) return refuse('bad-request', 'say how the citizen was told the result is ready: sms, phone, app or letter');
      next = { ...d, ...(method ? { method } : {}), notices: [...d.notices, { at: ctx.now, channel: command.channel, by }] };
      break;
    case 'send':
      if (method !== 'post' && method !== 'electronic') return refuse('bad-request', 'a result is sent by post or electronically; one handed over at the window is recorded as handed over');
      if (method === 'post' && !command.trackingNumber) return refuse('bad-request', 'a result sent by post needs its tracking number');
      if (d.sent || d.delivered) return refuse('illegal-transition', `the result of case ${c.number} is ${d.delivered ? 'delivered' : 'sent'} already`);
      next = { ...d, method, sent: { at: ctx.now, method, by, ...(command.trackingNumber ? { trackingNumber: command.trackingNumber } : {}) } };
      break;
    case 'hand-over': {
      if (d.delivered) return refuse('illegal-transition', `the result of case ${c.number} is delivered already`);
      const how = method ?? 'window';
      if (how !== 'electronic' && !command.signedBy) return refuse('bad-request', 'say who signed for the result');
      next = { ...d, method: how, delivered: { at: ctx.now, by, ...(command.signedBy ? { signedBy: maskName(command.signedBy) } : {}) } };
      break;
    }
    case 'return-originals':
      if (!command.items || !command.signedBy) return refuse('bad-request', 'name the originals given back and who signed for them');
      if (d.originals) return refuse('illegal-transition', `the originals of case ${c.number} are given back already`);
      next = { ...d, originals: { at: ctx.now, items: command.items, signedBy: maskName(command.signedBy), by } };
      break;
  }
  return ok({ events: [{ type: 'delivery.recorded', action: command.action, delivery: next }] });
}

import { dueDate } from '../calendar';
import { maskName } from '../cases';
import type { Complaint } from '../casework';
import type { CommandBody } from '../commands';
import { counterKey } from '../numbering';
import { ok, refuse, type Result } from '../result';
import { forbiddenPhrasesIn, inBothLanguages } from '../strings';
import { byOf, complaintDays, departmentOf, forbidden, isHeadOf, isSupervisor } from './casework';
import { hallCalendar } from './setup';
import type { DecideContext, Decision, EventOf, HallView } from './view';

// Complaints (H-15): registered from any source, linked to what they are about, due in working
// days, assigned, replied to, closed; one past its deadline without a reply goes to the supervisor.

export type ComplaintCommand = Extract<CommandBody, { type: 'createComplaint' | 'advanceComplaint' | 'escalateComplaint' }>;

const PREFIX = 'TS';

/** Complaint numbers run per hall day: TS202612010001 (投诉 + date + four digits). */
export const formatComplaintId = (day: string, n: number) => `${PREFIX}${day.replace(/-/g, '')}${String(n).padStart(4, '0')}`;

export function applyComplaintEvent(view: HallView, event: EventOf<'complaint.changed'>): void {
  if (event.action !== 'registered') return;
  const m = /^TS(\d{4})(\d{2})(\d{2})(\d{4,})$/.exec(event.complaint.id);
  if (m && `${m[1]}-${m[2]}-${m[3]}` === view.day) {
    const key = counterKey(view.day, PREFIX);
    view.counters.set(key, Math.max(view.counters.get(key) ?? 0, Number(m[4])));
  }
}

/** Whether a complaint is past its deadline on `day` without a reply. */
export const isComplaintOverdue = (c: Complaint, day: string) => !c.reply && !c.closed && day > c.due;

export function decideComplaint(view: HallView, command: ComplaintCommand, ctx: DecideContext): Result<Decision> {
  const by = byOf(ctx);
  const { catalogue } = view;
  if (command.type === 'createComplaint') {
    if (!isSupervisor(ctx)) return forbidden(ctx, 'register complaints');
    const about = command.about ?? {};
    const c = about.caseNumber ? (view.cases.get(about.caseNumber) ?? ctx.caseOf?.(about.caseNumber)) : undefined;
    if (about.caseNumber && !c) return refuse('not-found', `there is no case ${about.caseNumber}`);
    if (about.window !== undefined && !catalogue.windows.some((w) => w.number === about.window)) return refuse('not-found', `there is no window ${about.window}`);
    if (about.clerk !== undefined && !catalogue.clerks.some((k) => k.number === about.clerk)) return refuse('not-found', `there is no clerk ${about.clerk}`);
    if (command.department && !catalogue.departments.some((d) => d.name === command.department)) return refuse('not-found', `there is no department ${command.department}`);
    // The ticket tells its window, clerk and item: today's from the view, an earlier day's from the hall's records.
    const t = about.ticketId ? (view.tickets.get(about.ticketId) ?? ctx.ticketOf?.(about.ticketId)) : undefined;
    const code = c?.serviceCode ?? t?.serviceCode;
    const itemDepartment = code ? catalogue.items.find((i) => i.code === code)?.department : undefined;
    const department = command.department ?? departmentOf(catalogue, about.window ?? c?.window ?? t?.window, about.clerk ?? c?.clerk ?? t?.clerk).department ?? itemDepartment;
    const n = (view.counters.get(counterKey(view.day, PREFIX)) ?? 0) + 1;
    if (ctx.complaintOf?.(formatComplaintId(view.day, n))) return refuse('conflict', `complaint ${formatComplaintId(view.day, n)} exists already: the day's numbering is out of step`);
    const complaint: Complaint = {
      id: formatComplaintId(view.day, n),
      source: command.source,
      ...(command.sourceRef ? { sourceRef: command.sourceRef } : {}),
      receivedOn: view.day,
      at: ctx.now,
      summary: command.summary,
      ...(command.complainant ? { complainant: maskName(command.complainant) } : {}),
      about,
      ...(department ? { department } : {}),
      due: dueDate(ctx.calendar ?? hallCalendar(catalogue), view.day, complaintDays(catalogue)).day,
      state: 'registered',
      history: [{ at: ctx.now, action: 'registered', by }],
    };
    return ok({ events: [{ type: 'complaint.changed', action: 'registered', complaint }] });
  }
  const c = ctx.complaintOf?.(command.complaintId);
  if (!c) return refuse('not-found', `there is no complaint ${command.complaintId}`);
  // Two supervisors, or a page left open: the one who acts second is told what happened, in the hall's words.
  if (c.closed) return refuse('illegal-transition', inBothLanguages(`投诉 ${c.id} 已办结，无需再办理：请刷新页面查看。`, `Complaint ${c.id} is closed: nothing more to do; refresh the page to see it.`));
  /** Assigned or replied to once it has its reply: the second of two supervisors, or a page left open. */
  const repliedAlready = () =>
    refuse('illegal-transition', inBothLanguages(`投诉 ${c.id} 已答复投诉人，不能再改派或再次答复：请刷新页面查看。`, `Complaint ${c.id} has its reply already: refresh the page to see it.`));
  if (command.type === 'escalateComplaint') {
    if (c.escalated) return refuse('conflict', `complaint ${c.id} went to the supervisor already`);
    if (!isComplaintOverdue(c, view.day)) return refuse('conflict', `complaint ${c.id} is not overdue: ${c.reply ? 'it has its reply' : `it has until ${c.due}`}`);
    const complaint: Complaint = {
      ...c,
      escalated: { at: ctx.now, to: 'supervisor', overdueSince: c.due },
      history: [...c.history, { at: ctx.now, action: 'escalated', by }],
    };
    return ok({ events: [{ type: 'complaint.changed', action: 'escalated', complaint }] });
  }
  const entry = { at: ctx.now, action: command.action, by, note: command.note };
  switch (command.action) {
    case 'assign': {
      if (!isSupervisor(ctx)) return forbidden(ctx, `assign complaint ${c.id}`);
      if (!command.department && !command.staff) return refuse('bad-request', 'assign the complaint to a department or a staff member');
      if (command.department && !catalogue.departments.some((d) => d.name === command.department)) return refuse('not-found', `there is no department ${command.department}`);
      if (c.reply) return repliedAlready();
      const department = command.department ?? c.department;
      const assigned = { at: ctx.now, by, note: command.note, ...(department ? { department } : {}), ...(command.staff ? { staff: command.staff } : {}) };
      const complaint: Complaint = { ...c, state: 'assigned', assigned, ...(department ? { department } : {}), history: [...c.history, entry] };
      return ok({ events: [{ type: 'complaint.changed', action: 'assigned', complaint }] });
    }
    case 'reply': {
      if (!isSupervisor(ctx) && !isHeadOf(ctx, c.department)) return forbidden(ctx, `reply to complaint ${c.id}`);
      if (!command.channel) return refuse('bad-request', 'say how the reply reached the complainant: phone, sms, letter, in person or the hotline');
      if (c.reply) return repliedAlready();
      const uncivil = forbiddenPhrasesIn(command.note);
      if (uncivil.length > 0) return refuse('bad-request', `the reply uses a phrase the handbook forbids (H-14): ${uncivil.join('、')}; please say it civilly`);
      const complaint: Complaint = { ...c, state: 'replied', reply: { at: ctx.now, channel: command.channel, text: command.note, by }, history: [...c.history, entry] };
      return ok({ events: [{ type: 'complaint.changed', action: 'replied', complaint }] });
    }
    case 'close': {
      if (!isSupervisor(ctx)) return forbidden(ctx, `close complaint ${c.id}`);
      if (!c.reply) return refuse('illegal-transition', inBothLanguages(`投诉 ${c.id} 尚未答复投诉人：请先答复，再办结。`, `Complaint ${c.id} has no reply yet: reply to the complainant before closing it.`));
      const closed = { at: ctx.now, note: command.note, by, ...(command.satisfied !== undefined ? { satisfied: command.satisfied } : {}) };
      const complaint: Complaint = { ...c, state: 'closed', closed, history: [...c.history, entry] };
      return ok({ events: [{ type: 'complaint.changed', action: 'closed', complaint }] });
    }
  }
}

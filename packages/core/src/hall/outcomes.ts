import { changed } from '../copy';
import { dueDate } from '../calendar';
import { correctionNotice, formatCaseNumber, maskIdNumber, maskName, outcomeOfState, type Case, type CorrectionNotice, type Outcome } from '../cases';
import { findItem, type ServiceItem } from '../catalogue';
import type { CommandBody } from '../commands';
import { counterKey } from '../numbering';
import { ok, refuse, type Result } from '../result';
import { forbiddenPhrasesIn } from '../strings';
import type { Ticket } from '../ticket';
import { correctionDays, correctionDeadline, isPastDeadline } from './case-deadlines';
import { caseOfEvent, caseRecorded } from './case-events';
import { hallCalendar } from './setup';
import { currentTicket, indexCase, type DecideContext, type Decision, type EventOf, type HallView } from './view';

// Cases: the one outcome of a visit for one service item (H-07), with its notices and due dates,
// and the amendment of that outcome when it was recorded wrongly.

export type CaseEventType = 'case.recorded' | 'case.amended';

export type OutcomeCommand = Extract<CommandBody, { type: 'recordOutcome' | 'amendOutcome' }>;

export function applyCaseEvent(view: HallView, event: EventOf<CaseEventType>): void {
  const c = caseOfEvent(view, event);
  const before = view.cases.get(c.number);
  view.cases.set(c.number, c);
  indexCase(view, c, before);
  const m = /^SL(\d{4})(\d{2})(\d{2})(\d{4,})$/.exec(c.number);
  if (m && `${m[1]}-${m[2]}-${m[3]}` === view.day) {
    const key = counterKey(view.day, 'SL');
    view.counters.set(key, Math.max(view.counters.get(key) ?? 0, Number(m[4])));
  }
}

/** When the visit being served began at the counter: what happened from then on belongs to this visit. */
const visitStart = (t: Ticket): number => t.servingAt ?? t.calledAt ?? t.issuedAt;

/** The case whose outcome this visit has recorded for an item, if any: one item, one outcome per visit. */
export function caseOfVisit(view: HallView, ticket: Ticket, serviceCode: string): Case | undefined {
  for (const number of view.casesOfTicket.get(ticket.id) ?? []) {
    const c = view.cases.get(number);
    if (c?.serviceCode === serviceCode) return c;
  }
  return undefined;
}

/** The outcome a case's latest visit recorded (cases from before `outcome` was kept: from its state). */
export function outcomeOf(c: Case): Outcome {
  return c.outcome ?? outcomeOfState(c.state);
}

export function decideOutcome(view: HallView, command: OutcomeCommand, ctx: DecideContext): Result<Decision> {
  const t = currentTicket(view, command.window);
  if (!t || t.state !== 'serving') return refuse('illegal-transition', `window ${command.window} is not serving anyone: start the service first`);
  return command.type === 'amendOutcome' ? decideAmendment(view, command, t, ctx) : decideRecord(view, command, t, ctx);
}

/** One outcome of a visit for one item (H-07): accepted with due dates, correction notice, not accepted, or consultation. */
function decideRecord(view: HallView, command: Extract<OutcomeCommand, { type: 'recordOutcome' }>, t: Ticket, ctx: DecideContext): Result<Decision> {
  const item = findItem(view.catalogue, command.serviceCode);
  if (!item) return refuse('not-found', `there is no service item ${command.serviceCode}`);
  const recorded = caseOfVisit(view, t, item.code);
  if (recorded)
    return refuse('outcome-recorded', `${item.name} has its outcome in this visit already (case ${recorded.number}, ${outcomeOf(recorded)}): amend that outcome, with its reason`);
  // A case from an earlier day is in the hall's records, not the view.
  const existing = command.caseNumber ? (view.cases.get(command.caseNumber) ?? ctx.caseOf?.(command.caseNumber)) : undefined;
  if (command.caseNumber && !existing) return refuse('not-found', `there is no open case ${command.caseNumber}`);
  if (existing && existing.serviceCode !== item.code) return refuse('bad-request', `case ${existing.number} is for ${existing.serviceCode}, not ${item.code}`);
  if (existing && isPastDeadline(existing, view.day, view.catalogue, ctx.calendar))
    return refuse('case-lapsed', `case ${existing.number} had until ${correctionDeadline(existing, view.catalogue, ctx.calendar)} for its corrections: it has lapsed`);
  if (existing && existing.state !== 'correction') return refuse('illegal-transition', `case ${existing.number} is ${existing.state} already`);
  const clerk = view.windows.get(command.window)?.clerk;
  const number = existing?.number ?? formatCaseNumber(view.day, (view.counters.get(counterKey(view.day, 'SL')) ?? 0) + 1);
  const base: Case = existing ?? {
    number,
    serviceCode: item.code,
    state: 'consulted',
    ticketId: t.id,
    window: command.window,
    clerk,
    firstClerk: t.firstClerk ?? clerk,
    openedAt: ctx.now,
    notices: [],
    amendments: [],
  };
  const applicant = command.applicant
    ? { name: maskName(command.applicant.name), ...(command.applicant.idNumber ? { idNumber: maskIdNumber(command.applicant.idNumber) } : {}) }
    : base.applicant;
  const touched: Case = changed(base, { ticketId: t.id, window: command.window, clerk, applicant });
  const c = caseWithOutcome(view, item, touched, command, { earlierNotices: base.notices, continued: !!existing, clerk, ctx });
  if (!c.ok) return c;
  return ok({ events: [caseRecorded(view, command.outcome, c.value, !existing, ctx.now)] });
}

/**
 * An outcome recorded wrongly is corrected, never recorded twice: the same case, amended with the
 * reason, while its visit is still at the counter (the window serving that visit, after a transfer too).
 */
function decideAmendment(view: HallView, command: Extract<OutcomeCommand, { type: 'amendOutcome' }>, t: Ticket, ctx: DecideContext): Result<Decision> {
  const recorded = view.cases.get(command.caseNumber);
  if (!recorded) return refuse('not-found', `there is no case ${command.caseNumber}`);
  if (recorded.ticketId !== t.id) return refuse('illegal-transition', `case ${recorded.number} was not recorded in the visit being served here; only its own visit amends it`);
  const item = findItem(view.catalogue, recorded.serviceCode);
  if (!item) return refuse('not-found', `there is no service item ${recorded.serviceCode}`);
  const from = outcomeOf(recorded);
  if (from === command.outcome && command.outcome !== 'correction') return refuse('conflict', `case ${recorded.number} is ${from} already`);
  const start = visitStart(t);
  // The notice this visit printed is replaced, not added to: the citizen takes one notice home.
  const earlierNotices = recorded.notices.filter((n) => n.at < start);
  const continued = recorded.openedAt < start;
  const clerk = view.windows.get(command.window)?.clerk;
  const { acceptedOn: _a, promisedDue: _p, legalDue: _l, dueCertain: _d, rejectReason: _r, ...plain } = recorded;
  const base: Case = changed(plain, { notices: earlierNotices, window: command.window, clerk, state: continued ? 'correction' : 'consulted' });
  const c = caseWithOutcome(view, item, base, command, { earlierNotices, continued, clerk, ctx });
  if (!c.ok) return c;
  const amended: Case = changed(c.value, { amendments: [...(recorded.amendments ?? []), { at: ctx.now, clerk, from, to: command.outcome, reason: command.amendReason }] });
  return ok({ events: [{ type: 'case.amended', outcome: command.outcome, from, reason: command.amendReason, case: amended, by: ctx.actor.terminal }] });
}

interface OutcomeFields {
  outcome: Outcome;
  materials?: string[];
  reason?: string;
  breachReason?: string;
}

/** The case as an outcome leaves it, or why the outcome cannot be given as asked. */
function caseWithOutcome(
  view: HallView,
  item: ServiceItem,
  base: Case,
  fields: OutcomeFields,
  at: { earlierNotices: readonly CorrectionNotice[]; continued: boolean; clerk?: string; ctx: DecideContext },
): Result<Case> {
  const { ctx } = at;
  switch (fields.outcome) {
    case 'accepted': {
      const calendar = ctx.calendar ?? hallCalendar(view.catalogue);
      const promised = dueDate(calendar, view.day, item.promisedLimitDays);
      const legal = dueDate(calendar, view.day, item.legalLimitDays);
      return ok(changed(base, { state: 'accepted', outcome: 'accepted', acceptedOn: view.day, promisedDue: promised.day, legalDue: legal.day, dueCertain: promised.certain && legal.certain }));
    }
    case 'correction': {
      const materials = fields.materials ?? [];
      if (materials.length === 0) return refuse('bad-request', 'a correction notice names every missing material: choose at least one');
      const known = new Set(item.materials.map((m) => m.id));
      const unknown = materials.filter((m) => !known.has(m));
      if (unknown.length > 0) return refuse('bad-request', `${item.name} has no material ${unknown.join(', ')}`);
      const deadline = dueDate(ctx.calendar ?? hallCalendar(view.catalogue), view.day, correctionDays(view.catalogue)).day;
      const notice = correctionNotice(at.earlierNotices, materials, ctx.now, at.clerk, { breachReason: fields.breachReason, deadline });
      // 一次性告知 (H-03): the clerk is warned before such a notice is printed, and gives it only with a reason.
      // The refusal names them: a terminal whose view does not hold an earlier day's case can still say which.
      if (notice.breach && !fields.breachReason)
        return changed(refuse('notice-breach', `the notice adds material an earlier notice on case ${base.number} did not name: ${notice.newMaterials.join(', ')}; confirm with the reason`), { materials: notice.newMaterials });
      return ok(changed(base, { state: 'correction', outcome: 'correction', notices: [...at.earlierNotices, notice] }));
    }
    case 'rejected': {
      if (!fields.reason) return refuse('bad-request', 'not accepting needs the reason, stated for the citizen');
      const uncivil = forbiddenPhrasesIn(fields.reason);
      if (uncivil.length > 0) return refuse('bad-request', `the reason is printed for the citizen and uses a phrase the handbook forbids (H-14): ${uncivil.join('、')}; please say it civilly`);
      return ok(changed(base, { state: 'rejected', outcome: 'rejected', rejectReason: fields.reason }));
    }
    case 'consultation':
      // A case back with its corrections stays waiting for them after a mere consultation.
      return ok(changed(base, { state: at.continued ? 'correction' : 'consulted', outcome: 'consultation' }));
  }
}

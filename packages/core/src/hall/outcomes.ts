import { dueDate } from '../calendar';
import { hallCalendar } from './setup';
import { correctionNotice, formatCaseNumber, maskIdNumber, maskName, type Case } from '../cases';
import { findItem } from '../catalogue';
import type { CommandBody } from '../commands';
import { counterKey } from '../numbering';
import { ok, refuse, type Result } from '../result';
import { forbiddenPhrasesIn } from '../strings';
import { correctionDays, correctionDeadline, isPastDeadline } from './case-deadlines';
import { caseOfEvent, caseRecorded } from './case-events';
import { currentTicket, indexCase, type DecideContext, type Decision, type EventOf, type HallView } from './view';

// Cases: the one outcome of a visit for one service item (H-07), with its notices and due dates.

export type CaseEventType = 'case.recorded';

export type OutcomeCommand = Extract<CommandBody, { type: 'recordOutcome' }>;

export function applyCaseEvent(view: HallView, event: EventOf<CaseEventType>): void {
  const c = caseOfEvent(view, event);
  view.cases.set(c.number, c);
  indexCase(view, c);
  const m = /^SL(\d{4})(\d{2})(\d{2})(\d{4,})$/.exec(c.number);
  if (m && `${m[1]}-${m[2]}-${m[3]}` === view.day) {
    const key = counterKey(view.day, 'SL');
    view.counters.set(key, Math.max(view.counters.get(key) ?? 0, Number(m[4])));
  }
}

/** One outcome of a visit for one item (H-07): accepted with due dates, correction notice, not accepted, or consultation. */
export function decideOutcome(view: HallView, command: OutcomeCommand, ctx: DecideContext): Result<Decision> {
  const t = currentTicket(view, command.window);
  if (!t || t.state !== 'serving') return refuse('illegal-transition', `window ${command.window} is not serving anyone: start the service first`);
  const item = findItem(view.catalogue, command.serviceCode);
  if (!item) return refuse('not-found', `there is no service item ${command.serviceCode}`);
  // A case from an earlier day is in the hall's records, not the view.
  const existing = command.caseNumber ? (view.cases.get(command.caseNumber) ?? ctx.caseOf?.(command.caseNumber)) : undefined;
  if (command.caseNumber && !existing) return refuse('not-found', `there is no open case ${command.caseNumber}`);
  if (existing && existing.serviceCode !== item.code) return refuse('bad-request', `case ${existing.number} is for ${existing.serviceCode}, not ${item.code}`);
  if (existing && isPastDeadline(existing, view.day, view.catalogue, ctx.calendar))
    return refuse('case-lapsed', `case ${existing.number} had until ${correctionDeadline(existing, view.catalogue, ctx.calendar)} for its corrections: it has lapsed`);
  if (existing && existing.state !== 'correction') return refuse('illegal-transition', `case ${existing.number} is ${existing.state} already`);
  const clerk = view.windows.get(command.window)?.clerk;
  let number = existing?.number;
  if (!number) {
    const next = (view.counters.get(counterKey(view.day, 'SL')) ?? 0) + 1;
    number = formatCaseNumber(view.day, next);
  }
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
  };
  const applicant = command.applicant
    ? { name: maskName(command.applicant.name), ...(command.applicant.idNumber ? { idNumber: maskIdNumber(command.applicant.idNumber) } : {}) }
    : base.applicant;
  const touched: Case = { ...base, ticketId: t.id, window: command.window, clerk, applicant };
  switch (command.outcome) {
    case 'accepted': {
      const calendar = ctx.calendar ?? hallCalendar(view.catalogue);
      const promised = dueDate(calendar, view.day, item.promisedLimitDays);
      const legal = dueDate(calendar, view.day, item.legalLimitDays);
      const c: Case = { ...touched, state: 'accepted', acceptedOn: view.day, promisedDue: promised.day, legalDue: legal.day, dueCertain: promised.certain && legal.certain };
      return ok({ events: [caseRecorded(view, 'accepted', c, !existing, ctx.now)] });
    }
    case 'correction': {
      const materials = command.materials ?? [];
      if (materials.length === 0) return refuse('bad-request', 'a correction notice names every missing material: choose at least one');
      const known = new Set(item.materials.map((m) => m.id));
      const unknown = materials.filter((m) => !known.has(m));
      if (unknown.length > 0) return refuse('bad-request', `${item.name} has no material ${unknown.join(', ')}`);
      const deadline = dueDate(ctx.calendar ?? hallCalendar(view.catalogue), view.day, correctionDays(view.catalogue)).day;
      const notice = correctionNotice(base.notices, materials, ctx.now, clerk, deadline);
      const c: Case = { ...touched, state: 'correction', notices: [...base.notices, notice] };
      return ok({ events: [caseRecorded(view, 'correction', c, !existing, ctx.now)] });
    }
    case 'rejected': {
      if (!command.reason) return refuse('bad-request', 'not accepting needs the reason, stated for the citizen');
      const uncivil = forbiddenPhrasesIn(command.reason);
      if (uncivil.length > 0) return refuse('bad-request', `the reason is printed for the citizen and uses a phrase the handbook forbids (H-14): ${uncivil.join('、')}; please say it civilly`);
      return ok({ events: [caseRecorded(view, 'rejected', { ...touched, state: 'rejected', rejectReason: command.reason }, !existing, ctx.now)] });
    }
    case 'consultation':
      return ok({ events: [caseRecorded(view, 'consultation', { ...touched, state: existing ? existing.state : 'consulted' }, !existing, ctx.now)] });
  }
}

import { dueDate } from '../calendar';
import { withOutcome, type Case, type CaseGiven } from '../cases';
import { findItem } from '../catalogue';
import type { EventBody } from '../events';
import { hallCalendar } from './setup';
import { currentTicket, type EventOf, type HallView } from './view';

// What a case.recorded event carries. A new case is told by its number and what the outcome decided;
// the rest (the ticket, its item, the clerks, the time, the state the outcome gives, the statutory
// due dates) follows from the view it is folded into. A case continued from before, which a
// terminal's view may not hold, is carried whole.

type Outcome = EventOf<'case.recorded'>['outcome'];

const STATE_OF: Record<Outcome, Case['state']> = { accepted: 'accepted', correction: 'correction', rejected: 'rejected', consultation: 'consulted' };

/** What the fold can tell of a new case recorded at `window` now (an item other than the ticket's is named in the event). */
function derived(view: HallView, window: number, outcome: Outcome, at: number, serviceCode?: string): Partial<Case> {
  const t = currentTicket(view, window);
  const clerk = view.windows.get(window)?.clerk;
  const code = serviceCode ?? t?.serviceCode;
  const item = code === undefined ? undefined : findItem(view.catalogue, code);
  const dues = (): Partial<Case> => {
    if (!item) return {};
    const calendar = hallCalendar(view.catalogue);
    const promised = dueDate(calendar, view.day, item.promisedLimitDays);
    const legal = dueDate(calendar, view.day, item.legalLimitDays);
    return { acceptedOn: view.day, promisedDue: promised.day, legalDue: legal.day, dueCertain: promised.certain && legal.certain };
  };
  return {
    serviceCode: t?.serviceCode,
    state: STATE_OF[outcome],
    ticketId: t?.id,
    clerk,
    firstClerk: t?.firstClerk ?? clerk,
    openedAt: at,
    notices: [],
    outcome,
    amendments: [],
    ...(outcome === 'accepted' ? dues() : {}),
  };
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/** The case.recorded event for case `c`, decided now on `view`; `isNew`: no earlier case was continued. */
export function caseRecorded(view: HallView, outcome: Outcome, c: Case, isNew: boolean, at: number): EventBody {
  if (!isNew) return { type: 'case.recorded', outcome, case: c };
  const d = derived(view, c.window, outcome, at, c.serviceCode) as Record<string, unknown>;
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(c)) if (value !== undefined && !(key in d && same(d[key], value))) given[key] = value;
  // Whatever the fold would add that the case lacks cannot be left to it: the case goes whole.
  for (const [key, value] of Object.entries(d)) if (value !== undefined && (c as Record<string, unknown>)[key] === undefined) return { type: 'case.recorded', outcome, case: c };
  return { type: 'case.recorded', outcome, case: given as CaseGiven };
}

/** The case a case.recorded event records (a case.amended one carries it whole). */
export function caseOfEvent(view: HallView, event: EventOf<'case.recorded' | 'case.amended'>): Case {
  const c = event.case;
  // A whole case: as written now, or by an earlier version (without its outcome and amendments).
  if ('state' in c) return withOutcome(c);
  return { ...derived(view, c.window, event.outcome, event.at, c.serviceCode), ...c } as Case;
}

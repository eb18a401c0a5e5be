import { dueDate, type WorkingCalendar } from '../calendar';
import { DEFAULT_CORRECTION_DAYS, type Case } from '../cases';
import type { Catalogue } from '../catalogue';
import { hallDay } from '../clock';
import type { CommandBody } from '../commands';
import { ok, refuse, type Result } from '../result';
import { hallCalendar } from './setup';
import { unindexCase, type DecideContext, type Decision, type EventOf, type HallView } from './view';

// Correction cases and their deadline: a case whose corrections did not come in time lapses, leaves
// every screen and stays in the hall's records (N-05: time limits in working days).

export type CaseDeadlineEventType = 'case.lapsed';

export type LapseCommand = Extract<CommandBody, { type: 'lapseCase' }>;

/** Working days a correction notice gives; a catalogue stored before the policy existed has none. */
export function correctionDays(catalogue: Catalogue): number {
  return catalogue.cases?.correctionDays ?? DEFAULT_CORRECTION_DAYS;
}

/**
 * The last day for a correction case's corrections: its latest notice's deadline, or, for a notice
 * given before notices carried one, the notice's day plus the hall's correction days.
 */
export function correctionDeadline(c: Case, catalogue: Catalogue, calendar: WorkingCalendar = hallCalendar(catalogue)): string | undefined {
  const last = c.notices[c.notices.length - 1];
  if (!last) return undefined;
  return last.deadline ?? dueDate(calendar, hallDay(last.at, catalogue.hall.timeZone), correctionDays(catalogue)).day;
}

/** Whether a case waiting for corrections is past its deadline on `day` (lapsed, or due to lapse). */
export function isPastDeadline(c: Case, day: string, catalogue: Catalogue, calendar?: WorkingCalendar): boolean {
  if (c.state === 'lapsed') return true;
  if (c.state !== 'correction') return false;
  const deadline = correctionDeadline(c, catalogue, calendar);
  return deadline !== undefined && day > deadline;
}

export function applyCaseDeadlineEvent(view: HallView, event: EventOf<CaseDeadlineEventType>): void {
  const c = view.cases.get(event.number);
  if (!c) return;
  view.cases.delete(event.number);
  unindexCase(view, c);
}

/** The hub's own: a correction case whose deadline has passed lapses. */
export function decideLapse(view: HallView, command: LapseCommand, ctx: DecideContext): Result<Decision> {
  const c = view.cases.get(command.caseNumber) ?? ctx.caseOf?.(command.caseNumber);
  if (!c) return refuse('not-found', `there is no case ${command.caseNumber}`);
  if (c.state !== 'correction') return refuse('illegal-transition', `case ${c.number} is ${c.state}, not waiting for corrections`);
  const deadline = correctionDeadline(c, view.catalogue, ctx.calendar)!;
  if (view.day <= deadline) return refuse('conflict', `case ${c.number} has until ${deadline} for its corrections`);
  return ok({ events: [{ type: 'case.lapsed', number: c.number, deadline }] });
}

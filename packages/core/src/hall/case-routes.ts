import { dueDate } from '../calendar';
import type { CaseRoute } from '../casework';
import { findItem } from '../catalogue';
import type { CommandBody } from '../commands';
import { ok, refuse, type Result } from '../result';
import { inBothLanguages } from '../strings';
import { byOf, forbidden, isHeadOf, isSupervisor, routeDays } from './casework';
import { hallCalendar } from './setup';
import type { DecideContext, Decision, HallView } from './view';

// Cases handed between departments (H-10): who holds a case, since when, due when; each hand-over
// ends the step before it. A step past its due day is overdue (督办).

export type RouteCommand = Extract<CommandBody, { type: 'routeCase' }>;

/** The step of a route still open: the department holding the case now. */
export const currentRouteStep = (r: CaseRoute) => {
  const last = r.steps[r.steps.length - 1];
  return last && last.doneAt === undefined ? last : undefined;
};

export function decideRoute(view: HallView, command: RouteCommand, ctx: DecideContext): Result<Decision> {
  const c = view.cases.get(command.caseNumber) ?? ctx.caseOf?.(command.caseNumber);
  if (!c) return refuse('not-found', `there is no case ${command.caseNumber}`);
  const route = ctx.caseRouteOf?.(c.number);
  const holding = route ? currentRouteStep(route) : undefined;
  const holder = holding?.department ?? (route ? undefined : findItem(view.catalogue, c.serviceCode)?.department);
  // Supervisors route any case; a department head hands on what their department holds.
  if (!isSupervisor(ctx) && !isHeadOf(ctx, holder)) return forbidden(ctx, `route case ${c.number}, held by ${holder ?? 'nobody'}`);
  const by = byOf(ctx);
  const closeHolding = (r: CaseRoute) => r.steps.map((s) => (s === holding ? { ...s, doneAt: ctx.now } : s));
  if (command.finish) {
    if (command.toDepartment) return refuse('bad-request', 'either hand the case to a department or finish its route, not both');
    if (!route || !holding)
      return refuse(
        'illegal-transition',
        route
          ? inBothLanguages(`案件 ${c.number} 的部门流转已结束，无需再办理：请刷新页面查看。`, `The route of case ${c.number} is finished already: refresh the page to see it.`)
          : inBothLanguages(`案件 ${c.number} 没有在部门间流转。`, `Case ${c.number} is not being handed between departments.`),
      );
    return ok({ events: [{ type: 'caseRoute.changed', action: 'finished', route: { ...route, state: 'done', steps: closeHolding(route) } }] });
  }
  if (!command.toDepartment) return refuse('bad-request', 'name the department the case goes to (or finish its route)');
  if (!view.catalogue.departments.some((d) => d.name === command.toDepartment)) return refuse('not-found', `there is no department ${command.toDepartment}`);
  if (route?.state === 'done') return refuse('illegal-transition', inBothLanguages(`案件 ${c.number} 的部门流转已结束，不能再移交。`, `The route of case ${c.number} is finished.`));
  if (holder === command.toDepartment)
    return refuse('conflict', inBothLanguages(`案件 ${c.number} 已在${holder}办理，无需再移交：请刷新页面查看。`, `${holder} holds case ${c.number} already: refresh the page to see it.`));
  const due = dueDate(ctx.calendar ?? hallCalendar(view.catalogue), view.day, command.days ?? routeDays(view.catalogue)).day;
  const step = { department: command.toDepartment, ...(holder ? { from: holder } : {}), at: ctx.now, on: view.day, by, due, note: command.note };
  const base: CaseRoute = route ?? { caseNumber: c.number, serviceCode: c.serviceCode, state: 'moving', steps: [] };
  return ok({ events: [{ type: 'caseRoute.changed', action: 'handed', route: { ...base, steps: [...closeHolding(base), step] } }] });
}

import { findItem, type Catalogue } from '../catalogue';
import { DEFAULT_COMPLAINT_DAYS, DEFAULT_ROUTE_DAYS, type CaseRoute, type EvidenceRef } from '../casework';
import { refuse, type Refusal } from '../result';
import type { StaffRef } from '../staff';
import type { DecideContext } from './view';

// Who may see to the cases that need someone, and the hall's days for them. The hall token (an
// integration) and the hub itself act as the hall's administrator.

/** The department a window's or a clerk's work belongs to: the window's, else the clerk's. */
export function departmentOf(catalogue: Catalogue, window?: number, clerk?: string): { department?: string } {
  const d = catalogue.windows.find((w) => w.number === window)?.department ?? catalogue.clerks.find((c) => c.number === clerk)?.department;
  return d ? { department: d } : {};
}

/**
 * The departments a case is the business of: its item's, its window's or clerk's, and each that held
 * it between departments (H-10). A department head sees to these cases only, and reads their applicant.
 */
export function caseDepartments(catalogue: Catalogue, c: { serviceCode: string; window?: number; clerk?: string }, route?: CaseRoute): string[] {
  const item = findItem(catalogue, c.serviceCode)?.department;
  const desk = departmentOf(catalogue, c.window, c.clerk).department;
  const held = route?.steps.flatMap((s) => (s.from ? [s.department, s.from] : [s.department])) ?? [];
  return [...new Set([item, desk, ...held].filter((d): d is string => !!d))];
}

export const staffOf = (ctx: DecideContext): StaffRef | undefined => (ctx.actor.role === 'admin' ? ctx.actor.staff : undefined);

/** Who did it, as a record names them: the staff member, or the terminal (the hall token, the hub). */
export const byOf = (ctx: DecideContext): string => staffOf(ctx)?.id ?? ctx.actor.terminal;

/** The hall token, the hub, an administrator or a supervisor. */
export function isSupervisor(ctx: DecideContext): boolean {
  if (ctx.actor.role !== 'admin') return false;
  const s = ctx.actor.staff;
  return !s || s.id === 'hall-token' || s.role === 'administrator' || s.role === 'supervisor';
}

/** A department head of `department`. */
export function isHeadOf(ctx: DecideContext, department: string | undefined): boolean {
  const s = staffOf(ctx);
  return !!s && s.role === 'department-head' && !!department && s.department === department;
}

export function forbidden(ctx: DecideContext, what: string): Refusal {
  const s = staffOf(ctx);
  return refuse('forbidden', `${s ? `a ${s.role}${s.department ? ` of ${s.department}` : ''}` : `terminal ${ctx.actor.terminal}`} may not ${what}`);
}

export const complaintDays = (catalogue: Catalogue): number => catalogue.cases?.complaintDays ?? DEFAULT_COMPLAINT_DAYS;
export const routeDays = (catalogue: Catalogue): number => catalogue.cases?.routeDays ?? DEFAULT_ROUTE_DAYS;

/** Evidence a step names must be a file the hub stored already. */
export function missingEvidence(ctx: DecideContext, evidence: readonly EvidenceRef[] | undefined): Refusal | undefined {
  if (!evidence || !ctx.evidenceOf) return undefined;
  const missing = evidence.filter((e) => !ctx.evidenceOf!(e.hash));
  return missing.length > 0 ? refuse('not-found', `upload the evidence first: no stored file ${missing.map((e) => e.name).join(', ')}`) : undefined;
}

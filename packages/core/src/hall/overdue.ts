import { workingDaysUntil, type WorkingCalendar } from '../calendar';
import type { CaseRoute, Complaint } from '../casework';
import { hallDay } from '../clock';
import type { FollowUp, FollowUpStep } from '../ratings';
import type { OverdueReport } from '../supervision';
import { currentRouteStep } from './case-routes';
import { isComplaintOverdue } from './complaints';
import { nextFollowUpStep } from './follow-ups';

// What is overdue among the cases that need someone: the source of 督办 (supervision) alerts.

/** The open cases that need someone, as the hall's records hold them. */
export interface OpenCasework {
  followUps: readonly FollowUp[];
  complaints: readonly Complaint[];
  routes: readonly CaseRoute[];
}

export type OverdueItem =
  | { kind: 'follow-up'; id: string; step: FollowUpStep; due: string; workingDaysLate: number; department?: string; clerk?: string; window: number }
  | { kind: 'complaint'; id: string; due: string; workingDaysLate: number; department?: string; escalated: boolean }
  | { kind: 'case-route'; id: string; step: number; due: string; workingDaysLate: number; department: string; from?: string };

/**
 * Every follow-up step, complaint and case-route step past its due day at `now` (in the hall's time
 * zone), the latest first. Due days are the last working day allowed: the day after is overdue.
 */
export function overdueItems(open: OpenCasework, now: number, calendar: WorkingCalendar, timeZone: string): OverdueItem[] {
  const day = hallDay(now, timeZone);
  // A hall after a year may hold thousands of overdue items: one walk back through the calendar for all.
  const since = workingDaysUntil(calendar, day);
  const late = (due: string) => Math.max(1, since(due));
  const out: OverdueItem[] = [];
  for (const f of open.followUps) {
    const step = nextFollowUpStep(f);
    const due = step && f.due[step];
    if (step && due && day > due)
      out.push({ kind: 'follow-up', id: f.id, step, due, workingDaysLate: late(due), window: f.window, ...(f.department ? { department: f.department } : {}), ...(f.clerk ? { clerk: f.clerk } : {}) });
  }
  for (const c of open.complaints)
    if (isComplaintOverdue(c, day)) out.push({ kind: 'complaint', id: c.id, due: c.due, workingDaysLate: late(c.due), escalated: !!c.escalated, ...(c.department ? { department: c.department } : {}) });
  for (const r of open.routes) {
    const step = r.state === 'moving' ? currentRouteStep(r) : undefined;
    if (step && day > step.due)
      out.push({ kind: 'case-route', id: r.caseNumber, step: r.steps.length, due: step.due, workingDaysLate: late(step.due), department: step.department, ...(step.from ? { from: step.from } : {}) });
  }
  return out.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.id.localeCompare(b.id)));
}

/**
 * The overdue items as the supervisors' alerts take them (reviewAlerts' `overdue`): one 督办 alert per
 * item and due day, so that a follow-up's next step late again raises a new one.
 */
export function overdueReports(items: readonly OverdueItem[]): OverdueReport[] {
  return items.map((i) => ({ subject: i.kind, reference: i.id, due: i.due, ...(i.department ? { department: i.department } : {}) }));
}

import type { CommandBody, EventBody, HallView, StaffRef } from '@servicehall/core';
import type { Db } from '../db';

export interface AuditEntry {
  id: number;
  at: number;
  staff: StaffRef;
  /** What was done: a command's type (assignWindowItems) or a console action (createStaff, revokeTerminal, ...). */
  action: string;
  /** What it was done to: window:3, item:GA-SFZ-HL, staff:zhang, terminal:kiosk-1, catalogue. */
  target: string;
  before?: unknown;
  after?: unknown;
  commandId?: string;
  seq?: number;
}

/** Who an installer's script with the hall token is in the audit log. */
export const HALL_TOKEN_STAFF: StaffRef = { id: 'hall-token', name: '大厅令牌', role: 'administrator' };

/** Whose entries the audit log is filtered to: a clerk's number and a staff account's id may be the same string (two people). */
export interface AuditPerson {
  kind: 'clerk' | 'staff';
  id: string;
}

/** `clerk:1001` or `staff:zhang`, as the console and the API name one person of the audit log; undefined for anything else. */
export function auditPerson(text: string): AuditPerson | undefined {
  const m = /^(clerk|staff):(.{1,40})$/.exec(text);
  return m ? { kind: m[1] as AuditPerson['kind'], id: m[2]! } : undefined;
}

/** The console's audit log: who changed what, when, before and after. Append-only, like the event log. */
export class AuditLog {
  private readonly st;

  constructor(private readonly db: Db) {
    this.st = {
      add: db.prepare(
        'INSERT INTO audit (at, staff_id, staff_name, staff_role, action, target, before, after, command_id, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  record(e: Omit<AuditEntry, 'id'>): void {
    const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
    this.st.add.run(e.at, e.staff.id, e.staff.name, e.staff.role, e.action, e.target, json(e.before), json(e.after), e.commandId ?? null, e.seq ?? null);
  }

  /** Newest first; `before` pages back by id; `staff` is one person: a clerk (by number) or a staff account (by id), which may share one id string. */
  list(options: { limit?: number; before?: number; staff?: AuditPerson; action?: string } = {}): AuditEntry[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (options.before !== undefined) (where.push('id < ?'), args.push(options.before));
    if (options.staff) (where.push(`staff_id = ? AND staff_role ${options.staff.kind === 'clerk' ? '=' : '<>'} 'clerk'`), args.push(options.staff.id));
    if (options.action) (where.push('action = ?'), args.push(options.action));
    const rows = this.db
      .prepare(`SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...args, Math.min(Math.max(options.limit ?? 100, 1), 500)) as {
      id: number;
      at: number;
      staff_id: string;
      staff_name: string;
      staff_role: StaffRef['role'];
      action: string;
      target: string;
      before: string | null;
      after: string | null;
      command_id: string | null;
      seq: number | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      staff: { id: r.staff_id, name: r.staff_name, role: r.staff_role },
      action: r.action,
      target: r.target,
      ...(r.before !== null ? { before: JSON.parse(r.before) } : {}),
      ...(r.after !== null ? { after: JSON.parse(r.after) } : {}),
      ...(r.command_id !== null ? { commandId: r.command_id } : {}),
      ...(r.seq !== null ? { seq: r.seq } : {}),
    }));
  }
}

/**
 * The part of the hall a console command changes, as it stands in `view`: what the audit shows before
 * and after. `made` is what the command did (its events), for what has no id before it exists.
 */
export function auditSubject(view: HallView, command: CommandBody, made: readonly EventBody[] = []): { target: string; value: unknown } {
  switch (command.type) {
    case 'createComplaint': {
      // The complaint by the number it was given, and what it concerns (its ticket by the number the citizen holds).
      const registered = made.find((e) => e.type === 'complaint.changed' && e.action === 'registered');
      if (registered?.type !== 'complaint.changed') return { target: command.type, value: undefined };
      const { id, source, about, department, due } = registered.complaint;
      const { ticketId, ...rest } = about;
      const ticket = ticketId ? (view.tickets.get(ticketId)?.number ?? ticketId) : undefined;
      return { target: `complaint:${id}`, value: { source, ...(ticket ? { ticket } : {}), ...rest, ...(department ? { department } : {}), due } };
    }
    case 'advanceFollowUp': {
      // The step it completed (核实, 整改, 反馈, 回访): the follow-up's id alone does not say which.
      const advanced = made.find((e) => e.type === 'followUp.advanced');
      return { target: `follow-up:${command.followUpId}`, value: advanced?.type === 'followUp.advanced' ? { step: advanced.step } : undefined };
    }
    case 'assignWindowItems':
    case 'openTemporaryWindow':
      return { target: `window:${command.window}`, value: view.catalogue.windows.find((w) => w.number === command.window) ?? null };
    case 'setItemToday': {
      const item = view.catalogue.items.find((i) => i.code === command.serviceCode);
      return { target: `item:${command.serviceCode}`, value: item ? { dailyQuota: item.dailyQuota, issuingHours: item.issuingHours, today: item.today ?? null } : null };
    }
    case 'setCalendarYear': {
      const pick = (days: Record<string, string>) => Object.fromEntries(Object.entries(days).filter(([d]) => d.startsWith(`${command.year}-`)));
      return { target: `calendar:${command.year}`, value: { holidays: pick(view.catalogue.calendar.holidays), workdays: pick(view.catalogue.calendar.workdays) } };
    }
    case 'replaceCatalogue':
      return { target: 'catalogue', value: view.catalogue.items.length === 0 ? null : view.catalogue };
    case 'cancelPendingChange':
      return { target: `pending:${command.pendingId}`, value: view.pending.find((p) => p.id === command.pendingId) ?? null };
    default: {
      // A casework or alert command: what it was done to, by the id it names (the record would otherwise say only its own name).
      const c = command as { complaintId?: unknown; followUpId?: unknown; caseNumber?: unknown; alertId?: unknown };
      const target =
        'window' in command
          ? `window:${String(command.window)}`
          : typeof c.complaintId === 'string'
            ? `complaint:${c.complaintId}`
            : typeof c.followUpId === 'string'
              ? `follow-up:${c.followUpId}`
              : typeof c.caseNumber === 'string'
                ? `case:${c.caseNumber}`
                : typeof c.alertId === 'string'
                  ? `alert:${c.alertId}`
                  : command.type;
      return { target, value: undefined };
    }
  }
}

import type { StaffRef, StaffRole } from '@servicehall/core';
import { z } from 'zod';
import type { Db } from '../db';

export const StaffIdSchema = z.string().regex(/^[A-Za-z0-9._-]{2,40}$/, '2 to 40 letters, digits, ".", "_" or "-"');

export interface StaffMember extends StaffRef {
  /** The department a department head sees. */
  department?: string;
  mustChange: boolean;
  disabled: boolean;
  createdAt: number;
  createdBy?: string;
}

type Row = {
  id: string;
  name: string;
  role: StaffRole;
  department: string | null;
  password_hash: string;
  must_change: number;
  disabled: number;
  created_at: number;
  created_by: string | null;
};

const member = (r: Row): StaffMember => ({
  id: r.id,
  name: r.name,
  role: r.role,
  ...(r.department ? { department: r.department } : {}),
  mustChange: r.must_change === 1,
  disabled: r.disabled === 1,
  createdAt: r.created_at,
  ...(r.created_by ? { createdBy: r.created_by } : {}),
});

/** Staff accounts of the console (clerks sign in with their clerk number and PIN instead; see ClerkPins). */
export class StaffAccounts {
  constructor(private readonly db: Db) {}

  count(role?: StaffRole): number {
    const row = role
      ? this.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM staff WHERE role = ? AND disabled = 0').get(role)
      : this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM staff').get();
    return row?.n ?? 0;
  }

  get(id: string): (StaffMember & { passwordHash: string }) | undefined {
    const r = this.db.prepare<[string], Row>('SELECT * FROM staff WHERE id = ?').get(id);
    return r ? { ...member(r), passwordHash: r.password_hash } : undefined;
  }

  /**
   * The account of this name in any case (names made since 2026-12-05 are unique whatever their case). An older hall
   * may hold two differing only by case (Zhang, zhang): each is the one typed exactly, and a third case names neither.
   */
  find(id: string): (StaffMember & { passwordHash: string }) | undefined {
    const rows = this.db.prepare<[string], Row>('SELECT * FROM staff WHERE id = ? COLLATE NOCASE').all(id);
    const r = rows.find((row) => row.id === id) ?? (rows.length === 1 ? rows[0] : undefined);
    return r ? { ...member(r), passwordHash: r.password_hash } : undefined;
  }

  list(): StaffMember[] {
    return this.db.prepare<[], Row>('SELECT * FROM staff ORDER BY created_at, id').all().map(member);
  }

  add(m: { id: string; name: string; role: StaffRole; department?: string; passwordHash: string; mustChange: boolean; createdBy?: string }, now: number): void {
    this.db
      .prepare('INSERT INTO staff (id, name, role, department, password_hash, must_change, disabled, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)')
      .run(m.id, m.name, m.role, m.department ?? null, m.passwordHash, m.mustChange ? 1 : 0, now, m.createdBy ?? null);
  }

  setPassword(id: string, passwordHash: string, mustChange: boolean): void {
    this.db.prepare('UPDATE staff SET password_hash = ?, must_change = ? WHERE id = ?').run(passwordHash, mustChange ? 1 : 0, id);
  }

  setDisabled(id: string, disabled: boolean): void {
    this.db.prepare('UPDATE staff SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, id);
  }
}

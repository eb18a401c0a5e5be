import { z } from 'zod';

/**
 * The console's staff roles: the administrator sets the hall up; a supervisor changes it live and
 * looks after clerks; a department head (科室负责人) sees their own department; a clerk changes
 * their own PIN.
 */
export const StaffRoleSchema = z.enum(['administrator', 'supervisor', 'department-head', 'clerk']);
export type StaffRole = z.infer<typeof StaffRoleSchema>;

/** A staff member as the events name them: who made a change from the console. */
export const StaffRefSchema = z.object({
  id: z.string().min(1).max(40),
  name: z.string().max(40),
  role: StaffRoleSchema,
  /** A department head's department: what their role lets them handle. */
  department: z.string().max(40).optional(),
});
export type StaffRef = z.infer<typeof StaffRefSchema>;

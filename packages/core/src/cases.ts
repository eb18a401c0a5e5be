import { changed } from './copy';
import { lineText } from './free-text';
import { z } from 'zod';

/** 受理 outcomes of a visit's review of materials (H-07): exactly one per item handled. */
export const OutcomeSchema = z.enum(['accepted', 'correction', 'rejected', 'consultation']);
export type Outcome = z.infer<typeof OutcomeSchema>;

/** `lapsed`: a correction case whose deadline passed before the corrections came (it leaves the live view). */
export const CaseStateSchema = z.enum(['correction', 'accepted', 'rejected', 'consulted', 'lapsed']);
export type CaseState = z.infer<typeof CaseStateSchema>;

/** A case's state as the hall says it (the window terminal, the console, a refusal's words). */
export const CASE_STATE_NAMES: Record<CaseState, string> = { accepted: '已受理', correction: '待补正', rejected: '不予受理', consulted: '咨询', lapsed: '补正逾期' };

export const CorrectionNoticeSchema = z.object({
  at: z.number().int(),
  materials: z.array(z.string()),
  /** Materials this notice asks for that no earlier notice on the case named. */
  newMaterials: z.array(z.string()),
  /** A breach of one-time notice (一次性告知, H-03): a later notice added material. */
  breach: z.boolean(),
  /** Why the clerk gave the notice all the same, confirmed on the clerk's screen before it was printed. */
  breachReason: z.string().max(200).optional(),
  clerk: z.string().optional(),
  /** The last day (YYYY-MM-DD) to bring the corrections; the case lapses after it. Older notices have none. */
  deadline: z.string().optional(),
});
export type CorrectionNotice = z.infer<typeof CorrectionNoticeSchema>;

/** An outcome corrected after it was recorded, in the same visit (H-07): logged with its reason, the notice printed again. */
export const CaseAmendmentSchema = z.object({
  at: z.number().int(),
  clerk: z.string().optional(),
  from: OutcomeSchema,
  to: OutcomeSchema,
  reason: z.string().max(200),
});
export type CaseAmendment = z.infer<typeof CaseAmendmentSchema>;

export const CaseSchema = z.object({
  number: z.string(),
  serviceCode: z.string(),
  state: CaseStateSchema,
  ticketId: z.string().optional(),
  window: z.number().int(),
  clerk: z.string().optional(),
  /** 首问负责 (H-02). */
  firstClerk: z.string().optional(),
  openedAt: z.number().int(),
  acceptedOn: z.string().optional(),
  promisedDue: z.string().optional(),
  legalDue: z.string().optional(),
  /** False when a due date runs through a year without holiday data. */
  dueCertain: z.boolean().optional(),
  notices: z.array(CorrectionNoticeSchema).default([]),
  rejectReason: z.string().optional(),
  /** The outcome of the case's latest visit (a continued case keeps its state after a mere consultation). */
  outcome: OutcomeSchema.optional(),
  amendments: z.array(CaseAmendmentSchema).default([]),
  /** Masked for every screen; the full data stays in the hub (H-19). */
  applicant: z.object({ name: z.string(), idNumber: z.string().optional() }).optional(),
});
export type Case = z.infer<typeof CaseSchema>;

/** The outcome a case's state tells: what a case recorded before the outcome was kept had last (a lapsed case, a correction). */
export function outcomeOfState(state: CaseState): Outcome {
  return state === 'consulted' ? 'consultation' : state === 'lapsed' ? 'correction' : state;
}

/**
 * A case as today's rules hold it: one recorded before outcomes and amendments were kept reads with
 * the outcome its state tells and no amendments (the same whether it comes from the log or the records).
 */
export function withOutcome(c: Case): Case {
  if (c.outcome !== undefined && c.amendments !== undefined) return c;
  return changed(c, { outcome: c.outcome ?? outcomeOfState(c.state), amendments: c.amendments ?? [] });
}

/** A new case as its event carries it: what the outcome decided (see hall/case-events). */
export const CaseGivenSchema = CaseSchema.omit({ state: true, ticketId: true, clerk: true, firstClerk: true, openedAt: true, acceptedOn: true }).extend({
  serviceCode: z.string().optional(),
  notices: z.array(CorrectionNoticeSchema).optional(),
  amendments: z.array(CaseAmendmentSchema).optional(),
});
export type CaseGiven = z.infer<typeof CaseGivenSchema>;

export const ApplicantSchema = z.object({
  name: lineText(40),
  idNumber: z
    .string()
    .trim()
    .regex(/^(\d{15}|\d{17}[\dXx])$/, 'a resident ID number has 18 characters (or 15 digits)')
    .optional(),
  phone: z.string().trim().regex(/^\+?\d{5,15}$/).optional(),
});
export type Applicant = z.infer<typeof ApplicantSchema>;

/** The hall's rules for cases. */
export const CasePolicySchema = z.object({
  /** Working days a correction notice gives the applicant to bring what is missing; the case lapses after them. */
  correctionDays: z.number().int().min(1).max(60).default(10),
  /** Working days a complaint has for its reply (H-15); 5 when absent. */
  complaintDays: z.number().int().min(1).max(60).optional(),
  /** Working days a department has for a case handed to it (H-10); 3 when absent. */
  routeDays: z.number().int().min(1).max(60).optional(),
});
export type CasePolicy = z.infer<typeof CasePolicySchema>;
export const DEFAULT_CORRECTION_DAYS = 10;

/** 张三丰 → 张**; a single character stays as it is. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  return chars.length <= 1 ? chars.join('') : chars[0] + '*'.repeat(chars.length - 1);
}

/** 110101199003071234 → 1101**********1234 */
export function maskIdNumber(id: string): string {
  const s = id.trim();
  return s.length <= 8 ? '*'.repeat(s.length) : s.slice(0, 4) + '*'.repeat(s.length - 8) + s.slice(-4);
}

/** Case numbers run per hall day: SL202611270001 (受理 + date + four digits). */
export function formatCaseNumber(day: string, sequence: number): string {
  return `SL${day.replace(/-/g, '')}${String(sequence).padStart(4, '0')}`;
}

/** What a new correction notice adds to the notices already given on a case, and whether that breaks 一次性告知. */
export function correctionNotice(
  earlier: readonly CorrectionNotice[],
  materials: readonly string[],
  at: number,
  clerk?: string,
  extra: { breachReason?: string; deadline?: string } = {},
): CorrectionNotice {
  const named = new Set(earlier.flatMap((n) => n.materials));
  const unique = [...new Set(materials)];
  const newMaterials = earlier.length === 0 ? [] : unique.filter((m) => !named.has(m));
  const breach = newMaterials.length > 0;
  const { breachReason, deadline } = extra;
  return { at, materials: unique, newMaterials, breach, ...(breach && breachReason ? { breachReason } : {}), clerk, ...(deadline ? { deadline } : {}) };
}

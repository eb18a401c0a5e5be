import { z } from 'zod';
import { EvidenceRefSchema } from './casework';

/** The five national levels (GB/T 39735-2020, N-01). One internal enum; codes differ per export target. */
export const RatingLevelSchema = z.enum(['very-satisfied', 'satisfied', 'basically-satisfied', 'dissatisfied', 'very-dissatisfied']);
export type RatingLevel = z.infer<typeof RatingLevelSchema>;

export const RATING_LEVELS: readonly RatingLevel[] = RatingLevelSchema.options;

export const RATING_LEVEL_NAMES: Record<RatingLevel, { 'zh-CN': string; en: string }> = {
  'very-satisfied': { 'zh-CN': '非常满意', en: 'Very satisfied' },
  satisfied: { 'zh-CN': '满意', en: 'Satisfied' },
  'basically-satisfied': { 'zh-CN': '基本满意', en: 'Basically satisfied' },
  dissatisfied: { 'zh-CN': '不满意', en: 'Dissatisfied' },
  'very-dissatisfied': { 'zh-CN': '非常不满意', en: 'Very dissatisfied' },
};

/** 差评: the bottom two levels open a follow-up case (N-03). */
export const isBadRating = (level: RatingLevel): boolean => level === 'dissatisfied' || level === 'very-dissatisfied';

export const RatingChannelSchema = z.enum(['window-pad', 'key-pad', 'qr']);
export type RatingChannel = z.infer<typeof RatingChannelSchema>;

export const RatingAspectsSchema = z
  .object({ efficiency: RatingLevelSchema.optional(), skill: RatingLevelSchema.optional(), attitude: RatingLevelSchema.optional() })
  .default({});

/** A rating record with the fields of GB/T 39046-2020 table 9 (N-02). */
export const RatingSchema = z.object({
  id: z.string(),
  ticketId: z.string(),
  ticketNumber: z.string(),
  serviceCode: z.string(),
  caseNumber: z.string().optional(),
  caseState: z.string().optional(),
  window: z.number().int(),
  clerk: z.string().optional(),
  channel: RatingChannelSchema,
  raterType: z.enum(['citizen', 'system']),
  /** The rater's identity is not recorded: ratings are anonymous unless the citizen consents (N-04). */
  anonymous: z.boolean(),
  level: RatingLevelSchema,
  aspects: RatingAspectsSchema,
  reasons: z.array(z.string().max(60)).max(10).default([]),
  text: z.string().max(500).optional(),
  at: z.number().int(),
  /** 1: the rating at the counter; 2: a later second rating (e.g. by QR). */
  count: z.union([z.literal(1), z.literal(2)]),
  /** Given by the system because the citizen did not rate in time (N-04). */
  isDefault: z.boolean(),
  /** When the citizen added reasons, text or aspects to the level pressed (the same rating, amended). */
  amendedAt: z.number().int().optional(),
});
export type Rating = z.infer<typeof RatingSchema>;

/**
 * A rating as its event carries it when it answers a service waiting in the view: what the citizen
 * (or the default) gave. The rest (the service, the window, the clerk, the case, the time) follows
 * from the waiting service and the event.
 */
export const RatingGivenSchema = z.object({
  ticketId: z.string(),
  level: RatingLevelSchema,
  /** Left out for the window's pad. */
  channel: RatingChannelSchema.optional(),
  aspects: RatingAspectsSchema.optional(),
  reasons: z.array(z.string().max(60)).max(10).optional(),
  text: z.string().max(500).optional(),
  isDefault: z.literal(true).optional(),
});
export type RatingGiven = z.infer<typeof RatingGivenSchema>;

/** Export targets differ in level codes: 1 = 非常满意 nationally, 1 = 非常不满意 in some provincial interfaces (N-02). */
export type RatingExportTarget = 'national' | 'provincial-reversed';

export function ratingLevelCode(level: RatingLevel, target: RatingExportTarget): number {
  const i = RATING_LEVELS.indexOf(level);
  return target === 'national' ? i + 1 : RATING_LEVELS.length - i;
}

/** One rating as an upload record for `target`, with its level codes mapped. */
export function exportRating(r: Rating, target: RatingExportTarget) {
  const code = (l: RatingLevel | undefined) => (l === undefined ? undefined : ratingLevelCode(l, target));
  return {
    serviceCode: r.serviceCode,
    caseNumber: r.caseNumber ?? '',
    caseState: r.caseState ?? '',
    window: String(r.window),
    clerk: r.clerk ?? '',
    channel: { 'window-pad': 'hall-terminal', 'key-pad': 'hall-keypad', qr: 'qr-code' }[r.channel],
    raterType: r.raterType,
    anonymous: r.anonymous,
    level: code(r.level)!,
    aspects: { efficiency: code(r.aspects.efficiency), skill: code(r.aspects.skill), attitude: code(r.aspects.attitude) },
    text: [...r.reasons, r.text ?? ''].filter(Boolean).join('；'),
    time: new Date(r.at).toISOString(),
    count: r.count,
    isDefault: r.isDefault,
  };
}

/** A finished service waiting for its rating on the window's pad. */
export interface RatingRequest {
  ticketId: string;
  ticketNumber: string;
  window: number;
  clerk?: string;
  serviceCode: string;
  finishedAt: number;
  caseNumbers: string[];
}

export const FollowUpStepSchema = z.enum(['verify', 'fix', 'reply', 'revisit']);
export type FollowUpStep = z.infer<typeof FollowUpStepSchema>;
export const FOLLOW_UP_STEPS: readonly FollowUpStep[] = FollowUpStepSchema.options;
/** The steps as the hall calls them (the console's pages, a refusal's words). */
export const FOLLOW_UP_STEP_NAMES: Record<FollowUpStep, string> = { verify: '核实', fix: '整改', reply: '反馈', revisit: '回访' };

/** 差评整改: a bad rating's closed loop, 核实 → 整改 → 反馈 → 回访, each step due in working days (N-03). */
export const FollowUpSchema = z.object({
  id: z.string(),
  ratingId: z.string(),
  ticketId: z.string(),
  window: z.number().int(),
  clerk: z.string().optional(),
  level: RatingLevelSchema,
  openedOn: z.string(),
  due: z.record(FollowUpStepSchema, z.string()),
  done: z
    .array(z.object({ step: FollowUpStepSchema, at: z.number().int(), note: z.string().max(500), by: z.string().optional(), evidence: z.array(EvidenceRefSchema).max(10).optional() }))
    .default([]),
  /** The clerk's appeal (申诉) and, once reviewed (复核), its decision: upheld closes the follow-up. */
  appeal: z
    .object({
      at: z.number().int(),
      reason: z.string().max(500),
      by: z.string().optional(),
      decision: z.object({ at: z.number().int(), upheld: z.boolean(), note: z.string().max(500), by: z.string().optional() }).optional(),
    })
    .optional(),
  closed: z.boolean().default(false),
  /** How it closed: its revisit done, or the clerk's appeal upheld. */
  closure: z.object({ at: z.number().int(), how: z.enum(['revisited', 'appeal-upheld']) }).optional(),
  /** The department whose head sees to it (the window's, else the clerk's). */
  department: z.string().optional(),
});
export type FollowUp = z.infer<typeof FollowUpSchema>;

export const RatingPolicySchema = z.object({
  /** Minutes after the end of a service after which an unrated service gets the default level (N-04). */
  defaultAfterMinutes: z.number().int().min(1).max(7 * 24 * 60).default(10),
  defaultLevel: RatingLevelSchema.default('satisfied'),
  /** Days after the service in which a second rating (by QR) is taken. */
  secondRatingDays: z.number().int().min(0).max(60).default(15),
  /** Working days for each step of a bad rating's follow-up, counted from the rating (N-03: 1 to 15). */
  followUpDays: z
    .object({ verify: z.number().int().min(1).max(15), fix: z.number().int().min(1).max(15), reply: z.number().int().min(1).max(15), revisit: z.number().int().min(1).max(15) })
    .default({ verify: 1, fix: 3, reply: 5, revisit: 10 }),
});
export type RatingPolicy = z.infer<typeof RatingPolicySchema>;

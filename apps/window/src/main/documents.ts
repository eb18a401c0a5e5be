import { chinaCalendar, dueDate, findItem, type Case, type HallView, type WorkingCalendar } from '@servicehall/core';
import { acceptanceNotice, correctionNotice, oneTimeNotice, rejectionNotice, type PrintDocument } from '@servicehall/escpos-printer';
import type { OutcomeKind, PrintRecord } from '../shared/api';

export interface NoticeInput {
  outcome: OutcomeKind;
  /** The case as the hub recorded it for this outcome. */
  case: Case;
  /** Why each material is needed again, by material id (a correction). */
  reasons?: Record<string, string>;
  /** The reason stated for not accepting. */
  rejectReason?: string;
}

export interface NoticeOptions {
  windowName: string;
  clerk?: string;
  lang: 'zh-CN' | 'en';
  /** Working days the applicant has to bring the corrections, for a notice that carries no deadline of its own (one recorded by an earlier hub). */
  correctionDays: number;
  calendar?: WorkingCalendar;
}

const DEFAULT_REASON = { 'zh-CN': '未提供', en: 'Not provided' } as const;

/**
 * The notice an outcome prints (H-03, H-07): 受理通知书 with the promised due date, 补正材料告知书
 * naming every material of this notice, 不予受理通知书 with the reason, or the 一次性告知单.
 */
export function noticeFor(view: HallView, input: NoticeInput, options: NoticeOptions): { document: PrintRecord['document']; doc: PrintDocument } | undefined {
  const c = input.case;
  const item = findItem(view.catalogue, c.serviceCode);
  if (!item) return undefined;
  const ctx = {
    hallName: view.catalogue.hall.name,
    date: view.day,
    window: options.windowName,
    clerkNumber: options.clerk,
    phone: view.catalogue.hall.complaintPhone,
    lang: options.lang,
  };
  switch (input.outcome) {
    case 'accepted':
      return {
        document: 'acceptance',
        doc: acceptanceNotice({ ...ctx, item, caseNumber: c.number, acceptedOn: c.acceptedOn ?? view.day, dueDate: c.promisedDue ?? view.day }),
      };
    case 'correction': {
      const notice = c.notices[c.notices.length - 1];
      const missing = (notice?.materials ?? [])
        .map((id) => item.materials.find((m) => m.id === id))
        .filter((m) => m !== undefined)
        .map((material) => ({ material, reason: input.reasons?.[material.id]?.trim() || DEFAULT_REASON[options.lang] }));
      // The hub gave the notice its deadline, after which the case lapses: the paper says the same day.
      const deadline = notice?.deadline ?? dueDate(options.calendar ?? chinaCalendar, view.day, options.correctionDays).day;
      return { document: 'correction', doc: correctionNotice({ ...ctx, item, caseNumber: c.number, missing, deadline }) };
    }
    case 'rejected':
      return { document: 'rejection', doc: rejectionNotice({ ...ctx, item, caseNumber: c.number, reason: input.rejectReason ?? c.rejectReason ?? '' }) };
    case 'consultation':
      return { document: 'one-time', doc: oneTimeNotice({ ...ctx, item }) };
  }
}

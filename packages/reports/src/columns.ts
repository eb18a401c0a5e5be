import { addDays } from './days';

// Here, not with the report queries: the hub's report API reads a period with it before it loads them (and their query builder).
export { addDays };
import type { ReportRow } from './definitions';

/** How a report's rows are broken down. */
export const BREAKDOWNS = ['hall', 'clerk', 'window', 'item', 'department', 'hour', 'day', 'dayHour'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

/** The longest period a report covers, in days (three years): the hall's console and the city's view alike. */
export const MAX_REPORT_DAYS = 3 * 366;

/**
 * Whether `day` is a day of the calendar written YYYY-MM-DD: 2026-02-28, not 2026-13-45, nor 2026-02-30
 * (which Date.parse takes, as 2026-03-02) nor 2026-04-31.
 */
export function isCalendarDay(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(day)) && addDays(day, 0) === day;
}

/**
 * What is wrong with a report's period, in the hall's words (Chinese) and in English, or undefined when it
 * will do: both ends days of the calendar written YYYY-MM-DD, the first not after the second, at most
 * MAX_REPORT_DAYS apart.
 */
export function reportPeriodProblem(from: string, to: string): { zh: string; en: string } | undefined {
  if (!isCalendarDay(from) || !isCalendarDay(to))
    return { zh: '统计期间的开始和结束日期应为日历上有的日子，写成 YYYY-MM-DD（如 2026-11-30）', en: 'from and to are days written YYYY-MM-DD' };
  if (from > to) return { zh: `开始日期（${from}）晚于结束日期（${to}）：请把开始日期改为不晚于结束日期`, en: `the period starts (${from}) after it ends (${to})` };
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > MAX_REPORT_DAYS)
    return { zh: `一份报表最多统计 ${MAX_REPORT_DAYS} 天：请缩短统计期间`, en: `a report covers at most ${MAX_REPORT_DAYS} days` };
  return undefined;
}

/**
 * The figures of a report as people read them: Chinese first, English second, and what kind of
 * value each is (a count, a duration in seconds, a share), so that a workbook, a CSV file and the
 * console show the same columns. The groups follow N-07: efficiency, satisfaction, abnormal handling.
 */
export type ColumnKind = 'count' | 'duration' | 'share';
export interface ReportColumn {
  key: Exclude<keyof ReportRow, 'key'>;
  zh: string;
  en: string;
  kind: ColumnKind;
  group: 'tickets' | 'waits' | 'service' | 'pauses' | 'ratings' | 'outcomes' | 'complaints';
}

export const REPORT_COLUMNS: readonly ReportColumn[] = [
  { key: 'issued', zh: '取号数', en: 'Issued', kind: 'count', group: 'tickets' },
  { key: 'called', zh: '叫号数', en: 'Called', kind: 'count', group: 'tickets' },
  { key: 'served', zh: '办结数', en: 'Served', kind: 'count', group: 'tickets' },
  { key: 'noShows', zh: '过号（弃号）', en: 'No-shows', kind: 'count', group: 'tickets' },
  { key: 'voided', zh: '作废', en: 'Voided', kind: 'count', group: 'tickets' },
  { key: 'unserved', zh: '未办理', en: 'Not served (day ended)', kind: 'count', group: 'tickets' },
  { key: 'transferred', zh: '转办', en: 'Transferred', kind: 'count', group: 'tickets' },
  { key: 'referred', zh: '指引', en: 'Referred', kind: 'count', group: 'tickets' },
  { key: 'waitMedianS', zh: '等候时长中位数', en: 'Wait, median', kind: 'duration', group: 'waits' },
  { key: 'waitP90S', zh: '等候时长90分位', en: 'Wait, 90th percentile', kind: 'duration', group: 'waits' },
  { key: 'waitMaxS', zh: '最长等候', en: 'Longest wait', kind: 'duration', group: 'waits' },
  { key: 'calledWithinTarget', zh: '按时叫号率', en: 'Called within target', kind: 'share', group: 'waits' },
  { key: 'serviceMedianS', zh: '办理时长中位数', en: 'Service, median', kind: 'duration', group: 'service' },
  { key: 'serviceP90S', zh: '办理时长90分位', en: 'Service, 90th percentile', kind: 'duration', group: 'service' },
  { key: 'pauses', zh: '暂停次数', en: 'Pauses', kind: 'count', group: 'pauses' },
  { key: 'pausedS', zh: '暂停时长', en: 'Time paused', kind: 'duration', group: 'pauses' },
  { key: 'rated', zh: '评价数', en: 'Ratings', kind: 'count', group: 'ratings' },
  { key: 'verySatisfied', zh: '非常满意', en: 'Very satisfied', kind: 'count', group: 'ratings' },
  { key: 'satisfied', zh: '满意', en: 'Satisfied', kind: 'count', group: 'ratings' },
  { key: 'basicallySatisfied', zh: '基本满意', en: 'Basically satisfied', kind: 'count', group: 'ratings' },
  { key: 'dissatisfied', zh: '不满意', en: 'Dissatisfied', kind: 'count', group: 'ratings' },
  { key: 'veryDissatisfied', zh: '非常不满意', en: 'Very dissatisfied', kind: 'count', group: 'ratings' },
  { key: 'satisfactionRate', zh: '满意率', en: 'Satisfaction rate', kind: 'share', group: 'ratings' },
  { key: 'badRatings', zh: '差评数', en: 'Bad ratings', kind: 'count', group: 'ratings' },
  { key: 'followUpsClosed', zh: '差评整改办结', en: 'Follow-ups closed', kind: 'count', group: 'ratings' },
  { key: 'followUpsLate', zh: '整改超期', en: 'Follow-up steps late', kind: 'count', group: 'ratings' },
  { key: 'followUpsAppealed', zh: '申诉复核', en: 'Appealed', kind: 'count', group: 'ratings' },
  { key: 'accepted', zh: '受理', en: 'Accepted', kind: 'count', group: 'outcomes' },
  { key: 'corrections', zh: '补正', en: 'Corrections', kind: 'count', group: 'outcomes' },
  { key: 'rejected', zh: '不予受理', en: 'Not accepted', kind: 'count', group: 'outcomes' },
  { key: 'consultations', zh: '仅咨询', en: 'Consultations', kind: 'count', group: 'outcomes' },
  { key: 'breaches', zh: '一次性告知违规', en: 'One-time notice breaches', kind: 'count', group: 'outcomes' },
  { key: 'lapsed', zh: '补正逾期', en: 'Corrections lapsed', kind: 'count', group: 'outcomes' },
  { key: 'complaints', zh: '投诉受理', en: 'Complaints', kind: 'count', group: 'complaints' },
  { key: 'complaintsReplied', zh: '投诉答复', en: 'Complaints replied', kind: 'count', group: 'complaints' },
  { key: 'complaintsRepliedLate', zh: '逾期答复', en: 'Replied late', kind: 'count', group: 'complaints' },
  { key: 'complaintsEscalated', zh: '投诉督办', en: 'Escalated', kind: 'count', group: 'complaints' },
  { key: 'complaintsClosed', zh: '投诉办结', en: 'Complaints closed', kind: 'count', group: 'complaints' },
  { key: 'complaintsSatisfied', zh: '投诉人满意', en: 'Complainant satisfied', kind: 'count', group: 'complaints' },
];

export const BREAKDOWN_NAMES: Record<Breakdown, { zh: string; en: string }> = {
  hall: { zh: '全厅', en: 'Hall' },
  clerk: { zh: '按工作人员', en: 'By clerk' },
  window: { zh: '按窗口', en: 'By window' },
  item: { zh: '按事项', en: 'By service item' },
  department: { zh: '按部门', en: 'By department' },
  hour: { zh: '按时段', en: 'By hour of day' },
  day: { zh: '按日', en: 'By day' },
  dayHour: { zh: '按日和时段', en: 'By day and hour' },
};

/** The columns naming a row of a breakdown. */
export const KEY_COLUMNS_OF: Record<Breakdown, { key: keyof ReportRow['key']; zh: string; en: string }[]> = {
  hall: [],
  clerk: [{ key: 'clerk', zh: '工作人员', en: 'Clerk' }],
  window: [{ key: 'window', zh: '窗口', en: 'Window' }],
  item: [
    { key: 'serviceCode', zh: '事项', en: 'Service item' },
    { key: 'department', zh: '部门', en: 'Department' },
  ],
  department: [{ key: 'department', zh: '部门', en: 'Department' }],
  hour: [{ key: 'hour', zh: '时段', en: 'Hour' }],
  day: [{ key: 'day', zh: '日期', en: 'Day' }],
  dayHour: [
    { key: 'day', zh: '日期', en: 'Day' },
    { key: 'hour', zh: '时段', en: 'Hour' },
  ],
};

/**
 * A duration in seconds as h:mm:ss. A negative one (a clock set back, a ticket whose times cross) keeps
 * one minus sign in front, so that the supervisor sees that something is wrong rather than a plausible wait.
 */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.abs(Math.round(seconds));
  const sign = Math.round(seconds) < 0 ? '-' : '';
  return `${sign}${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

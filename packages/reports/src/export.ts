import ExcelJS from 'exceljs';
import { BREAKDOWN_NAMES, formatDuration, KEY_COLUMNS_OF, REPORT_COLUMNS } from './columns';
import type { Breakdown, Report, ReportRow } from './definitions';

/** Names for the keys of a report's rows: clerks, windows, items (their numbers and codes are kept beside them). */
export interface ReportLabels {
  hallName: string;
  clerk(number: string): string | undefined;
  window(number: number): string | undefined;
  item(code: string): string | undefined;
}

const XLSX_DURATION = '[h]:mm:ss';
const XLSX_SHARE = '0.0%';
const XLSX_DAY = 'yyyy-mm-dd';

/** A key cell's text as a person reads it: 1001 王建国, 3号窗口, GA-SFZ-HL 身份证换领. */
function keyText(key: keyof ReportRow['key'], row: ReportRow, labels: ReportLabels): string | number {
  const v = row.key[key];
  switch (key) {
    case 'clerk':
      return v === '' ? '（未指定）' : `${v} ${labels.clerk(v as string) ?? ''}`.trim();
    case 'window':
      return v === 0 ? '（未指定）' : (labels.window(v as number) ?? `${v}号窗口`);
    case 'serviceCode':
      return v === '' ? '（无事项）' : `${v} ${labels.item(v as string) ?? ''}`.trim();
    case 'hour':
      return `${String(v).padStart(2, '0')}:00-${String((v as number) + 1).padStart(2, '0')}:00`;
    default:
      return (v as string | number | undefined) ?? '';
  }
}

const SHEETS: Breakdown[] = ['clerk', 'window', 'item', 'department', 'hour', 'day'];

/**
 * The reports of one period as an Excel workbook: a summary sheet, then one sheet per breakdown
 * (Chinese headers), durations and dates as Excel values (formatted [h]:mm:ss and yyyy-mm-dd),
 * shares as percentages, and the pauses by reason.
 */
export async function reportWorkbook(reports: Partial<Record<Breakdown, Report>>, labels: ReportLabels): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'ServiceHall';
  const any = Object.values(reports)[0];
  if (!any) throw new RangeError('a workbook needs at least one report');
  const summary = book.addWorksheet('汇总');
  summary.addRow([`${labels.hallName}窗口服务统计`]).font = { bold: true, size: 14 };
  summary.addRow(['统计期间', dayValue(any.spec.from), dayValue(any.spec.to)]);
  summary.getRow(2).getCell(2).numFmt = XLSX_DAY;
  summary.getRow(2).getCell(3).numFmt = XLSX_DAY;
  const f = any.spec.filters ?? {};
  const filters = [f.department && `部门 ${f.department}`, f.clerk && `工作人员 ${f.clerk}`, f.window && `窗口 ${f.window}`, f.serviceCode && `事项 ${f.serviceCode}`].filter(Boolean).join('，');
  summary.addRow(['范围', filters || '全厅']);
  summary.addRow(['按时叫号目标（分钟）', any.waitTargetMinutes]);
  summary.addRow([]);
  summary.addRow(['指标', '数值']).font = { bold: true };
  for (const c of REPORT_COLUMNS) {
    const row = summary.addRow([c.zh, cellValue(c.kind, any.total[c.key] as number | undefined)]);
    row.getCell(2).numFmt = numFmt(c.kind);
  }
  summary.getColumn(1).width = 24;
  summary.getColumn(2).width = 14;
  summary.getColumn(3).width = 14;
  for (const b of SHEETS) {
    const r = reports[b];
    if (!r) continue;
    const sheet = book.addWorksheet(BREAKDOWN_NAMES[b].zh);
    const keys = KEY_COLUMNS_OF[b];
    sheet.columns = [
      ...keys.map((k) => ({ header: k.zh, key: `k_${k.key}`, width: k.key === 'serviceCode' ? 30 : k.key === 'day' ? 12 : 16 })),
      ...REPORT_COLUMNS.map((c) => ({ header: c.zh, key: c.key, width: Math.max(10, c.zh.length * 2 + 2), style: { numFmt: numFmt(c.kind) } })),
    ];
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', xSplit: keys.length, ySplit: 1 }];
    for (const row of r.rows) {
      const values: Record<string, unknown> = {};
      for (const k of keys) values[`k_${k.key}`] = k.key === 'day' ? dayValue(row.key.day!) : keyText(k.key, row, labels);
      for (const c of REPORT_COLUMNS) values[c.key] = cellValue(c.kind, row[c.key] as number | undefined);
      const added = sheet.addRow(values);
      if (keys.some((k) => k.key === 'day')) added.getCell(`k_day`).numFmt = XLSX_DAY;
    }
  }
  const pauses = book.addWorksheet('暂停原因');
  pauses.columns = [
    { header: '原因', key: 'reason', width: 24 },
    { header: '次数', key: 'pauses', width: 10 },
    { header: '时长', key: 'pausedS', width: 12, style: { numFmt: XLSX_DURATION } },
  ];
  pauses.getRow(1).font = { bold: true };
  for (const p of any.pauseReasons) pauses.addRow({ reason: p.reason || '（未填写）', pauses: p.pauses, pausedS: p.pausedS / 86_400 });
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** A day as Excel keeps it: a date at midnight (UTC, so that no zone moves it). */
const dayValue = (day: string) => new Date(`${day}T00:00:00Z`);

function numFmt(kind: 'count' | 'duration' | 'share'): string {
  return kind === 'duration' ? XLSX_DURATION : kind === 'share' ? XLSX_SHARE : '0';
}

/** Durations as Excel's fractions of a day, shares as fractions, counts as they are; nothing counted stays empty. */
function cellValue(kind: 'count' | 'duration' | 'share', v: number | undefined): number | null {
  if (v === undefined) return null;
  return kind === 'duration' ? v / 86_400 : v;
}

/**
 * A text cell of a CSV file: one that Excel or WPS would open as a formula (it begins with =, +, -,
 * @, a tab or a carriage return; names and remarks come from citizens too) gets a single quote in
 * front (OWASP's advice), and one with a comma, quote or line break is quoted.
 */
export function csvText(text: string): string {
  const s = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One report as CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese), durations as h:mm:ss. */
export function reportCsv(report: Report, labels: ReportLabels): string {
  const keys = KEY_COLUMNS_OF[report.spec.breakdown];
  // Numbers (counts, durations, shares, written from numbers here) are left as they are: -3 is a number, not a formula.
  const esc = (v: string | number) => (typeof v === 'number' ? String(v) : csvText(v));
  const lines = [[...keys.map((k) => k.zh), ...REPORT_COLUMNS.map((c) => c.zh)].map(esc).join(',')];
  const cell = (kind: 'count' | 'duration' | 'share', v: number | undefined) =>
    v === undefined ? '' : kind === 'duration' ? formatDuration(v) : kind === 'share' ? `${(v * 100).toFixed(1)}%` : String(v);
  // The hall's breakdown has no key columns: its one line is its total (its row is the same figures again).
  const rows = keys.length === 0 ? [] : report.rows;
  for (const row of [...rows, { ...report.total, key: {} } as ReportRow]) {
    const isTotal = Object.keys(row.key).length === 0;
    const keyCells = keys.map((k, i) => (isTotal ? (i === 0 ? '合计' : '') : keyText(k.key, row, labels)));
    lines.push([...keyCells.map(esc), ...REPORT_COLUMNS.map((c) => cell(c.kind, row[c.key] as number | undefined))].join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

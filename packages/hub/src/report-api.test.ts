import { BREAKDOWN_NAMES, REPORT_COLUMNS, type Report, type StaffingPlan, type Forecast } from '@servicehall/reports';
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from './server';
import { TestConsole } from './testing/console';
import { busyHall, generateHistory } from './testing/year';

const hall = busyHall({ windows: 10 });
const FROM = '2026-11-25';
const TO = '2026-11-30';
const q = `from=${FROM}&to=${TO}`;
let dir: string;
let hub: RunningHub;
let supervisor: TestConsole;
let head: TestConsole;
let clerk: TestConsole;
const department = hall.clerks[0]!.department;
const ownClerk = hall.clerks[0]!.number;

async function staffMember(by: TestConsole, id: string, role: string, dept?: string): Promise<TestConsole> {
  const made = await by.request('POST', '/api/staff', { id, name: id, role, ...(dept ? { department: dept } : {}) });
  expect(made.status).toBe(201);
  const c = new TestConsole(hub.url);
  await c.login(id, String(made.body.password));
  expect((await c.request('POST', '/api/console/password', { current: made.body.password, next: `${id}-own-pass-9` })).status).toBe(200);
  return c;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-report-api-'));
  generateHistory({ dataDir: dir, days: 4, ticketsPerDay: 300, lastDay: TO, catalogue: hall });
  hub = await startHub({ dataDir: dir, token: 'report-api-token', clock: () => Date.parse('2026-12-01T09:00:00+08:00') });
  const admin = new TestConsole(hub.url);
  expect((await admin.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
  await admin.login('admin', 'first-admin-pass-1');
  supervisor = await staffMember(admin, 'zhang', 'supervisor');
  head = await staffMember(admin, 'li', 'department-head', department);
  await hub.store.pins.set(ownClerk, '482915', { mustChange: false });
  clerk = new TestConsole(hub.url);
  expect((await clerk.login(ownClerk, '482915')).status).toBe(200);
}, 120_000);
afterAll(async () => {
  await hub?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('getReport', () => {
  it('gives a supervisor the whole hall, by any breakdown', async () => {
    const r = await supervisor.request<Report>('GET', `/api/reports?breakdown=clerk&${q}`);
    expect(r.status).toBe(200);
    expect(r.body.total.issued).toBeGreaterThan(1000);
    expect(new Set(r.body.rows.map((x) => x.key.clerk))).toEqual(new Set(['', ...hall.clerks.map((c) => c.number)]));
  });

  it("gives a department head their department's clerks only, and refuses another department", async () => {
    const r = await head.request<Report>('GET', `/api/reports?breakdown=clerk&${q}`);
    expect(r.status).toBe(200);
    const mine = new Set(hall.clerks.filter((c) => c.department === department).map((c) => c.number));
    for (const row of r.body.rows) if (row.key.clerk) expect(mine.has(row.key.clerk)).toBe(true);
    const other = hall.departments.find((d) => d.name !== department)!.name;
    expect((await head.request('GET', `/api/reports?breakdown=clerk&${q}&department=${encodeURIComponent(other)}`)).status).toBe(403);
  });

  it('gives a clerk their own figures, the same as the supervisor sees for them, and nothing of others', async () => {
    const own = await clerk.request<Report>('GET', `/api/reports?breakdown=day&${q}`);
    const seen = await supervisor.request<Report>('GET', `/api/reports?breakdown=day&${q}&clerk=${ownClerk}`);
    expect(own.status).toBe(200);
    expect(own.body.total).toEqual(seen.body.total);
    expect(own.body.total.served).toBeGreaterThan(0);
    expect((await clerk.request('GET', `/api/reports?breakdown=clerk&${q}&clerk=${hall.clerks[1]!.number}`)).status).toBe(403);
    expect((await clerk.request('GET', '/api/forecast')).status).toBe(403);
  });

  it('says what is wrong with a request', async () => {
    expect((await supervisor.request('GET', `/api/reports?breakdown=weekly&${q}`)).status).toBe(400);
    expect((await supervisor.request('GET', `/api/reports?breakdown=day&from=${TO}&to=${FROM}`)).status).toBe(400);
    expect((await supervisor.request('GET', '/api/reports?breakdown=day&from=2026-11&to=2026-12')).status).toBe(400);
    expect((await supervisor.request('GET', `/api/reports?breakdown=day&${q}&serviceCode=NOPE`)).status).toBe(404);
    // A day no calendar has, which Date.parse reads as the 2nd of March: said in the supervisor's words, not a report of March.
    const feb30 = await supervisor.request('GET', '/api/reports?breakdown=day&from=2026-02-30&to=2026-03-01');
    expect(feb30).toMatchObject({ status: 400, body: { code: 'bad-request', text: '统计期间的开始和结束日期应为日历上有的日子，写成 YYYY-MM-DD（如 2026-11-30）' } });
    const backwards = await supervisor.request('GET', `/api/reports?breakdown=day&from=${TO}&to=${FROM}`);
    expect(backwards.body.text).toBe(`开始日期（${TO}）晚于结束日期（${FROM}）：请把开始日期改为不晚于结束日期`);
    expect((await supervisor.request('GET', '/api/forecast?from=2026-04-31')).status).toBe(400);
    const farOff = await supervisor.request('GET', '/api/staffing?from=9999-12-30');
    expect(farOff).toMatchObject({ status: 400, body: { text: '开始日期应为日历上有的日子，写成 YYYY-MM-DD（如 2026-12-01）' } });
    expect((await clerk.request('GET', `/api/reports?breakdown=day&${q}&clerk=${hall.clerks[1]!.number}`)).body.text).toBe('窗口工作人员只能查看本人的统计');
    expect((await new TestConsole(hub.url).request('GET', `/api/reports?breakdown=day&${q}`)).status).toBe(401);
  });
});

/** Excel's serial number of a cell ExcelJS read as a date (days since 1899-12-30), or the number as it is. */
const excelNumber = (v: unknown) => (v instanceof Date ? (v.getTime() - Date.UTC(1899, 11, 30)) / 86_400_000 : (v as number));

describe('exportReport', () => {
  it('writes an Excel workbook that reads back cell by cell as the report: Chinese headers, a sheet per breakdown, durations and days as Excel values', async () => {
    const res = await supervisor.request('GET', `/api/reports/export?format=xlsx&${q}`);
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(['汇总', ...(['clerk', 'window', 'item', 'department', 'hour', 'day'] as const).map((b) => BREAKDOWN_NAMES[b].zh), '暂停原因']);
    for (const breakdown of ['clerk', 'day'] as const) {
      const report = (await supervisor.request<Report>('GET', `/api/reports?breakdown=${breakdown}&${q}`)).body;
      const sheet = book.getWorksheet(BREAKDOWN_NAMES[breakdown].zh)!;
      const headers = (sheet.getRow(1).values as unknown[]).slice(2);
      expect(headers).toEqual(REPORT_COLUMNS.map((c) => c.zh));
      expect(sheet.rowCount).toBe(report.rows.length + 1);
      report.rows.forEach((row, i) => {
        const cells = sheet.getRow(i + 2);
        if (breakdown === 'day') {
          expect(cells.getCell(1).value).toEqual(new Date(`${row.key.day}T00:00:00Z`));
          expect(cells.getCell(1).numFmt).toBe('yyyy-mm-dd');
        }
        REPORT_COLUMNS.forEach((c, j) => {
          const cell = cells.getCell(j + 2);
          const v = row[c.key] as number | undefined;
          if (v === undefined) expect(cell.value ?? null, c.key).toBeNull();
          else if (c.kind === 'duration') {
            // The file holds a number of days formatted [h]:mm:ss; ExcelJS reads such a cell back as the date it would be.
            expect(excelNumber(cell.value), c.key).toBeCloseTo(v / 86_400, 9);
            expect(cell.numFmt).toBe('[h]:mm:ss');
          } else expect(cell.value, c.key).toBe(v);
          if (c.kind === 'share') expect(cell.numFmt).toBe('0.0%');
        });
      });
    }
  });

  it('writes one breakdown as CSV with Chinese headers, Excel reading it as UTF-8', async () => {
    const res = await supervisor.request('GET', `/api/reports/export?format=csv&breakdown=hour&${q}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const text = (res.body as unknown as Buffer).toString('utf8');
    expect(text.startsWith('\uFEFF时段,取号数,叫号数')).toBe(true);
    const report = (await supervisor.request<Report>('GET', `/api/reports?breakdown=hour&${q}`)).body;
    const lines = text.trim().split('\r\n');
    expect(lines).toHaveLength(report.rows.length + 2);
    expect(lines.at(-1)!.split(',')[1]).toBe(String(report.total.issued));
    // Without a breakdown the export is the hall's: its figures under the headers, not the headers alone.
    const hall = ((await supervisor.request('GET', `/api/reports/export?format=csv&${q}`)).body as unknown as Buffer).toString('utf8').trim().split('\r\n');
    expect(hall).toHaveLength(2);
    expect(hall[1]!.split(',')[0]).toBe(String(report.total.issued));
  });
});

describe('getForecast and getStaffingPlan', () => {
  it("forecast the next week from the hall's history and say how many windows each item needs", async () => {
    const f = await supervisor.request<Forecast>('GET', '/api/forecast?days=7');
    expect(f.status).toBe(200);
    expect(f.body.days).toHaveLength(7);
    expect(f.body.days[0]!.day).toBe('2026-12-01');
    expect(f.body.days[0]!.total).toBeGreaterThan(100);
    const plan = await head.request<StaffingPlan>('GET', '/api/staffing?days=3&share=80&waitMinutes=20');
    expect(plan.status).toBe(200);
    expect(plan.body.target).toEqual({ share: 0.8, minutes: 20 });
    const busiest = plan.body.days[0]!.hours.reduce((a, b) => (b.arrivals > a.arrivals ? b : a));
    expect(busiest.needed).toBeGreaterThan(0);
    expect(busiest.planned).toBe(hall.windows.length);
  });
});

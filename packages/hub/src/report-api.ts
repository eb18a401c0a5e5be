import type { Breakdown, ReportFilters, ReportSpec } from '@servicehall/reports';
import { BREAKDOWNS, reportPeriodProblem } from '@servicehall/reports/columns';
import type { ReportLabels } from '@servicehall/reports/export';
import { HttpRefusal, plainNumber, type Operation, type Request } from './http';
import { DEFAULT_WAIT_TARGET } from './report-facts';
import type { HallReports } from './reports';
import type { HallStore } from './store';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ALL_STAFF = ['administrator', 'supervisor', 'department-head', 'clerk'] as const;
const PLANNERS = ['administrator', 'supervisor', 'department-head'] as const;

const REPORT_QUERY = {
  breakdown: BREAKDOWNS.join(' | '),
  from: 'first day, YYYY-MM-DD',
  to: 'last day, YYYY-MM-DD (included)',
  serviceCode: 'only this service item',
  department: 'only this department',
  window: 'only this window',
  clerk: 'only this clerk',
  waitMinutes: 'the wait target in minutes for the share called in time (default 20)',
};

/**
 * The report a request asks for, within what its asker may see (H-19, H-20): a clerk their own
 * figures, a department head their department's, supervisors and the administrator the hall's.
 */
function specOf(req: Request, store: HallStore, breakdownRequired = true): ReportSpec {
  const q = req.query;
  const breakdown = (q.get('breakdown') ?? (breakdownRequired ? '' : 'hall')) as Breakdown;
  if (!BREAKDOWNS.includes(breakdown)) throw new HttpRefusal('bad-request', `breakdown is one of ${BREAKDOWNS.join(', ')}`);
  const from = q.get('from') ?? '';
  const to = q.get('to') ?? '';
  const period = reportPeriodProblem(from, to);
  if (period) throw new HttpRefusal('bad-request', period);
  const filters: ReportFilters = {};
  const serviceCode = q.get('serviceCode');
  if (serviceCode) {
    if (!store.view.catalogue.items.some((i) => i.code === serviceCode)) throw new HttpRefusal('not-found', `there is no service item ${serviceCode}`);
    filters.serviceCode = serviceCode;
  }
  const department = q.get('department');
  if (department) filters.department = department;
  const window = q.get('window');
  if (window) {
    const n = plainNumber(window, 1, 999);
    if (n === undefined) throw new HttpRefusal('bad-request', 'window is a whole number from 1 to 999, written in digits only');
    filters.window = n;
  }
  const clerk = q.get('clerk');
  if (clerk) filters.clerk = clerk;
  const staff = req.session?.staff;
  if (staff?.role === 'clerk') {
    if (filters.clerk !== undefined && filters.clerk !== staff.id) throw new HttpRefusal('forbidden', 'a clerk sees their own figures only');
    filters.clerk = staff.id;
  }
  if (staff?.role === 'department-head') {
    if (!staff.department) throw new HttpRefusal('forbidden', 'this account has no department');
    if (filters.department !== undefined && filters.department !== staff.department) throw new HttpRefusal('forbidden', `a department head sees ${staff.department} only`);
    filters.department = staff.department;
  }
  return { breakdown, from, to, filters };
}

function targetOf(req: Request) {
  const minutes = req.query.get('waitMinutes');
  const share = req.query.get('share');
  const m = minutes === null ? DEFAULT_WAIT_TARGET.minutes : plainNumber(minutes, 1, 240);
  const s = share === null ? DEFAULT_WAIT_TARGET.share * 100 : plainNumber(share, 1, 99);
  if (m === undefined) throw new HttpRefusal('bad-request', 'waitMinutes is a whole number of minutes from 1 to 240');
  if (s === undefined) throw new HttpRefusal('bad-request', 'share is a whole percentage from 1 to 99');
  return { minutes: m, share: s / 100 };
}

export function labelsOf(store: HallStore): ReportLabels {
  const c = () => store.view.catalogue;
  return {
    hallName: c().hall.name,
    clerk: (n) => c().clerks.find((x) => x.number === n)?.name,
    window: (n) => c().windows.find((x) => x.number === n)?.name,
    item: (code) => c().items.find((x) => x.code === code)?.name,
  };
}

/**
 * The reports, their export and tomorrow's windows, for the console and integrations. The reports'
 * query builder and workbook writer are loaded with the first request, not with the hub.
 */
export function reportOperations(store: HallStore, hallReports: () => Promise<HallReports>): Operation[] {
  return [
    {
      method: 'GET',
      path: '/api/reports',
      operationId: 'getReport',
      summary:
        'A report of a period (H-20, N-07) by clerk, window, item, department, hour, day or day and hour, under filters: tickets, waits, service times, pauses and why, ratings, outcomes, breaches. A clerk sees their own figures, a department head their department',
      staff: ALL_STAFF,
      query: REPORT_QUERY,
      handle: async (req) => {
        const spec = specOf(req, store);
        const target = { ...DEFAULT_WAIT_TARGET, minutes: targetOf(req).minutes };
        return { status: 200, body: (await hallReports()).report(spec, target) };
      },
    },
    {
      method: 'GET',
      path: '/api/reports/export',
      operationId: 'exportReport',
      summary: 'A period\'s reports as an Excel workbook (format=xlsx: a summary, one sheet per breakdown, pauses by reason) or one breakdown as CSV (format=csv)',
      staff: ALL_STAFF,
      query: { format: 'xlsx | csv', ...REPORT_QUERY },
      handle: async (req) => {
        const format = req.query.get('format') ?? 'xlsx';
        if (format !== 'xlsx' && format !== 'csv') throw new HttpRefusal('bad-request', 'format is xlsx or csv');
        const spec = specOf(req, store, false);
        const target = { ...DEFAULT_WAIT_TARGET, minutes: targetOf(req).minutes };
        const [reports, { reportCsv, reportWorkbook }] = await Promise.all([hallReports(), import('@servicehall/reports/export')]);
        const name = `${store.view.catalogue.hall.name}统计${spec.from}至${spec.to}`;
        if (format === 'csv') {
          const data = Buffer.from(reportCsv(reports.report(spec, target), labelsOf(store)), 'utf8');
          return { status: 200, body: undefined, file: { contentType: 'text/csv; charset=utf-8', name: `${name}.csv`, data } };
        }
        const all = Object.fromEntries((['clerk', 'window', 'item', 'department', 'hour', 'day'] as const).map((b) => [b, reports.report({ ...spec, breakdown: b }, target)]));
        return { status: 200, body: undefined, file: { contentType: XLSX, name: `${name}.xlsx`, data: await reportWorkbook(all, labelsOf(store)) } };
      },
    },
    {
      method: 'GET',
      path: '/api/forecast',
      operationId: 'getForecast',
      summary: "Arrivals expected per item and hour for the next days (default 7), from the hall's own history, with the method's error on the last four weeks",
      staff: PLANNERS,
      query: { days: 'days to forecast, 1 to 14 (default 7)', from: 'first day (default today)' },
      handle: async (req) => ({ status: 200, body: (await hallReports()).forecast(daysOf(req), fromOf(req)) }),
    },
    {
      method: 'GET',
      path: '/api/staffing',
      operationId: 'getStaffingPlan',
      summary: 'The windows each item needs per hour to keep the wait target (Erlang C on the forecast and the items\' service times), against the windows planned',
      staff: PLANNERS,
      query: { days: 'days, 1 to 14 (default 7)', from: 'first day (default today)', share: 'percentage called within the target (default 80)', waitMinutes: 'the target in minutes (default 20)' },
      handle: async (req) => ({ status: 200, body: (await hallReports()).staffing(targetOf(req), daysOf(req), fromOf(req)).plan }),
    },
  ];
}

function daysOf(req: Request): number {
  const d = req.query.get('days');
  const n = d === null ? 7 : plainNumber(d, 1, 14);
  if (n === undefined) throw new HttpRefusal('bad-request', 'days is a whole number from 1 to 14');
  return n;
}

function fromOf(req: Request): string | undefined {
  const f = req.query.get('from');
  if (f === null) return undefined;
  if (!DAY.test(f) || Number.isNaN(Date.parse(f))) throw new HttpRefusal('bad-request', 'from is a day written YYYY-MM-DD');
  return f;
}

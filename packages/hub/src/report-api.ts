import type { Breakdown, ReportFilters, ReportSpec } from '@servicehall/reports';
import { addDays, BREAKDOWNS, isCalendarDay, reportPeriodProblem } from '@servicehall/reports/columns';
import type { ReportLabels } from '@servicehall/reports/export';
import { HttpRefusal, plainNumber, type Operation, type Request } from './http';
import { DEFAULT_WAIT_TARGET } from './report-facts';
import type { HallReports } from './reports';
import type { HallStore } from './store';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
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
  if (!BREAKDOWNS.includes(breakdown)) throw refused(req, 'bad-request', { zh: `报表的分类（breakdown）应为 ${BREAKDOWNS.join('、')} 之一`, en: `breakdown is one of ${BREAKDOWNS.join(', ')}` });
  const from = q.get('from') ?? '';
  const to = q.get('to') ?? '';
  const period = reportPeriodProblem(from, to);
  if (period) throw refused(req, 'bad-request', period);
  const filters: ReportFilters = {};
  const serviceCode = q.get('serviceCode');
  if (serviceCode) {
    if (!store.view.catalogue.items.some((i) => i.code === serviceCode)) throw refused(req, 'not-found', { zh: `没有事项编码为 ${serviceCode} 的事项：请从事项列表中选择`, en: `there is no service item ${serviceCode}` });
    filters.serviceCode = serviceCode;
  }
  const department = q.get('department');
  if (department) filters.department = department;
  const window = q.get('window');
  if (window) {
    const n = plainNumber(window, 1, 999);
    if (n === undefined) throw refused(req, 'bad-request', { zh: '窗口号应为 1 到 999 的整数，只写数字', en: 'window is a whole number from 1 to 999, written in digits only' });
    filters.window = n;
  }
  const clerk = q.get('clerk');
  if (clerk) filters.clerk = clerk;
  const staff = req.session?.staff;
  if (staff?.role === 'clerk') {
    if (filters.clerk !== undefined && filters.clerk !== staff.id) throw refused(req, 'forbidden', { zh: '窗口工作人员只能查看本人的统计', en: 'a clerk sees their own figures only' });
    filters.clerk = staff.id;
  }
  if (staff?.role === 'department-head') {
    if (!staff.department) throw refused(req, 'forbidden', { zh: '此账号未设所属部门，无法查看部门统计：请联系管理员设置部门', en: 'this account has no department' });
    if (filters.department !== undefined && filters.department !== staff.department) throw refused(req, 'forbidden', { zh: `部门负责人只能查看本部门（${staff.department}）的统计`, en: `a department head sees ${staff.department} only` });
    filters.department = staff.department;
  }
  return { breakdown, from, to, filters };
}

function targetOf(req: Request) {
  const minutes = req.query.get('waitMinutes');
  const share = req.query.get('share');
  const m = minutes === null ? DEFAULT_WAIT_TARGET.minutes : plainNumber(minutes, 1, 240);
  const s = share === null ? DEFAULT_WAIT_TARGET.share * 100 : plainNumber(share, 1, 99);
  if (m === undefined) throw refused(req, 'bad-request', { zh: '等候目标（分钟）应为 1 到 240 的整数', en: 'waitMinutes is a whole number of minutes from 1 to 240' });
  if (s === undefined) throw refused(req, 'bad-request', { zh: '按时叫号比例应为 1 到 99 的整数（百分比）', en: 'share is a whole percentage from 1 to 99' });
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
        if (format !== 'xlsx' && format !== 'csv') throw refused(req, 'bad-request', { zh: '导出格式（format）应为 xlsx 或 csv', en: 'format is xlsx or csv' });
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
      handle: async (req) => {
        const days = daysOf(req);
        return { status: 200, body: (await hallReports()).forecast(days, fromOf(req, days)) };
      },
    },
    {
      method: 'GET',
      path: '/api/staffing',
      operationId: 'getStaffingPlan',
      summary: 'The windows each item needs per hour to keep the wait target (Erlang C on the forecast and the items\' service times), against the windows planned',
      staff: PLANNERS,
      query: { days: 'days, 1 to 14 (default 7)', from: 'first day (default today)', share: 'percentage called within the target (default 80)', waitMinutes: 'the target in minutes (default 20)' },
      handle: async (req) => {
        const days = daysOf(req);
        return { status: 200, body: (await hallReports()).staffing(targetOf(req), days, fromOf(req, days)).plan };
      },
    },
  ];
}

function daysOf(req: Request): number {
  const d = req.query.get('days');
  const n = d === null ? 7 : plainNumber(d, 1, 14);
  if (n === undefined) throw refused(req, 'bad-request', { zh: '预测天数应为 1 到 14 的整数', en: 'days is a whole number from 1 to 14' });
  return n;
}

function fromOf(req: Request, days: number): string | undefined {
  const f = req.query.get('from');
  if (f === null) return undefined;
  // Its last day a calendar day too: 9999-12-30 and seven days on is no day a hall will see.
  if (!isCalendarDay(f) || !isCalendarDay(addDays(f, days)))
    throw refused(req, 'bad-request', { zh: '开始日期应为日历上有的日子，写成 YYYY-MM-DD（如 2026-12-01）', en: 'from is a day of the calendar written YYYY-MM-DD (e.g. 2026-12-01)' });
  return f;
}

/** A refusal said in the asker's language, as the console shows it (the message stays English, for scripts and logs). */
function refused(req: Request, code: 'bad-request' | 'forbidden' | 'not-found', said: { zh: string; en: string }): HttpRefusal {
  return new HttpRefusal(code, said.en, { text: req.language === 'en' ? said.en : said.zh });
}

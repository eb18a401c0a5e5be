import { hallDay } from '@servicehall/core';
import type { Breakdown, Report, ReportRow } from '@servicehall/reports';
import { formatDuration, REPORT_COLUMNS, type ReportColumn } from '@servicehall/reports/columns';
import { useCallback, useEffect, useMemo, useState, type CSSProperties } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api';
import { ErrorLine, useConsole } from '../App';
import { Chart } from '../chart';
import { clerkChart, dayChart, heatChart } from './report-charts';

const BREAKDOWNS: Breakdown[] = ['clerk', 'window', 'item', 'department', 'hour', 'day'];
const BREAKDOWN_LABEL: Record<Breakdown, { 'zh-CN': string; en: string }> = {
  hall: { 'zh-CN': '全厅', en: 'Hall' },
  clerk: { 'zh-CN': '按工作人员', en: 'By clerk' },
  window: { 'zh-CN': '按窗口', en: 'By window' },
  item: { 'zh-CN': '按事项', en: 'By item' },
  department: { 'zh-CN': '按部门', en: 'By department' },
  hour: { 'zh-CN': '按时段', en: 'By hour' },
  day: { 'zh-CN': '按日', en: 'By day' },
  dayHour: { 'zh-CN': '按日和时段', en: 'By day and hour' },
};
/** The columns the page's table shows (the workbook has them all). */
const TABLE: ReportColumn['key'][] = [
  'issued', 'served', 'noShows', 'voided', 'unserved', 'transferred', 'waitMedianS', 'waitP90S', 'waitMaxS', 'calledWithinTarget', 'serviceMedianS', 'serviceP90S', 'pausedS',
  'rated', 'satisfactionRate', 'badRatings', 'accepted', 'corrections', 'rejected', 'consultations', 'breaches', 'lapsed', 'complaints', 'complaintsRepliedLate',
];

interface Query {
  breakdown: Breakdown;
  from: string;
  to: string;
  department?: string;
  serviceCode?: string;
  window?: string;
  clerk?: string;
  waitMinutes: number;
}

const addDays = (day: string, n: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const lastOfMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

function queryString(q: Partial<Query>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  return p.toString();
}


/** A figure as the table shows it: durations h:mm:ss, shares as percentages, nothing counted as —. */
export function cell(c: Pick<ReportColumn, 'kind'>, v: number | undefined): string {
  if (v === undefined) return '—';
  return c.kind === 'duration' ? formatDuration(v) : c.kind === 'share' ? `${(v * 100).toFixed(1)}%` : v.toLocaleString();
}

/** Names from the hall's catalogue (from the live view where the page has it). */
export function useNames() {
  const { live, t } = useConsole();
  const c = live.view?.catalogue;
  return useCallback(
    (row: ReportRow, key: keyof ReportRow['key']): string => {
      const v = row.key[key];
      if (key === 'clerk') return v === '' ? t.reports.none : `${v} ${c?.clerks.find((x) => x.number === v)?.name ?? ''}`.trim();
      if (key === 'window') return v === 0 ? t.reports.none : (c?.windows.find((x) => x.number === v)?.name ?? `${v}`);
      if (key === 'serviceCode') return v === '' ? t.reports.noItem : (c?.items.find((x) => x.code === v)?.name ?? String(v));
      if (key === 'hour') return `${String(v).padStart(2, '0')}:00`;
      return String(v ?? '') || t.reports.none;
    },
    [c, t],
  );
}

const KEYS: Record<Breakdown, (keyof ReportRow['key'])[]> = { hall: [], clerk: ['clerk'], window: ['window'], item: ['serviceCode', 'department'], department: ['department'], hour: ['hour'], day: ['day'], dayHour: ['day', 'hour'] };

/** A report's rows as a table with its total. */
export function ReportTable({ report, columns = TABLE }: { report: Report; columns?: ReportColumn['key'][] }) {
  const { t, language } = useConsole();
  const name = useNames();
  const keys = KEYS[report.spec.breakdown];
  const cols = columns.map((k) => REPORT_COLUMNS.find((c) => c.key === k)!);
  const head = (c: ReportColumn) => (language === 'en' ? c.en : c.zh);
  return (
    <div className="table-scroll">
      <table className="report">
        <thead>
          <tr>
            {keys.map((k) => (
              <th key={k}>{{ clerk: t.reports.clerk, window: t.reports.window, serviceCode: t.reports.item, department: t.reports.department, hour: t.forecast.hour, day: t.forecast.day }[k]}</th>
            ))}
            {cols.map((c) => (
              <th key={c.key} className="num">
                {head(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.rows.map((r, i) => (
            <tr key={i}>
              {keys.map((k) => (
                <td key={k}>{name(r, k)}</td>
              ))}
              {cols.map((c) => (
                <td key={c.key} className="num">
                  {cell(c, r[c.key] as number | undefined)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            {keys.map((k, i) => (
              <th key={k}>{i === 0 ? t.reports.total : ''}</th>
            ))}
            {cols.map((c) => (
              <th key={c.key} className="num">
                {cell(c, report.total[c.key] as number | undefined)}
              </th>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export function Tiles({ report }: { report: Report }) {
  const { t, staff } = useConsole();
  const r = report.total;
  const f = t.reports.figures;
  const tiles: [string, string][] = [
    // A clerk issues no tickets: their first figure is the citizens they called.
    staff?.role === 'clerk' ? [f.called, cell({ kind: 'count' }, r.called)] : [f.issued, cell({ kind: 'count' }, r.issued)],
    [f.served, cell({ kind: 'count' }, r.served)],
    [f.waitMedian, cell({ kind: 'duration' }, r.waitMedianS)],
    [f.waitP90, cell({ kind: 'duration' }, r.waitP90S)],
    [f.satisfaction, cell({ kind: 'share' }, r.satisfactionRate)],
    [f.bad, cell({ kind: 'count' }, r.badRatings)],
    [f.noShows, cell({ kind: 'count' }, r.noShows)],
    // The rest of what was issued: voided (never a clerk's: a ticket is voided where it was issued) and not served by the day's end.
    ...(staff?.role === 'clerk' ? [] : [[f.voided, cell({ kind: 'count' }, r.voided)] as [string, string]]),
    [f.unserved, cell({ kind: 'count' }, r.unserved)],
    [f.breaches, cell({ kind: 'count' }, r.breaches)],
  ];
  return (
    <div className="figures report-figures" style={{ '--tiles': tiles.length } as CSSProperties}>
      {tiles.map(([label, value]) => (
        <div className="figure" key={label}>
          <div className="label">{label}</div>
          <div className="value">{value}</div>
        </div>
      ))}
    </div>
  );
}

export function PauseTable({ report }: { report: Report }) {
  const { t } = useConsole();
  if (!report.pauseReasons.length) return <p className="small">{t.reports.empty}</p>;
  return (
    <table className="report narrow">
      <thead>
        <tr>
          <th>{t.reports.pauseReason}</th>
          <th className="num">{t.reports.pauseCount}</th>
          <th className="num">{t.reports.pauseTime}</th>
        </tr>
      </thead>
      <tbody>
        {report.pauseReasons.map((p) => (
          <tr key={p.reason}>
            <td>{p.reason || t.reports.none}</td>
            <td className="num">{p.pauses}</td>
            <td className="num">{formatDuration(p.pausedS)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A filter: all, or one of its options (none shown when there are none to choose). */
function Choice({ label, value, options, onChange }: { label: string; value?: string; options: { value: string; label: string }[]; onChange(value: string | undefined): void }) {
  const { t } = useConsole();
  if (options.length === 0) return null;
  return (
    <label>
      {label}
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">{t.reports.all}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ReportsPage() {
  const { t, language, staff, live, hubNow, timeZone } = useConsole();
  const today = live.view?.day ?? hallDay(hubNow(), timeZone);
  const [q, setQ] = useState<Query>({ breakdown: staff?.role === 'clerk' ? 'day' : 'clerk', from: addDays(today, -6), to: today, waitMinutes: 20 });
  const [shown, setShown] = useState<Query>(q);
  const [data, setData] = useState<{ main: Report; byHour: Report; dayHour: Report; byClerk?: Report }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const name = useNames();
  const isClerk = staff?.role === 'clerk';
  const catalogue = live.view?.catalogue;

  useEffect(() => {
    let gone = false;
    setBusy(true);
    setError(undefined);
    const get = (breakdown: Breakdown) => api<Report>('GET', `/api/reports?${queryString({ ...shown, breakdown })}`);
    void Promise.all([get(shown.breakdown), get('hour'), get('dayHour'), isClerk ? Promise.resolve(undefined) : get('clerk')])
      .then(([main, byHour, dayHour, byClerk]) => !gone && setData({ main, byHour, dayHour, byClerk }), (e) => !gone && setError(e))
      .finally(() => !gone && setBusy(false));
    return () => void (gone = true);
  }, [shown, isClerk]);

  const preset = (from: string, to: string) => setQ({ ...q, from, to });
  const month = today.slice(0, 7);
  const lastMonth = addDays(`${month}-01`, -1).slice(0, 7);
  const charts = useMemo(
    () =>
      data && {
        day: dayChart(t, data.byHour, data.dayHour, !isClerk),
        heat: isClerk ? undefined : heatChart(t, data.dayHour),
        clerks: data.byClerk ? clerkChart(t, data.byClerk, (r) => name(r, 'clerk')) : undefined,
      },
    [data, t, name, isClerk],
  );
  const filters = queryString({ from: shown.from, to: shown.to, department: shown.department, serviceCode: shown.serviceCode, window: shown.window, clerk: shown.clerk, waitMinutes: shown.waitMinutes });
  const departments = staff?.role === 'department-head' ? [] : (catalogue?.departments ?? []);
  const items = (catalogue?.items ?? []).filter((i) => staff?.role !== 'department-head' || i.department === staff.department);
  const clerks = (catalogue?.clerks ?? []).filter((c) => staff?.role !== 'department-head' || c.department === staff.department);
  return (
    <>
      <h1>{isClerk ? t.reports.mine : t.reports.title}</h1>
      <section className="card no-print">
        <div className="row wrap">
          <label>
            {t.reports.breakdown}
            <select value={q.breakdown} onChange={(e) => setQ({ ...q, breakdown: e.target.value as Breakdown })}>
              {BREAKDOWNS.filter((b) => !isClerk || b !== 'clerk').map((b) => (
                <option key={b} value={b}>
                  {BREAKDOWN_LABEL[b][language]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t.reports.from}
            <input type="date" value={q.from} onChange={(e) => setQ({ ...q, from: e.target.value })} />
          </label>
          <label>
            {t.reports.to}
            <input type="date" value={q.to} onChange={(e) => setQ({ ...q, to: e.target.value })} />
          </label>
          {!isClerk && (
            <>
              <Choice label={t.reports.department} value={q.department} options={departments.map((d) => ({ value: d.name, label: d.name }))} onChange={(department) => setQ({ ...q, department })} />
              <Choice label={t.reports.item} value={q.serviceCode} options={items.map((i) => ({ value: i.code, label: i.name }))} onChange={(serviceCode) => setQ({ ...q, serviceCode })} />
              <Choice label={t.reports.clerk} value={q.clerk} options={clerks.map((c) => ({ value: c.number, label: `${c.number} ${c.name}` }))} onChange={(clerk) => setQ({ ...q, clerk })} />
            </>
          )}
          <label>
            {t.reports.waitTarget}
            <input className="short" type="number" min={1} max={240} value={q.waitMinutes} onChange={(e) => setQ({ ...q, waitMinutes: Number(e.target.value) || 20 })} />
          </label>
          <button onClick={() => setShown(q)}>{t.reports.show}</button>
        </div>
        <div className="row wrap">
          <button className="ghost" onClick={() => preset(today, today)}>
            {t.reports.presets.today}
          </button>
          <button className="ghost" onClick={() => preset(addDays(today, -1), addDays(today, -1))}>
            {t.reports.presets.yesterday}
          </button>
          <button className="ghost" onClick={() => preset(addDays(today, -6), today)}>
            {t.reports.presets.week}
          </button>
          <button className="ghost" onClick={() => preset(`${month}-01`, today)}>
            {t.reports.presets.month}
          </button>
          <button className="ghost" onClick={() => preset(`${lastMonth}-01`, lastOfMonth(lastMonth))}>
            {t.reports.presets.lastMonth}
          </button>
          <span className="spacer" />
          <a className="button ghost" href={`/api/reports/export?format=xlsx&${filters}`} download>
            {t.reports.excel}
          </a>
          <a className="button ghost" href={`/api/reports/export?format=csv&breakdown=${shown.breakdown}&${filters}`} download>
            {t.reports.csv}
          </a>
          <Link className="button ghost" to={`/reports/monthly?month=${shown.from.slice(0, 7)}`}>
            {t.reports.print}
          </Link>
        </div>
      </section>
      <ErrorLine error={error} />
      {busy && !data && <p className="small">{t.reports.loading}</p>}
      {data && charts && (
        <>
          <section className="card">
            <h2>
              {BREAKDOWN_LABEL[data.main.spec.breakdown][language]} · {data.main.spec.from} — {data.main.spec.to}
            </h2>
            <Tiles report={data.main} />
          </section>
          <div className={charts.heat ? 'grid two' : ''}>
            <section className="card">
              <h2>{isClerk ? t.reports.charts.wait : t.reports.charts.day}</h2>
              <Chart option={charts.day} label={t.reports.charts.day} />
            </section>
            {charts.heat && (
              <section className="card">
                <h2>{t.reports.charts.heat}</h2>
                <Chart option={charts.heat} label={t.reports.charts.heat} />
              </section>
            )}
          </div>
          {charts.clerks && (
            <section className="card">
              <h2>{t.reports.charts.clerks}</h2>
              <Chart option={charts.clerks} height={360} label={t.reports.charts.clerks} />
            </section>
          )}
          <section className="card">
            {data.main.rows.length ? <ReportTable report={data.main} columns={isClerk ? ['called', ...TABLE.slice(1)] : TABLE} /> : <p className="small">{t.reports.empty}</p>}
          </section>
          <section className="card">
            <h2>{t.reports.pauses}</h2>
            <PauseTable report={data.main} />
          </section>
        </>
      )}
    </>
  );
}

/** The month's report on paper (print stylesheet): the hall, its departments, its clerks, its hours, its pauses. */
export function MonthlyReportPage() {
  const { t, status, staff, hubNow, timeZone, times } = useConsole();
  const [params] = useSearchParams();
  const month = /^\d{4}-\d{2}$/.test(params.get('month') ?? '') ? params.get('month')! : hallDay(hubNow(), timeZone).slice(0, 7);
  const [data, setData] = useState<{ departments: Report; clerks: Report; hours: Report; dayHour: Report }>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const q = (breakdown: Breakdown) => api<Report>('GET', `/api/reports?${queryString({ breakdown, from: `${month}-01`, to: lastOfMonth(month) })}`);
    void Promise.all([q('department'), q('clerk'), q('hour'), q('dayHour')]).then(([departments, clerks, hours, dayHour]) => setData({ departments, clerks, hours, dayHour }), setError);
  }, [month]);
  const chart = useMemo(() => data && dayChart(t, data.hours, data.dayHour), [data, t]);
  const short: ReportColumn['key'][] = ['issued', 'served', 'noShows', 'voided', 'unserved', 'waitMedianS', 'waitP90S', 'calledWithinTarget', 'serviceMedianS', 'rated', 'satisfactionRate', 'badRatings', 'accepted', 'corrections', 'rejected', 'breaches'];
  return (
    <div className="monthly printable">
      <div className="row spread no-print">
        <Link className="button ghost" to="/reports">
          {t.reports.monthly.back}
        </Link>
        <button onClick={() => window.print()}>{t.reports.print}</button>
      </div>
      <h1>{t.reports.monthly.title(status?.hallName ?? '', month)}</h1>
      <p className="small">
        {staff?.role === 'clerk' ? `${staff.name} · ` : staff?.role === 'department-head' ? `${staff.department} · ` : ''}
        {t.reports.monthly.made} {times.at(hubNow())}
      </p>
      <ErrorLine error={error} />
      {data && chart && (
        <>
          <h2>{t.reports.monthly.sections.summary}</h2>
          <Tiles report={data.departments} />
          <h2>{t.reports.monthly.sections.departments}</h2>
          <ReportTable report={data.departments} columns={short} />
          <h2>{t.reports.monthly.sections.clerks}</h2>
          {/* A clerk issues no tickets: the clerks' table counts those they called, and leaves out the arrivals no desk has yet, but not those the day ended before any desk called them (未办理), so that the rows add up to the total. */}
          <ReportTable report={{ ...data.clerks, rows: data.clerks.rows.filter((r) => r.key.clerk || r.unserved > 0) }} columns={['called', ...short.slice(1)]} />
          <h2>{t.reports.monthly.sections.hours}</h2>
          <Chart option={chart} height={260} label={t.reports.charts.day} />
          <h2>{t.reports.monthly.sections.pauses}</h2>
          <PauseTable report={data.clerks} />
        </>
      )}
    </div>
  );
}

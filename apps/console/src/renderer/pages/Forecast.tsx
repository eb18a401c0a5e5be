import type { Forecast, StaffingPlan } from '@servicehall/reports';
import { formatDuration } from '@servicehall/reports/columns';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import { ErrorLine, useConsole } from '../App';
import { Chart } from '../chart';
import { forecastChart, forecastOf } from './report-charts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Tomorrow's windows: the forecast of arrivals, its error on past weeks, and the windows each item needs per hour (Erlang C) against those planned. */
export function ForecastPage() {
  const { t, staff, live } = useConsole();
  const [share, setShare] = useState(80);
  const [minutes, setMinutes] = useState(20);
  const [asked, setAsked] = useState({ share: 80, minutes: 20 });
  const [data, setData] = useState<{ forecast: Forecast; plan: StaffingPlan }>();
  const [day, setDay] = useState(0);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    setError(undefined);
    void Promise.all([api<Forecast>('GET', '/api/forecast?days=7'), api<StaffingPlan>('GET', `/api/staffing?days=7&share=${asked.share}&waitMinutes=${asked.minutes}`)]).then(
      ([forecast, plan]) => {
        setData({ forecast, plan });
        // Tomorrow first: today is under way.
        setDay(forecast.days.length > 1 ? 1 : 0);
      },
      setError,
    );
  }, [asked]);
  const dept = staff?.role === 'department-head' ? staff.department : undefined;
  const names = new Map((live.view?.catalogue.items ?? []).map((i) => [i.code, i.name]));
  const catalogueItems = live.view?.catalogue.items;
  // A department head's chart and days count their department's items, as the table under them does.
  const forecast = useMemo(
    () => data && (dept ? forecastOf(data.forecast, new Set((catalogueItems ?? []).filter((i) => i.department === dept).map((i) => i.code))) : data.forecast),
    [data, dept, catalogueItems],
  );
  const chart = useMemo(() => forecast && forecastChart(t, forecast), [forecast, t]);
  const plan = data?.plan.days[day];
  const items = (plan?.items ?? []).filter((i) => !dept || i.department === dept);
  const hours = [...new Set(items.flatMap((i) => i.hours.map((h) => h.hour)))].sort((a, b) => a - b);
  const short = (plan?.short ?? []).filter((s) => items.some((i) => i.serviceCode === s.serviceCode));
  return (
    <>
      <h1>{t.forecast.title}</h1>
      <section className="card no-print">
        <p className="small">{t.forecast.lead(asked.share, asked.minutes)}</p>
        <div className="row wrap">
          <label>
            {t.forecast.share}
            <input className="short" type="number" min={1} max={99} value={share} onChange={(e) => setShare(Number(e.target.value) || 80)} />
          </label>
          <label>
            {t.forecast.minutes}
            <input className="short" type="number" min={1} max={240} value={minutes} onChange={(e) => setMinutes(Number(e.target.value) || 20)} />
          </label>
          <button onClick={() => setAsked({ share, minutes })}>{t.reports.show}</button>
        </div>
      </section>
      <ErrorLine error={error} />
      {/* A new hall's forecast is all zeros: said as no history, not as a quiet week with enough windows. */}
      {data && data.forecast.historyDays === 0 && (
        <section className="card">
          <p data-testid="no-forecast-history">{t.forecast.noHistory}</p>
        </section>
      )}
      {data && forecast && chart && data.forecast.historyDays > 0 && (
        <>
          <section className="card">
            <h2>{t.forecast.chart}</h2>
            <div className="steps">
              {forecast.days.map((d, i) => (
                <button key={d.day} className={i === day ? 'active' : ''} onClick={() => setDay(i)}>
                  {d.day.slice(5)} · {d.working ? Math.round(d.total).toLocaleString() : t.forecast.closed}
                  {d.peaks.map((p) => (
                    <span key={p} className="tag warn">
                      {t.forecast.peaks[p]}
                    </span>
                  ))}
                </button>
              ))}
            </div>
            <Chart option={chart} height={240} label={t.forecast.chart} />
          </section>
          {plan && (
            <section className="card">
              <h2>
                {plan.day} · {t.forecast.short}
              </h2>
              {short.length === 0 ? (
                <p className="ok">{t.forecast.shortNone}</p>
              ) : (
                <div className="chips">
                  {short.map((s) => (
                    <span key={`${s.serviceCode}-${s.hour}`} className="chip short-chip">
                      {String(s.hour).padStart(2, '0')}:00 {names.get(s.serviceCode) ?? s.serviceCode} · {t.forecast.needed} {s.needed} / {t.forecast.planned} {s.planned}
                    </span>
                  ))}
                </div>
              )}
              <div className="table-scroll">
                <table className="report staffing">
                  <thead>
                    <tr>
                      <th>{t.forecast.item}</th>
                      <th>{t.forecast.meanService}</th>
                      {hours.map((h) => (
                        <th key={h} className="num">
                          {String(h).padStart(2, '0')}:00
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((i) => (
                      <tr key={i.serviceCode}>
                        <td>{names.get(i.serviceCode) ?? i.name}</td>
                        <td className="small">
                          {formatDuration(i.meanServiceSeconds)} ({i.fromHistory ? t.forecast.fromHistory : t.forecast.typical})
                        </td>
                        {hours.map((h) => {
                          const c = i.hours.find((x) => x.hour === h);
                          return (
                            <td key={h} className={`num ${c && c.needed > c.planned ? 'shortfall' : ''}`} title={c ? `${t.forecast.expected} ${c.arrivals.toFixed(1)}` : ''}>
                              {c ? `${c.needed} / ${c.planned}` : ''}
                            </td>
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                  {!dept && (
                    <tfoot>
                      <tr>
                        <th colSpan={2}>{t.forecast.hallLine}</th>
                        {hours.map((h) => {
                          const c = plan.hours.find((x) => x.hour === h);
                          return (
                            <th key={h} className={`num ${c && c.needed > c.planned ? 'shortfall' : ''}`}>
                              {c ? `${c.needed} / ${c.planned}` : ''}
                            </th>
                          );
                        })}
                      </tr>
                    </tfoot>
                  )}
                </table>
              </div>
              <p className="small">
                {t.forecast.needed} / {t.forecast.planned}
              </p>
            </section>
          )}
          <section className="card">
            <h2>{t.forecast.error}</h2>
            {data.forecast.errors.length === 0 && (
              <p className="small" data-testid="no-forecast-error">
                {t.forecast.noError}
              </p>
            )}
            {data.forecast.errors.length > 0 && (
              <table className="report narrow">
                <thead>
                  <tr>
                    <th>{t.forecast.weekFrom}</th>
                    <th className="num">{t.forecast.actual}</th>
                    <th className="num">{t.forecast.predicted}</th>
                    <th className="num">{t.forecast.dailyError}</th>
                    <th className="num">{t.forecast.hourlyError}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.forecast.errors.map((e) => (
                    <tr key={e.weekFrom}>
                      <td>{e.weekFrom}</td>
                      <td className="num">{Math.round(e.actual).toLocaleString()}</td>
                      <td className="num">{Math.round(e.forecast).toLocaleString()}</td>
                      <td className="num">{pct(e.dailyError)}</td>
                      <td className="num">{pct(e.hourlyError)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </>
  );
}

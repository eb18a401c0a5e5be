import { hallDay } from '@servicehall/core';
import { useEffect, useState } from 'react';
import { api } from '../api';
import { ErrorLine, useConsole } from '../App';
import { parseYearTable } from '../calendar-table';

interface Year {
  year: number;
  source: 'package' | 'hall';
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** The package writes a day's name as "Spring Festival,春节,3": the console shows the Chinese. */
const dayName = (text: string) => text.split(',')[1] ?? text;

export function CalendarPage() {
  const { t, staff, live, hubNow, timeZone } = useConsole();
  const [data, setData] = useState<{ years: Year[]; warning?: { year: number } }>();
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  const [year, setYear] = useState(() => String(Number(hallDay(hubNow(), timeZone).slice(0, 4)) + 1));
  const [table, setTable] = useState('');
  const [bad, setBad] = useState<string[]>([]);
  const [all, setAll] = useState(false);
  const thisYear = Number((live.view?.day ?? hallDay(hubNow(), timeZone)).slice(0, 4));
  const mayEnter = staff?.role === 'administrator' || staff?.role === 'supervisor';
  // Read when the page opens and whenever the hall's calendar changes (the live feed carries it).
  useEffect(() => void api<{ years: Year[]; warning?: { year: number } }>('GET', '/api/calendar').then(setData, setError), [live.view?.catalogue.calendar]);
  const save = async () => {
    setError(undefined);
    setNote('');
    const y = Number(year);
    const parsed = parseYearTable(table, y);
    setBad(parsed.bad);
    if (parsed.bad.length) return;
    try {
      await api('PUT', `/api/calendar/${y}`, { holidays: parsed.holidays, workdays: parsed.workdays });
      setNote(t.calendar.saved(y));
      setTable('');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <h1>{t.calendar.title}</h1>
      <p>{t.calendar.lead}</p>
      {data?.warning && (
        <p className="error" role="alert">
          {t.calendar.warning(data.warning.year)}
        </p>
      )}
      <ErrorLine error={error} />
      {note && <p className="ok">{note}</p>}
      <section className="card">
        <h2>{t.calendar.years}</h2>
        <table>
          <thead>
            <tr>
              <th>{t.calendar.year}</th>
              <th />
              <th>{t.calendar.holidays}</th>
              <th>{t.calendar.workdays}</th>
            </tr>
          </thead>
          <tbody>
            {data?.years
              .filter((y) => all || y.year >= thisYear - 1)
              .reverse()
              .map((y) => (
                <tr key={y.year}>
                  <td>{y.year}</td>
                  <td>
                    <span className="tag">{t.calendar.source[y.source]}</span>
                  </td>
                  <td>{Object.keys(y.holidays).length}</td>
                  <td className="small">{Object.entries(y.workdays).map(([d, n]) => `${d.slice(5)} ${dayName(n)}`).join('、')}</td>
                </tr>
              ))}
          </tbody>
        </table>
        {!all && (
          <button className="ghost" onClick={() => setAll(true)}>
            {t.calendar.allYears}
          </button>
        )}
      </section>
      {mayEnter && (
        <section className="card">
          <h2>{t.calendar.enter}</h2>
          <label>
            {t.calendar.year}
            <input name="year" className="short" size={6} value={year} onChange={(e) => setYear(e.target.value)} />
          </label>
          <label>
            {t.calendar.table}
            <textarea name="table" rows={10} value={table} onChange={(e) => setTable(e.target.value)} />
          </label>
          {bad.map((b) => (
            <p className="problem" key={b}>
              {t.calendar.bad(b)}
            </p>
          ))}
          <button onClick={() => void save()}>{t.calendar.save}</button>
        </section>
      )}
    </>
  );
}

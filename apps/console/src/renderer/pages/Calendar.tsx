import { useEffect, useState } from 'react';
import { api } from '../api';
import { ErrorLine, useConsole } from '../App';

interface Year {
  year: number;
  source: 'package' | 'hall';
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** Reads the State Council notice as a table: one day a line, "2027-01-01 放假 元旦" (or with tabs, commas, 上班 for a make-up day). */
export function parseYearTable(text: string, year: number): { holidays: Record<string, string>; workdays: Record<string, string>; bad: string[] } {
  const holidays: Record<string, string> = {};
  const workdays: Record<string, string> = {};
  const bad: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[\s,，\t]+(放假|休|休息|上班|班|调休上班)[\s,，\t]*(.*)$/.exec(line);
    if (!m || Number(m[1]) !== year) {
      bad.push(line);
      continue;
    }
    const day = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    const name = m[5]!.trim() || (m[4]!.includes('班') ? '调休上班' : '放假');
    if (m[4]!.includes('班')) workdays[day] = name;
    else holidays[day] = name;
  }
  return { holidays, workdays, bad };
}

export function CalendarPage() {
  const { t, staff, live } = useConsole();
  const [data, setData] = useState<{ years: Year[]; warning?: { year: number } }>();
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  const [year, setYear] = useState(String(new Date().getFullYear() + 1));
  const [table, setTable] = useState('');
  const [bad, setBad] = useState<string[]>([]);
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
              .slice()
              .reverse()
              .map((y) => (
                <tr key={y.year}>
                  <td>{y.year}</td>
                  <td>
                    <span className="tag">{t.calendar.source[y.source]}</span>
                  </td>
                  <td>{Object.keys(y.holidays).length}</td>
                  <td className="small">{Object.entries(y.workdays).map(([d, n]) => `${d.slice(5)} ${n}`).join('、')}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </section>
      {mayEnter && (
        <section className="card">
          <h2>{t.calendar.enter}</h2>
          <label>
            {t.calendar.year}
            <input name="year" size={6} value={year} onChange={(e) => setYear(e.target.value)} />
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

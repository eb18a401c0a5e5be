import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api';
import { ErrorLine, useConsole } from '../App';

interface AccessRecord {
  at: number;
  who: string;
  staffId?: string;
  caseNumber: string;
  purpose: string;
  note?: string;
}

const PURPOSES = ['acceptance', 'correction', 'delivery', 'complaint', 'follow-up', 'supervision'];

/** Who read applicants' personal data, why, and which case: for a supervisor, by staff member, purpose and record (H-19). */
export function PersonalDataPage() {
  const { cw, times } = useConsole();
  const [filter, setFilter] = useState({ staff: '', purpose: '', record: '' });
  const [query, setQuery] = useState(filter);
  const [records, setRecords] = useState<AccessRecord[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const q = new URLSearchParams();
    if (query.staff.trim()) q.set('staff', query.staff.trim());
    if (query.purpose) q.set('purpose', query.purpose);
    if (query.record.trim()) q.set('case', query.record.trim());
    setError(undefined);
    void api<{ records: AccessRecord[] }>('GET', `/api/personal-data-access?${q}`).then((r) => setRecords(r.records), setError);
  }, [query]);
  return (
    <>
      <h1>{cw.access.title}</h1>
      <p>{cw.access.lead}</p>
      <section className="card">
        <form
          className="row wrap"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(filter);
          }}
        >
          <label>
            {cw.access.staff}
            <input name="staff" value={filter.staff} onChange={(e) => setFilter({ ...filter, staff: e.target.value })} />
          </label>
          <label>
            {cw.access.purpose}
            <select name="purpose" value={filter.purpose} onChange={(e) => setFilter({ ...filter, purpose: e.target.value })}>
              <option value="">{cw.access.all}</option>
              {PURPOSES.map((p) => (
                <option key={p} value={p}>
                  {cw.access.purposes[p]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {cw.access.record}
            <input name="record" value={filter.record} onChange={(e) => setFilter({ ...filter, record: e.target.value })} />
          </label>
          <button type="submit">{cw.access.filter}</button>
        </form>
      </section>
      <ErrorLine error={error} />
      <section className="card">
        {records && records.length === 0 && <p className="dim">{cw.access.empty}</p>}
        {records && records.length > 0 && (
          <table className="casework access">
            <thead>
              <tr>
                <th>{cw.at}</th>
                <th>{cw.access.who}</th>
                <th>{cw.access.purpose}</th>
                <th>{cw.access.record}</th>
                <th>{cw.note}</th>
              </tr>
            </thead>
            <tbody>
              {records.map((r, i) => (
                <tr key={i}>
                  <td>{times.at(r.at)}</td>
                  <td>
                    {r.staffId ? <strong>{r.staffId}</strong> : null} <span className="small">{r.who}</span>
                  </td>
                  <td>{cw.access.purposes[r.purpose] ?? r.purpose}</td>
                  <td>
                    <Link to={`/cases/${r.caseNumber}`}>{r.caseNumber}</Link>
                  </td>
                  <td>{r.note ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

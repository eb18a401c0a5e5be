import type { StaffRole } from '@servicehall/core';
import { useEffect, useState } from 'react';
import { api } from '../api';
import { ErrorLine, useConsole } from '../App';

interface Entry {
  id: number;
  at: number;
  staff: { id: string; name: string; role: string };
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
}

const brief = (v: unknown) => {
  if (v === undefined || v === null) return '—';
  const text = JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
};

export function AuditPage() {
  const { t, language, live } = useConsole();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [error, setError] = useState<unknown>();
  const [open, setOpen] = useState<number>();
  // One person: a clerk's number may be a staff account's id too (two people), so the choice carries its kind (clerk:1001, staff:1001).
  const [person, setPerson] = useState('');
  const [accounts, setAccounts] = useState<{ id: string; name: string; role: StaffRole }[]>([]);
  useEffect(() => void api<{ staff: { id: string; name: string; role: StaffRole }[] }>('GET', '/api/staff').then((r) => setAccounts(r.staff), setError), []);
  const only = person ? `staff=${encodeURIComponent(person)}` : '';
  // Read when the page opens, when another person is chosen, and again when the hall's setup changes (the live feed says when).
  useEffect(() => void api<{ entries: Entry[] }>('GET', `/api/audit${only ? `?${only}` : ''}`).then((r) => setEntries(r.entries), setError), [live.view?.catalogue, live.view?.pending, only]);
  const more = async () => {
    const last = entries[entries.length - 1];
    if (!last) return;
    const r = await api<{ entries: Entry[] }>('GET', `/api/audit?before=${last.id}${only ? `&${only}` : ''}`);
    setEntries([...entries, ...r.entries]);
  };
  return (
    <>
      <h1>{t.audit.title}</h1>
      <ErrorLine error={error} />
      <section className="card">
        <label>
          {t.audit.person}
          <select name="audit-person" value={person} onChange={(e) => setPerson(e.target.value)}>
            <option value="">{t.audit.everyone}</option>
            {accounts.map((a) => (
              <option key={`staff:${a.id}`} value={`staff:${a.id}`}>
                {`${a.name}（${a.id}）· ${t.roles[a.role]}`}
              </option>
            ))}
            {(live.view?.catalogue.clerks ?? []).map((c) => (
              <option key={`clerk:${c.number}`} value={`clerk:${c.number}`}>
                {`${c.name}（${c.number}）· ${t.roles.clerk}`}
              </option>
            ))}
          </select>
        </label>
        <table className="audit">
          <thead>
            <tr>
              <th>{t.audit.at}</th>
              <th>{t.audit.who}</th>
              <th>{t.audit.action}</th>
              <th>{t.audit.target}</th>
              <th>{t.audit.before}</th>
              <th>{t.audit.after}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} onClick={() => setOpen(open === e.id ? undefined : e.id)}>
                <td>{new Date(e.at).toLocaleString(language)}</td>
                <td>
                  {e.staff.name} ({e.staff.id})
                </td>
                <td>{t.audit.actions[e.action] ?? e.action}</td>
                <td>{e.target}</td>
                <td className="json">{open === e.id ? <pre>{JSON.stringify(e.before, null, 2)}</pre> : brief(e.before)}</td>
                <td className="json">{open === e.id ? <pre>{JSON.stringify(e.after, null, 2)}</pre> : brief(e.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {entries.length === 0 && (
          <p className="dim" data-testid="no-audit">
            {t.audit.none}
          </p>
        )}
        {entries.length >= 100 && (
          <button className="ghost" onClick={() => void more()}>
            {t.audit.more}
          </button>
        )}
      </section>
    </>
  );
}

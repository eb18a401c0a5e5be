import type { StaffRole } from '@servicehall/core';
import { Fragment, useEffect, useState } from 'react';
import { api } from '../api';
import { ErrorLine, useConsole } from '../App';
import { auditSummary, type AuditNames } from '../audit-summary';

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

/** The entry exactly as the hub keeps it: what 详情 shows. */
const recordOf = (e: Entry) => JSON.stringify({ target: e.target, before: e.before, after: e.after }, null, 2);

export function AuditPage() {
  const { t, times, live } = useConsole();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [error, setError] = useState<unknown>();
  const [open, setOpen] = useState<number>();
  // One person: a clerk's number may be a staff account's id too (two people), so the choice carries its kind (clerk:1001, staff:1001).
  const [person, setPerson] = useState('');
  const [accounts, setAccounts] = useState<{ id: string; name: string; role: StaffRole }[]>([]);
  useEffect(() => void api<{ staff: { id: string; name: string; role: StaffRole }[] }>('GET', '/api/staff').then((r) => setAccounts(r.staff), setError), []);
  const catalogue = live.view?.catalogue;
  const names: AuditNames = {
    item: (code) => catalogue?.items.find((i) => i.code === code)?.name,
    person: (id) => accounts.find((a) => a.id === id)?.name ?? catalogue?.clerks.find((c) => c.number === id)?.name,
    date: (at) => times.day(at),
  };
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
              <th>{t.audit.what}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => {
              const summary = auditSummary(e, t.audit.summary, names);
              return (
                <Fragment key={e.id}>
                  <tr data-testid={`audit-${e.id}`}>
                    <td className="nowrap">{times.at(e.at)}</td>
                    <td>
                      {e.staff.name} ({e.staff.id})
                    </td>
                    <td className="nowrap">{t.audit.actions[e.action] ?? e.action}</td>
                    {/* An action this console does not know: the record as it is. */}
                    <td className={summary ? 'summary' : 'json'}>
                      {summary ?? `${e.target} · ${t.audit.before} ${brief(e.before)} · ${t.audit.after} ${brief(e.after)}`}
                    </td>
                    <td>
                      <button className="ghost" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? undefined : e.id)}>
                        {open === e.id ? t.audit.hide : t.audit.details}
                      </button>
                    </td>
                  </tr>
                  {open === e.id && (
                    <tr className="record">
                      <td colSpan={5} className="json" aria-label={t.audit.record}>
                        <pre>{recordOf(e)}</pre>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
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

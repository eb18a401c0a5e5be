import type { StaffRole } from '@servicehall/core';
import { useEffect, useState } from 'react';
import { api } from '../api';
import { ErrorLine, useConsole } from '../App';

interface Member {
  id: string;
  name: string;
  role: StaffRole;
  department?: string;
  mustChange: boolean;
  disabled: boolean;
}
interface ClerkState {
  clerk: string;
  name: string;
  department: string;
  hasPin: boolean;
  mustChange: boolean;
  lockedUntil?: number;
}

export function StaffPage() {
  const { t, staff, live } = useConsole();
  const [list, setList] = useState<{ staff: Member[]; clerks: ClerkState[] }>();
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  const [form, setForm] = useState({ id: '', name: '', role: 'supervisor' as StaffRole, department: '' });
  const [selected, setSelected] = useState<string[]>([]);
  const [slips, setSlips] = useState<{ clerk: string; name: string; pin: string }[]>([]);
  const admin = staff?.role === 'administrator';
  const supervisor = admin || staff?.role === 'supervisor';
  // The list is read when the page opens and after each change made here; the catalogue's clerks come by push.
  const load = () => api<{ staff: Member[]; clerks: ClerkState[] }>('GET', '/api/staff').then(setList, setError);
  useEffect(() => void load(), [live.view?.catalogue.clerks.length]);
  const act = async (fn: () => Promise<void>) => {
    setError(undefined);
    setNote('');
    try {
      await fn();
      await load();
    } catch (err) {
      setError(err);
    }
  };
  const departments = live.view?.catalogue.departments ?? [];
  return (
    <>
      <h1>{t.staff.title}</h1>
      <ErrorLine error={error} />
      {note && (
        <p className="ok" data-testid="one-time">
          {note}
        </p>
      )}
      {slips.length > 0 && (
        <section className="card slips">
          <div className="row spread no-print">
            <h2>{t.staff.slipTitle}</h2>
            <button onClick={() => window.print()}>{t.staff.print}</button>
          </div>
          <div className="slip-grid">
            {slips.map((s) => (
              <div className="slip" key={s.clerk}>
                <h3>
                  {live.view?.catalogue.hall.name} · {t.staff.slipTitle}
                </h3>
                <p>
                  {t.setup.clerk.number} {s.clerk} · {s.name}
                </p>
                <p className="pin" data-testid={`pin-${s.clerk}`}>
                  {s.pin}
                </p>
                <p className="small">{t.staff.slipLead}</p>
              </div>
            ))}
          </div>
        </section>
      )}
      <section className="card">
        <h2>{t.staff.accounts}</h2>
        <table>
          <thead>
            <tr>
              <th>{t.staff.id}</th>
              <th>{t.staff.name}</th>
              <th>{t.staff.role}</th>
              <th>{t.staff.department}</th>
              <th>{t.staff.state}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list?.staff.map((m) => (
              <tr key={m.id}>
                <td>{m.id}</td>
                <td>{m.name}</td>
                <td>{t.roles[m.role]}</td>
                <td>{m.department ?? ''}</td>
                <td>{m.disabled ? t.staff.disabled : m.mustChange ? t.staff.mustChange : t.staff.active}</td>
                <td>
                  {admin && m.id !== staff?.id && (
                    <>
                      <button className="ghost" onClick={() => void act(async () => setNote(t.staff.resetDone(m.id, (await api<{ password: string }>('POST', `/api/staff/${m.id}/reset-password`)).password)))}>
                        {t.staff.reset}
                      </button>
                      <button className="ghost" onClick={() => void act(async () => void (await api('POST', `/api/staff/${m.id}/disabled`, { disabled: !m.disabled })))}>
                        {m.disabled ? t.staff.enable : t.staff.disable}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {admin && (
          <form
            className="row wrap"
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                const r = await api<{ password: string }>('POST', '/api/staff', { id: form.id.trim(), name: form.name.trim(), role: form.role, ...(form.department ? { department: form.department } : {}) });
                setNote(t.staff.created(form.id.trim(), r.password));
                setForm({ id: '', name: '', role: 'supervisor', department: '' });
              });
            }}
          >
            <label>
              {t.staff.id}
              <input name="staff-id" value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} />
            </label>
            <label>
              {t.staff.name}
              <input name="staff-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
            </label>
            <label>
              {t.staff.role}
              <select name="staff-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as StaffRole })}>
                {(['administrator', 'supervisor', 'department-head'] as const).map((r) => (
                  <option key={r} value={r}>
                    {t.roles[r]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t.staff.department}
              <select name="staff-department" value={form.department} onChange={(e) => setForm({ ...form, department: e.target.value })}>
                <option value="" />
                {departments.map((d) => (
                  <option key={d.name}>{d.name}</option>
                ))}
              </select>
            </label>
            <button type="submit">{t.staff.create}</button>
          </form>
        )}
      </section>
      <section className="card">
        <h2>{t.staff.clerks}</h2>
        {supervisor && (
          <div className="row">
            <button className="ghost" onClick={() => setSelected(list?.clerks.filter((c) => !c.hasPin).map((c) => c.clerk) ?? [])}>
              {t.staff.selectAll}
            </button>
            <button
              disabled={selected.length === 0}
              onClick={() =>
                void act(async () => {
                  setSlips((await api<{ pins: typeof slips }>('POST', '/api/clerks/initial-pins', { clerks: selected })).pins);
                  setSelected([]);
                })
              }
            >
              {t.staff.issuePins}
            </button>
          </div>
        )}
        <table>
          <thead>
            <tr>
              <th />
              <th>{t.setup.clerk.number}</th>
              <th>{t.staff.name}</th>
              <th>{t.staff.department}</th>
              <th>{t.staff.pin}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list?.clerks.map((c) => (
              <tr key={c.clerk}>
                <td>
                  {supervisor && (
                    <input
                      type="checkbox"
                      aria-label={c.clerk}
                      checked={selected.includes(c.clerk)}
                      onChange={(e) => setSelected(e.target.checked ? [...selected, c.clerk] : selected.filter((x) => x !== c.clerk))}
                    />
                  )}
                </td>
                <td>{c.clerk}</td>
                <td>{c.name}</td>
                <td>{c.department}</td>
                <td>
                  {!c.hasPin ? t.staff.noPin : c.mustChange ? t.staff.pinMustChange : t.staff.pinSet}
                  {c.lockedUntil ? <span className="tag warn">{t.staff.locked}</span> : null}
                </td>
                <td>
                  {supervisor && c.lockedUntil && (
                    <button className="ghost" onClick={() => void act(async () => void (await api('POST', `/api/clerks/${c.clerk}/unlock`)))}>
                      {t.staff.unlock}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

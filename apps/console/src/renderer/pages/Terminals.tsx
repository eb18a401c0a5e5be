import { CREDENTIAL_DAYS, credentialDaysProblem, hallTerminalNames } from '@servicehall/core';
import { useState } from 'react';
import { api } from '../api';
import { ErrorLine, useConsole } from '../App';
import { DeviceState } from '../devices';

/** A table's heading row: its columns' names in order ('' for a column of buttons). */
function Heading({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => (
          <th key={i}>{c}</th>
        ))}
      </tr>
    </thead>
  );
}

export function TerminalsPage() {
  const { t, live, staff, times, language } = useConsole();
  const [code, setCode] = useState('');
  const [days, setDays] = useState('365');
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  const admin = staff?.role === 'administrator';
  const list = live.terminals;
  // Named as the board and the alerts name them (取号机 2, 1号窗口评价器), the id after in small type for whoever installs them.
  const names = live.view ? hallTerminalNames(live.view, list?.presence ?? [], language) : new Map<string, string>();
  const named = (terminal: string, role: string) => (
    <>
      {names.get(terminal) ?? t.terminals.roles[role] ?? role} <span className="small">{terminal}</span>
    </>
  );
  const time = (at?: number) => (at ? times.at(at, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }) : '—');
  const day = (at: number) => times.day(at);
  const enrol = async () => {
    setError(undefined);
    setNote('');
    // Said before sending, as the hub would say it: Number() made '' a 0 and 'abc' a null, refused as a request 有误.
    const typed = days.trim();
    const expiresInDays = /^\d+$/.test(typed) ? Number(typed) : typed;
    if (credentialDaysProblem(expiresInDays)) return setError(new Error(t.terminals.daysRefused(typed, CREDENTIAL_DAYS.min, CREDENTIAL_DAYS.max)));
    try {
      const r = await api<{ terminal: { terminal: string } }>('POST', '/api/terminals/enrol', { code: code.replace(/\s/g, ''), expiresInDays });
      setNote(t.terminals.enrolled(r.terminal.terminal));
      setCode('');
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (id: string, terminal: string) => {
    if (!window.confirm(t.terminals.revokeConfirm(terminal))) return;
    setError(undefined);
    try {
      await api('POST', `/api/terminals/${id}/revoke`);
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (terminal: string) => {
    if (!window.confirm(t.terminals.removeConfirm(names.get(terminal) ?? terminal))) return;
    setError(undefined);
    try {
      await api('POST', `/api/terminals/hall-token/${encodeURIComponent(terminal)}/remove`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <h1>{t.terminals.title}</h1>
      <ErrorLine error={error} />
      {note && <p className="ok">{note}</p>}
      {admin && (
        <section className="card">
          <h2>{t.terminals.enrol}</h2>
          <p>{t.terminals.enrolLead}</p>
          <form
            className="row wrap"
            onSubmit={(e) => {
              e.preventDefault();
              void enrol();
            }}
          >
            <label>
              {t.terminals.code}
              <input name="pairing-code" className="code" inputMode="numeric" maxLength={7} value={code} onChange={(e) => setCode(e.target.value)} />
            </label>
            <label>
              {t.terminals.days}
              <input name="days" size={5} value={days} onChange={(e) => setDays(e.target.value)} />
            </label>
            <button type="submit">{t.terminals.confirm}</button>
          </form>
          <h3>{t.terminals.waiting}</h3>
          {list?.waiting.length ? (
            <ul>
              {list.waiting.map((w) => (
                // Each name once, as its newest request asks; more links asking under it (one of them perhaps not the terminal) are counted.
                <li key={w.terminal} data-testid={`waiting-${w.terminal}`}>
                  {t.terminals.roles[w.role] ?? w.role} · {w.terminal}
                  {w.window !== undefined ? ` · ${t.terminals.window} ${w.window}` : ''} · {w.address ?? ''} · {time(w.at)}
                  {w.links > 1 && <span className="tag warn">{t.terminals.links(w.links)}</span>}
                </li>
              ))}
            </ul>
          ) : (
            <p className="dim">{t.terminals.none}</p>
          )}
        </section>
      )}
      <section className="card">
        <h2>{t.terminals.list}</h2>
        <table>
          <Heading columns={[t.terminals.terminal, t.terminals.role, t.terminals.window, t.terminals.version, t.terminals.devices, t.terminals.lastSeen, t.terminals.expires, t.terminals.state, '']} />
          <tbody>
            {list?.terminals.map((c) => (
              <tr key={c.id} className={c.state === 'revoked' || c.state === 'expired' ? 'dim' : ''} data-testid={`terminal-${c.terminal}`}>
                <td>{named(c.terminal, c.role)}</td>
                <td>{t.terminals.roles[c.role] ?? c.role}</td>
                <td>{c.window ?? ''}</td>
                <td>{c.version ?? ''}</td>
                <td>
                  {c.devices.map((d) => (
                    <DeviceState key={d.name} device={d} id={d.name} okWords={t.terminals.deviceOk} />
                  ))}
                </td>
                <td>{c.state === 'online' ? time(c.onlineSince) : time(c.lastSeen)}</td>
                <td>{day(c.expiresAt)}</td>
                <td className={`state ${c.state}`}>{t.terminals.states[c.state]}</td>
                <td>
                  {admin && c.state !== 'revoked' && (
                    <button className="ghost" onClick={() => void revoke(c.id, c.terminal)}>
                      {t.terminals.revoke}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list && list.terminals.length === 0 && (
          <p className="dim" data-testid="no-terminals">
            {t.terminals.noneEnrolled}
          </p>
        )}
        {list && list.hallToken.length > 0 && (
          <>
            <h3>{t.terminals.hallToken}</h3>
            <p className="dim">{t.terminals.hallTokenLead(list.hallTokenKeptDays)}</p>
            <table>
              <Heading columns={[t.terminals.terminal, t.terminals.role, t.terminals.window, t.terminals.devices, t.terminals.lastSeen, t.terminals.state, '']} />
              <tbody>
                {list.hallToken.map((h) => (
                  <tr key={h.terminal} data-testid={`hall-token-${h.terminal}`}>
                    <td>{named(h.terminal, h.role)}</td>
                    <td>{t.terminals.roles[h.role] ?? h.role}</td>
                    <td>{h.window ?? ''}</td>
                    <td>
                      {h.devices.map((d) => (
                        <DeviceState key={d.name} device={d} id={d.name} okWords={t.terminals.deviceOk} />
                      ))}
                    </td>
                    <td>{h.online ? time(h.since) : time(h.lastSeen)}</td>
                    <td className={`state ${h.online ? 'online' : 'offline'}`}>{t.terminals.states[h.online ? 'online' : 'offline']}</td>
                    <td>
                      {admin && !h.online && (
                        <button className="ghost" onClick={() => void remove(h.terminal)}>
                          {t.terminals.remove}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </>
  );
}

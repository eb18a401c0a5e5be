import { activeAlerts, alertDepartment, hallTerminalNames, type HallAlert, type HallView } from '@servicehall/core';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api } from './api';
import { alertText } from './alert-text';
import { ErrorLine, useConsole } from './App';

/** The alerts this staff member is to see: a department head their own department's, the hall's supervisors all. */
export function myAlerts(view: HallView | undefined, staff: { role: string; department?: string } | undefined): HallAlert[] {
  if (!view) return [];
  return activeAlerts(view).filter((a) => staff?.role !== 'department-head' || alertDepartment(a) === staff.department);
}

let audio: AudioContext | undefined;

/** Two soft tones (Web Audio): the console's chime for a new alert. Silent until the page has had a click, as browsers require. */
function chime(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
    const start = audio.currentTime;
    for (const [i, frequency] of [880, 660].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + i * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.25, start + i * 0.25 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.25 + 0.45);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + i * 0.25);
      osc.stop(start + i * 0.25 + 0.5);
    }
  } catch {
    // A browser without Web Audio shows the alert all the same.
  }
}

/** Sounds once for each alert not heard before and not yet acknowledged; says how many times it has sounded. */
export function useChime(alerts: HallAlert[]): number {
  const heard = useRef<Set<string> | undefined>(undefined);
  const [count, setCount] = useState(0);
  useEffect(() => {
    const fresh = alerts.filter((a) => !a.acknowledged && !heard.current?.has(a.id));
    heard.current ??= new Set();
    for (const a of alerts) heard.current.add(a.id);
    if (fresh.length > 0) {
      chime();
      setCount((c) => c + 1);
    }
  }, [alerts]);
  return count;
}

/** The action an alert carries, at hand: a window for a long queue, the terminals for a device, and acknowledging it. */
function AlertActions({ alert }: { alert: HallAlert }) {
  const { t, live, staff } = useConsole();
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  const [target, setTarget] = useState('');
  const view = live.view;
  const s = alert.subject;
  const numbers = view?.catalogue.windows.map((w) => w.number) ?? [];
  // The next free number as the hall stands now (another supervisor may have just opened 21), unless one was typed.
  const [typed, setTyped] = useState<string>();
  const temporary = typed ?? String(Math.max(20, ...numbers) + 1);
  const run = async (method: 'POST' | 'PUT', path: string, body?: unknown) => {
    setError(undefined);
    setNote('');
    try {
      await api(method, path, body);
      setTyped(undefined);
      if (!path.endsWith('/acknowledge')) setNote(t.alerts.done);
    } catch (e) {
      setError(e);
    }
  };
  const supervisor = staff?.role === 'administrator' || staff?.role === 'supervisor';
  return (
    <div className="alert-actions">
      {s.kind === 'wait-threshold' && view && (
        <>
          {supervisor && (
            <span className="row">
              <input aria-label={t.alerts.windowNumber} name={`temporary-${alert.id}`} className="short" value={temporary} onChange={(e) => setTyped(e.target.value)} />
              <button onClick={() => void run('POST', '/api/windows/temporary', { window: Number(temporary), serves: [s.serviceCode], ...(s.department ? { department: s.department } : {}) })}>
                {t.alerts.openTemporary}
              </button>
            </span>
          )}
          <span className="row">
            <select aria-label={t.alerts.chooseWindow} name={`add-${alert.id}`} value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">{t.alerts.chooseWindow}</option>
              {view.catalogue.windows
                .filter((w) => !w.serves.includes(s.serviceCode) && (staff?.role !== 'department-head' || w.department === staff.department))
                .map((w) => (
                  <option key={w.number} value={w.number}>
                    {w.name}
                  </option>
                ))}
            </select>
            <button
              className="ghost"
              disabled={!target}
              onClick={() => {
                const w = view.catalogue.windows.find((x) => x.number === Number(target));
                if (w) void run('PUT', `/api/windows/${w.number}/items`, { serves: [...w.serves, s.serviceCode] });
              }}
            >
              {t.alerts.addToWindow}
            </button>
          </span>
        </>
      )}
      {(s.kind === 'device-fault' || s.kind === 'terminal-offline' || s.kind === 'devices-not-ready') && (
        <Link className="button ghost" to="/terminals">
          {t.alerts.toTerminals}
        </Link>
      )}
      {s.kind === 'long-pause' && (
        <Link className="button ghost" to="/board">
          {t.alerts.toBoard}
        </Link>
      )}
      {!alert.acknowledged && (
        <button className="ghost" onClick={() => void run('POST', `/api/alerts/${encodeURIComponent(alert.id)}/acknowledge`)}>
          {t.alerts.acknowledge}
        </button>
      )}
      {note && <span className="ok">{note}</span>}
      <ErrorLine error={error} />
    </div>
  );
}

export function AlertCard({ alert }: { alert: HallAlert }) {
  const { t, language, times, live } = useConsole();
  const names = live.view ? hallTerminalNames(live.view, live.terminals?.presence ?? [], language) : new Map<string, string>();
  return (
    <div className={`alert ${alert.acknowledged ? 'seen' : ''} kind-${alert.subject.kind}`} role="alert" data-testid={`alert-${alert.subject.kind}`}>
      <div className="alert-head">
        <b>{t.alerts.kinds[alert.subject.kind]}</b>
        <span className="small">
          {t.alerts.raisedAt(times.clock(alert.raisedAt))}
          {alert.acknowledged ? ` · ${t.alerts.acknowledged(alert.acknowledged.by?.name ?? '')}` : ''}
        </span>
      </div>
      <div className="alert-text">{alertText(alert, t, language, names)}</div>
      <AlertActions alert={alert} />
    </div>
  );
}

/** The alerts waiting for someone, on every page of the console, sounded when they arrive. */
export function AlertTray() {
  const { live, staff, t } = useConsole();
  const alerts = myAlerts(live.view, staff);
  const chimes = useChime(alerts);
  const waiting = alerts.filter((a) => !a.acknowledged);
  return (
    <section className="alert-tray" data-chimes={chimes} aria-label={t.alerts.title} hidden={waiting.length === 0}>
      {waiting.map((a) => (
        <AlertCard key={a.id} alert={a} />
      ))}
    </section>
  );
}

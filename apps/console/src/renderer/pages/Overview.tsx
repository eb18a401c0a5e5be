import { isConfigured, isHubClockOff, itemWaits, windowQueue } from '@servicehall/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useConsole } from '../App';
import { PendingChanges } from '../pending';

interface UpstreamHealth {
  state: 'connecting' | 'shipping' | 'caught-up' | 'offline' | 'refused' | 'stopped';
  behindEvents: number;
  behindSeconds: number;
  /** Why it does not ship (the hub's upstreamHealth): said as what it is and who is to look. */
  problem?: 'unreachable' | 'not-taken' | 'another-log' | 'another-hub' | 'not-shipped-log';
  /** The hub's clock less the city database's, as last measured. */
  clockAheadSeconds?: number;
}

/** How far behind the hall the city's copy of its log is (from /api/health), when the hub ships to a city. */
function UpstreamCard() {
  const { t } = useConsole();
  const [upstream, setUpstream] = useState<UpstreamHealth>();
  useEffect(() => {
    let alive = true;
    const look = () =>
      fetch('/api/health')
        .then((r) => r.json() as Promise<{ upstream?: UpstreamHealth }>)
        .then((h) => alive && setUpstream(h.upstream))
        .catch(() => undefined);
    void look();
    const timer = setInterval(look, 5_000);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, []);
  if (!upstream) return null;
  const bad = upstream.state === 'offline' || upstream.state === 'refused';
  return (
    <section className="card" data-testid="upstream">
      <h2>{t.overview.upstream.title}</h2>
      <p className={bad ? 'notice' : undefined}>
        <span className={`tag ${bad ? 'warn' : ''}`}>{t.overview.upstream.states[upstream.state]}</span> {t.overview.upstream.behind(upstream.behindEvents, upstream.behindSeconds)}
      </p>
      {bad && (
        <p className="notice" data-testid="upstream-problem">
          {t.overview.upstream.problems[upstream.problem ?? (upstream.state === 'refused' ? 'another-log' : 'unreachable')]}
        </p>
      )}
      {upstream.clockAheadSeconds !== undefined && isHubClockOff(upstream.clockAheadSeconds * 1000) && (
        <p className="notice" data-testid="hub-clock-off">
          {t.overview.upstream.clockOff(upstream.clockAheadSeconds)}
        </p>
      )}
    </section>
  );
}

export function OverviewPage() {
  const { t, live, staff, hubNow } = useConsole();
  const view = live.view;
  if (!view) return <p className="notice">{t.overview.notConnected}</p>;
  if (!isConfigured(view.catalogue))
    return (
      <section className="card">
        <p className="notice big">{t.overview.unconfigured}</p>
        {staff?.role === 'administrator' && (
          <Link className="button" to="/setup">
            {t.overview.startSetup}
          </Link>
        )}
      </section>
    );
  const dept = staff?.role === 'department-head' ? staff.department : undefined;
  const windows = view.catalogue.windows.filter((w) => !dept || w.department === dept);
  const items = view.catalogue.items.filter((i) => !dept || i.department === dept);
  const now = hubNow();
  // The waits come from the queue policy (core's itemWaits); the lanes are worked out once for all items.
  const waits = itemWaits(view, now);
  return (
    <>
      <h1>
        {view.catalogue.hall.name} · {view.day}
      </h1>
      <section className="card">
        <h2>{t.overview.windows}</h2>
        <div className="tiles">
          {windows.map((w) => {
            const state = view.windows.get(w.number);
            const current = [...view.tickets.values()].find((x) => x.window === w.number && (x.state === 'called' || x.state === 'serving'));
            const label = !state?.open ? t.overview.closed : state.pausedSince !== undefined ? t.overview.paused : t.overview.open;
            return (
              <div key={w.number} className={`tile ${!state?.open ? 'dim' : state.pausedSince !== undefined ? 'warn' : ''}`} data-testid={`window-${w.number}`}>
                <div className="tile-head">
                  <b>{w.number}</b> {w.name.replace(new RegExp(`^${w.number}号窗口\\s*`), '')} {w.temporary && <span className="tag">{t.today.temporaryMark}</span>}
                </div>
                <div>
                  {label}
                  {state?.clerk ? ` · ${view.catalogue.clerks.find((c) => c.number === state.clerk)?.name ?? state.clerk}` : ''}
                </div>
                <div>
                  {[current ? `${t.overview.serving} ${current.number}` : '', `${t.overview.waiting} ${windowQueue(view, w.number, now).length}`].filter(Boolean).join(' · ')}
                </div>
              </div>
            );
          })}
        </div>
      </section>
      <section className="card">
        <h2>{t.overview.items}</h2>
        <table>
          <tbody>
            {items.map((i) => {
              const wait = waits.get(i.code)!;
              return (
                <tr key={i.code}>
                  <td>{i.prefix}</td>
                  <td>{i.name}</td>
                  <td>
                    {t.overview.waiting} {wait.waiting}
                  </td>
                  <td>{i.today?.day === view.day && i.today.closedNotice ? <span className="tag warn">{t.today.closedNow}</span> : null}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <UpstreamCard />
      <PendingChanges view={view} title={t.overview.pending} />
    </>
  );
}

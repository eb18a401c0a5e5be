import { hallBoard, isConfigured, terminalNameAtWindow, terminalNames, type BoardTerminal, type BoardWindow } from '@servicehall/core';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { AlertCard, myAlerts } from '../alerts';
import { useConsole } from '../App';
import { ChannelList } from '../channels';
import { DeviceState, deviceWords } from '../devices';

/** The hub's clock, moving on by itself: waits and pauses grow between the hall's events. */
function useNow(everyMs: number): number {
  const { hubNow } = useConsole();
  const [now, setNow] = useState(hubNow);
  useEffect(() => {
    setNow(hubNow());
    const timer = setInterval(() => setNow(hubNow()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs, hubNow]);
  return now;
}

function windowLine(w: BoardWindow, t: ReturnType<typeof useConsole>['t']): string {
  if (!w.open) return t.board.closed;
  if (w.paused) return t.board.paused(w.paused.reason, w.paused.minutes);
  if (w.serving) return w.serving.state === 'serving' ? t.board.serving(w.serving.ticket, w.serving.minutes) : t.board.called(w.serving.ticket, w.serving.minutes);
  return t.board.idle;
}

function Devices({ terminal }: { terminal: BoardTerminal }) {
  const { t } = useConsole();
  if (terminal.devices.length === 0) return <span className="small">{t.board.noDevices}</span>;
  return (
    <>
      {terminal.devices.map((d) => (
        <DeviceState key={d.name} device={d} id={`${terminal.terminal}-${d.kind}`} />
      ))}
    </>
  );
}

/** The hubs: this one in charge or not, its standby's link, its scheduled backups (H-17: the fallback is seen to be there). */
function Hubs() {
  const { t, live, times } = useConsole();
  const h = live.hubs;
  if (!h) return null;
  const x = t.board.hubs;
  const standby = !h.standby ? ['warn', x.noStandby] : h.standby.state === 'in-step' ? ['online', x.inStep] : h.standby.state === 'behind' ? ['bad', x.behind(h.standby.behindEvents)] : ['bad', x.none];
  const at = (ms: number) => times.at(ms, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  return (
    <section className="card" data-testid="board-hubs">
      <h2>{x.title}</h2>
      <table>
        <tbody>
          <tr>
            <td>{x.thisHub}</td>
            <td className={`state ${h.inCharge ? 'online' : 'warn'}`}>{h.inCharge ? x.inCharge(h.epoch) : x.notInCharge}</td>
          </tr>
          <tr data-testid="board-standby">
            <td>{x.standby}</td>
            <td className={`state ${standby[0]}`}>{standby[1]}</td>
          </tr>
          <tr data-testid="board-backup">
            <td>{x.backup}</td>
            <td className={`state ${!h.backup ? 'warn' : h.backup.failures > 0 || h.backup.lastAt === undefined ? 'bad' : 'online'}`}>
              {!h.backup ? x.noBackup : h.backup.lastAt === undefined ? x.noneYet : x.lastBackup(at(h.backup.lastAt))}
              {h.backup && h.backup.failures > 0 && <span className="small"> · {x.failures(h.backup.failures)}</span>}
            </td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}

/**
 * The live hall (H-04, H-16, H-18): every window, queue and terminal, today's figures and the
 * alerts standing, worked out by core's hallBoard from the view the hub pushes. `?wall` is the
 * wall screen of the supervisors' office: the same board in large type, without the console around it.
 */
export function BoardPage() {
  const { t, live, staff, times, language, liveUntil } = useConsole();
  const [params] = useSearchParams();
  const wall = params.has('wall');
  const now = useNow(5_000);
  const view = live.view;
  if (!view) return <p className="notice">{t.overview.notConnected}</p>;
  if (!isConfigured(view.catalogue)) return <p className="notice">{t.overview.unconfigured}</p>;
  const board = hallBoard(view, { now, terminals: live.terminals?.presence ?? [] });
  const names = terminalNames(board.terminals, language);
  // The alerts still to be seen are in the tray above every page; the board lists those seen and still standing.
  const seen = myAlerts(view, staff).filter((a) => a.acknowledged);
  const f = board.figures;
  const figures: [string, number][] = [
    [t.board.figures.waiting, f.waiting],
    [t.board.figures.issued, f.issued],
    [t.board.figures.served, f.served],
    [t.board.figures.windowsOpen, f.windowsOpen],
    [t.board.figures.averageWait, f.averageWaitMinutes],
    [t.board.figures.noShow, f.noShow],
    [t.board.figures.ratings, f.ratings],
    [t.board.figures.badRatings, f.badRatings],
  ];
  const items = board.items.filter((i) => i.waiting > 0 || i.windowsOpen > 0);
  return (
    <div className={wall ? 'board wall' : 'board'} data-testid="board">
      <div className="row spread">
        <h1>
          {board.hallName} · {t.board.title}
        </h1>
        <span className="row">
          {/* Not live: the time the hall was as shown, not the clock running on. */}
          <span className="small">{t.board.updated(times.clock(liveUntil ?? board.at, true))}</span>
          {wall ? (
            <Link className="button ghost" to="/board">
              {t.board.leaveWall}
            </Link>
          ) : (
            <Link className="button ghost" to="/board?wall">
              {t.board.wall}
            </Link>
          )}
        </span>
      </div>
      {board.check && (
        <section className={`card check ${board.check.notReady.length ? 'warn' : 'fine'}`} data-testid="device-check">
          <h2>{t.board.check(board.check.opensAt)}</h2>
          <p>{board.check.notReady.length ? `${t.board.checkNotReady}${board.check.notReady.map((x) => names.get(x) ?? x).join(language === 'en' ? ', ' : '、')}` : t.board.checkAllReady}</p>
        </section>
      )}
      <section className="figures">
        {figures.map(([label, value]) => (
          <div key={label} className="figure">
            <div className="value">{value}</div>
            <div className="label">{label}</div>
          </div>
        ))}
      </section>
      {seen.length > 0 && (
        <section className="card">
          <h2>{t.alerts.seenTitle}</h2>
          {seen.map((a) => (
            <AlertCard key={a.id} alert={a} />
          ))}
        </section>
      )}
      <div className="board-grid">
        <section className="card">
          <h2>{t.board.windows}</h2>
          <div className="tiles">
            {board.windows.map((w) => (
              <div key={w.number} className={`tile ${!w.open ? 'dim' : w.paused ? (w.paused.tooLong ? 'bad' : 'warn') : ''}`} data-testid={`board-window-${w.number}`}>
                <div className="tile-head">
                  <b>{w.number}</b> {w.name.replace(new RegExp(`^${w.number}号窗口\\s*`), '')} {w.temporary && <span className="tag">{t.today.temporaryMark}</span>}
                </div>
                <div>{windowLine(w, t)}</div>
                {w.clerk && <div className="small">{w.clerk.name ?? w.clerk.number}</div>}
                <div>
                  {w.terminals.map((x) => (
                    <span key={x.terminal} className={`tag ${x.online ? '' : 'warn'}`}>
                      {terminalNameAtWindow(x, w.number, names, language)} {x.online ? t.board.online : t.board.offline}
                      {x.faults.length > 0 ? ` · ${x.faults.map((d) => deviceWords(t, d)).join('、')}` : ''}
                    </span>
                  ))}
                </div>
              </div>
            ))}
          </div>
        </section>
        <section className="card">
          <h2>{t.board.items}</h2>
          <table>
            <thead>
              <tr>
                <th>{t.board.item}</th>
                <th>{t.board.waiting}</th>
                <th>{t.board.longest}</th>
                <th>{t.board.expected}</th>
                <th>{t.board.windowsFor}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.code} className={i.overThreshold ? 'over' : ''} data-testid={`board-item-${i.code}`}>
                  <td>{i.name}</td>
                  <td>{i.waiting}</td>
                  <td>{t.board.minutes(i.longestWaitMinutes)}</td>
                  <td>{i.noWindowOpen ? t.board.noWindow : t.board.minutes(i.expectedWaitMinutes)}</td>
                  <td>{i.windowsOpen}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="card">
          <h2>{t.board.terminals}</h2>
          <table>
            <tbody>
              {board.terminals.map((x) => (
                <tr key={x.terminal} data-testid={`board-terminal-${x.terminal}`}>
                  <td>
                    {names.get(x.terminal)} <span className="small">{x.terminal}</span>
                  </td>
                  <td className={`state ${x.online ? 'online' : 'offline'}`}>
                    {x.online ? t.board.online : t.board.offline}
                    {/* Offline: since when, so that whoever looks knows how long it has been gone (H-04). */}
                    {!x.online && x.lastSeen !== undefined && <span className="small"> · {t.board.lastHeard(times.at(x.lastSeen, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }))}</span>}
                  </td>
                  <td>
                    <Devices terminal={x} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      {!wall && (staff?.role === 'administrator' || staff?.role === 'supervisor') && <Hubs />}
      {!wall && (staff?.role === 'administrator' || staff?.role === 'supervisor') && <ChannelList />}
    </div>
  );
}

import { useEffect, useState } from 'react';
import { api } from './api';
import { ErrorLine, useConsole } from './App';
import { channelName, noticeKindName } from './channel-name';

interface Channel {
  id: string;
  kind: string;
  name?: string;
  enabled: boolean;
  target: string;
  notices: string[];
  departments?: string[];
  backlog: Record<string, number>;
  /** Paused by the hub until then (a rate limit, a failing provider, answers that never came), and why. */
  paused?: { until: number; reason: string };
}

const CHANNELS_LOOK_MS = 10_000;

/** The hall's notification channels (robots, SMS), without their secrets, each with a test message at hand. */
export function ChannelList() {
  const { t, language } = useConsole();
  const [channels, setChannels] = useState<Channel[]>();
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  useEffect(() => {
    let alive = true;
    // Looked at again every few seconds: a channel's backlog and pause change as the hub sends.
    const look = () =>
      api<{ channels: Channel[] }>('GET', '/api/notify/channels')
        .then((r) => alive && setChannels(r.channels))
        .catch((e: unknown) => alive && setError(e));
    void look();
    const timer = setInterval(look, CHANNELS_LOOK_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [note]);
  const test = async (id: string) => {
    setError(undefined);
    setNote('');
    try {
      await api('POST', `/api/notify/channels/${encodeURIComponent(id)}/test`);
      const c = channels?.find((x) => x.id === id);
      setNote(t.channels.sent(c ? channelName(t, c) : id));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="card" data-testid="channels">
      <h2>{t.channels.title}</h2>
      <ErrorLine error={error} />
      {note && <p className="ok">{note}</p>}
      {channels && channels.length === 0 && <p className="small">{t.channels.none}</p>}
      {channels && channels.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t.channels.name}</th>
              <th>{t.channels.kind}</th>
              <th>{t.channels.notices}</th>
              <th>{t.channels.departments}</th>
              <th>{t.channels.backlog}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {channels.map((c) => (
              <tr key={c.id} className={c.enabled ? '' : 'dim'}>
                <td>
                  {channelName(t, c)} <span className="small">{c.target}</span>
                </td>
                <td>{t.channels.kinds[c.kind] ?? c.kind}</td>
                <td>{c.notices.map((n) => noticeKindName(t, n)).join(t.channels.listSeparator)}</td>
                {/* A department's name (and 全部) is never broken across lines; a long list wraps between names. */}
                <td>
                  {(c.departments ?? [t.channels.allDepartments]).map((d, i) => (
                    <span key={d} className="nowrap">
                      {i > 0 ? t.channels.listSeparator : ''}
                      {d}
                    </span>
                  ))}
                </td>
                <td>
                  {Object.entries(c.backlog).map(([state, n]) => `${t.channels.states[state] ?? state} ${n}`).join('，') || '0'}
                  {c.paused && (
                    <div className="tag warn" data-testid={`channel-paused-${c.id}`}>
                      {t.channels.paused(new Date(c.paused.until).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }), t.channels.pauseReasons[c.paused.reason] ?? t.channels.pauseFailed)}
                    </div>
                  )}
                </td>
                <td>
                  <button className="ghost" disabled={!c.enabled} onClick={() => void test(c.id)}>
                    {t.channels.test}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

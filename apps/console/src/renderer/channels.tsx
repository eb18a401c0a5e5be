import { useEffect, useState } from 'react';
import { api } from './api';
import { ErrorLine, useConsole } from './App';

interface Channel {
  id: string;
  kind: string;
  name?: string;
  enabled: boolean;
  target: string;
  notices: string[];
  departments?: string[];
  backlog: Record<string, number>;
}

/** The hall's notification channels (robots, SMS), without their secrets, each with a test message at hand. */
export function ChannelList() {
  const { t } = useConsole();
  const [channels, setChannels] = useState<Channel[]>();
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  useEffect(() => {
    api<{ channels: Channel[] }>('GET', '/api/notify/channels')
      .then((r) => setChannels(r.channels))
      .catch(setError);
  }, [note]);
  const test = async (id: string) => {
    setError(undefined);
    setNote('');
    try {
      await api('POST', `/api/notify/channels/${encodeURIComponent(id)}/test`);
      setNote(t.channels.sent(id));
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
                  {c.name ?? c.id} <span className="small">{c.target}</span>
                </td>
                <td>{t.channels.kinds[c.kind] ?? c.kind}</td>
                <td>{c.notices.map((n) => t.alerts.kinds[n] ?? t.channels.noticeKinds[n] ?? n).join('、')}</td>
                {/* A department's name (and 全部) is never broken across lines; a long list wraps between names. */}
                <td>
                  {(c.departments ?? [t.channels.allDepartments]).map((d, i) => (
                    <span key={d} className="nowrap">
                      {i > 0 ? '、' : ''}
                      {d}
                    </span>
                  ))}
                </td>
                <td>{Object.entries(c.backlog).map(([state, n]) => `${t.channels.states[state] ?? state} ${n}`).join('，') || '0'}</td>
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

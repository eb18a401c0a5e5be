import { alertNotice, AlertSubjectSchema, isHubClockOff, terminalNames, type NamedTerminal } from '@servicehall/core';
import { checkNotice, renderNotice } from '@servicehall/notify/render';
import type { Breakdown, Report, ReportRow } from '@servicehall/reports';
import { useCallback, useEffect, useState } from 'react';
import { isSilent } from '../attention';
import type { HallSummary } from '../server/server';
import { formatTime, STRINGS, type Language, type Strings } from './i18n';

interface Account {
  id: string;
  name: string;
  role: 'city' | 'hall';
  hall?: string;
}

interface Alert {
  id: string;
  at: number;
  kind: keyof Strings['hall']['kinds'];
  subject: Record<string, unknown>;
  cleared: boolean;
}

interface HallDetail {
  hall: string;
  name: string;
  today: string;
  report: Report;
  alerts: Alert[];
  /** The hall's terminals as its hub knows them (none from a hub that has not shipped them yet). */
  terminals?: NamedTerminal[];
  /** The hall's service items by code, with their names (none from a hub that has not shipped them yet). */
  items?: { code: string; name: string; nameEn?: string }[];
}

class Problem extends Error {
  constructor(
    readonly status: number,
    /** Seconds until the server takes the request again (its Retry-After: a sign-in locked after wrong passwords). */
    readonly retryAfter?: number,
  ) {
    super(`HTTP ${status}`);
  }
}

/** Told when the server no longer knows the session a request went with (its 12 hours or 30 idle minutes are over). */
let sessionEnded = () => {};

async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // A sign-in's 401 is a wrong password, the first look's 401 is no session yet: any other is a session that ended.
  if (res.status === 401 && path !== '/api/login' && path !== '/api/session') sessionEnded();
  if (!res.ok) throw new Problem(res.status, Number(res.headers.get('retry-after')) || undefined);
  return (await res.json()) as T;
}

const percent = (x: number | undefined) => (x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

/**
 * What an alert says, in the words the hall's notices use (packages/notify), each terminal by the name the hall's
 * console gives it (`names`: 取号机 2, 1号窗口评价器; its id where the hall's terminals do not name it); nothing
 * for a subject those do not know.
 */
function alertWords(a: Alert, language: Language, names: ReadonlyMap<string, string>): string | undefined {
  // A subject of another shape (a hub newer than this view) is named as it is, and said only if the notices know it.
  const subject = AlertSubjectSchema.safeParse(a.subject);
  const checked = checkNotice(subject.success ? alertNotice(subject.data, names) : a.subject, language);
  return checked.ok ? renderNotice(checked.notice, language).text : undefined;
}

function Login({ t, onIn, expired }: { t: Strings; onIn: (a: Account) => void; expired: boolean }) {
  const [id, setId] = useState('');
  const [password, setPassword] = useState('');
  // What the last try came to: a wrong account or password, or the account locked after too many.
  const [wrong, setWrong] = useState<string>();
  return (
    <form
      className="card login"
      onSubmit={(e) => {
        e.preventDefault();
        api<{ account: Account }>('/api/login', { id, password })
          .then((r) => onIn(r.account))
          .catch((e: unknown) =>
            // The city's database away (503) or the server unreachable is not a wrong password: it says so, and the password stays right.
            setWrong(e instanceof Problem && e.status === 429 ? t.login.locked(e.retryAfter ?? 60) : e instanceof Problem && e.status === 401 ? t.login.wrong : t.unavailable),
          );
      }}
    >
      <h1>{t.login.title}</h1>
      {expired && !wrong && (
        <p className="notice" data-testid="session-ended">
          {t.login.expired}
        </p>
      )}
      <label>
        {t.login.id}
        <input value={id} onChange={(e) => setId(e.target.value)} autoComplete="username" name="id" />
      </label>
      <label>
        {t.login.password}
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" name="password" />
      </label>
      {wrong && (
        <p className="notice" {...(wrong === t.unavailable ? { 'data-testid': 'city-unavailable' } : {})}>
          {wrong}
        </p>
      )}
      <button type="submit">{t.login.submit}</button>
    </form>
  );
}

/** How often the view asks again for what it shows. */
const REFRESH_MS = 30_000;

/** How soon the view asks again for its session while the city's database cannot be reached. */
const SESSION_RETRY_MS = 10_000;

const clockOff = (h: HallSummary) => h.clockAheadSeconds !== undefined && isHubClockOff(h.clockAheadSeconds * 1000);

function Halls({ t, language, halls, open }: { t: Strings; language: Language; halls: HallSummary[]; open: (hall: string) => void }) {
  if (halls.length === 0) return <p className="notice">{t.halls.none}</p>;
  return (
    <section className="card">
      <h2>{t.halls.title}</h2>
      <table data-testid="halls">
        <thead>
          <tr>
            <th>{t.halls.hall}</th>
            <th>{t.halls.issued}</th>
            <th>{t.halls.served}</th>
            <th>{t.halls.waiting}</th>
            <th>{t.halls.waitP90}</th>
            <th>{t.halls.rated}</th>
            <th>{t.halls.satisfaction}</th>
            <th>{t.halls.bad}</th>
            <th>{t.halls.alerts}</th>
            <th>{t.halls.behind}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {halls.map((h) => (
            <tr key={h.hall} data-hall={h.hall}>
              <td>
                <b>{h.name}</b>
                <div className="muted">{h.hall}</div>
                {(h.attention ?? []).length > 0 && (
                  <div className="attention" data-testid="attention">
                    {t.halls.attention(h.attention.includes('silent') ? (h.unheardSeconds ?? 0) : undefined, h.attention.includes('alerts') ? h.unhandledAlerts : undefined)}
                  </div>
                )}
                {clockOff(h) && (
                  <div className="clock-off" data-testid="clock-off">
                    {t.halls.clockOff(h.clockAheadSeconds!)}
                  </div>
                )}
              </td>
              <td>{h.today.issued}</td>
              <td>{h.today.served}</td>
              <td>{t.halls.minutes(h.today.waitMedianS)}</td>
              <td>{t.halls.minutes(h.today.waitP90S)}</td>
              <td>{h.today.rated}</td>
              <td>{percent(h.today.satisfactionRate)}</td>
              <td className={h.today.badRatings > 0 ? 'warn' : undefined}>{h.today.badRatings}</td>
              <td className={h.unhandledAlerts > 0 ? 'bad' : undefined}>{h.unhandledAlerts}</td>
              {isSilent(h) ? (
                <td className="warn silent">{t.halls.silentSince(formatTime(Date.parse(h.seenAt!), language))}</td>
              ) : (
                <td>{h.behindEvents === 0 ? t.halls.upToDate : t.halls.behindBy(h.behindEvents)}</td>
              )}
              <td>
                <button onClick={() => open(h.hall)}>{t.halls.open}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A report row's name; an item by the hall's name for it (`items`: code → name), by its code where the hall no longer has it. */
function rowName(t: Strings, r: ReportRow, breakdown: Breakdown, items: ReadonlyMap<string, string>): string {
  const k = r.key;
  if (breakdown === 'window') return k.window ? t.hall.window(k.window) : t.hall.noWindow;
  if (breakdown === 'clerk') return k.clerk || '—';
  if (breakdown === 'item') return k.serviceCode ? (items.get(k.serviceCode) ?? k.serviceCode) : t.hall.noItem;
  if (breakdown === 'department') return k.department || '—';
  if (breakdown === 'hour') return `${k.hour}:00`;
  if (breakdown === 'day') return k.day ?? '';
  if (breakdown === 'dayHour') return `${k.day} ${k.hour}:00`;
  return t.hall.total;
}

function Hall({ t, language, hall, back }: { t: Strings; language: Language; hall: string; back?: () => void }) {
  const [breakdown, setBreakdown] = useState<Breakdown>('window');
  const [period, setPeriod] = useState<{ from?: string; to?: string }>({});
  const [detail, setDetail] = useState<HallDetail>();
  // Why the hall is not shown: another hall's, one the city holds nothing of, or the city's database away.
  const [problem, setProblem] = useState<'forbidden' | 'not-shipped' | 'unavailable'>();
  // A period the server will not take (the first day after the last, over three years): said by the dates, which stay to be put right.
  const [badPeriod, setBadPeriod] = useState(false);
  // Asked again every REFRESH_MS, as the list of halls is: a hall's administrator's only view, left open, follows the day.
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setAsked((n) => n + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    const q = new URLSearchParams({ breakdown, ...(period.from ? { from: period.from } : {}), ...(period.to ? { to: period.to } : {}) });
    api<HallDetail>(`/api/halls/${encodeURIComponent(hall)}?${q}`)
      .then((d) => {
        setDetail(d);
        setProblem(undefined);
        setBadPeriod(false);
      })
      .catch((e: unknown) => {
        if (e instanceof Problem && e.status === 400 && detail) return setBadPeriod(true);
        // A hall the city holds nothing of (its hub has not shipped yet, or ships under another code) is not a database that is down.
        setProblem(e instanceof Problem && e.status === 403 ? 'forbidden' : e instanceof Problem && e.status === 404 ? 'not-shipped' : 'unavailable');
      });
    // The last detail is what a bad period leaves shown, not a reason to ask again.
  }, [hall, breakdown, period, t, asked]); // eslint-disable-line react-hooks/exhaustive-deps
  if (problem)
    return (
      <p className="notice" data-testid={problem === 'unavailable' ? 'city-unavailable' : problem === 'not-shipped' ? 'hall-not-shipped' : undefined}>
        {problem === 'forbidden' ? t.hall.forbidden : problem === 'not-shipped' ? t.hall.notShipped(hall) : t.unavailable}
      </p>
    );
  if (!detail) return null;
  const rows = [...detail.report.rows, detail.report.total];
  const names = terminalNames(detail.terminals ?? [], language);
  const items = new Map((detail.items ?? []).map((i) => [i.code, (language === 'en' && i.nameEn) || i.name]));
  return (
    <>
      {back && (
        <button className="link" onClick={back}>
          ← {t.hall.back}
        </button>
      )}
      <h1>
        {detail.name} <span className="muted">{detail.hall}</span>
      </h1>
      <section className="card">
        <h2>{t.hall.alerts}</h2>
        {detail.alerts.length === 0 ? (
          <p className="muted">{t.hall.noAlerts}</p>
        ) : (
          <ul className="alerts" data-testid="alerts">
            {detail.alerts.map((a) => (
              <li key={a.id}>
                <span className="tag bad">{t.hall.kinds[a.kind] ?? a.kind}</span> <span className="muted">{formatTime(a.at, language)}</span> {alertWords(a, language, names)} {a.cleared ? <span className="muted">（{t.hall.cleared}）</span> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card">
        <div className="controls">
          <label>
            {t.hall.period}
            <input type="date" value={period.from ?? detail.report.spec.from} onChange={(e) => setPeriod({ ...period, from: e.target.value })} />
            —
            <input type="date" value={period.to ?? detail.report.spec.to} onChange={(e) => setPeriod({ ...period, to: e.target.value })} />
          </label>
          <label>
            {t.hall.breakdown}
            <select value={breakdown} onChange={(e) => setBreakdown(e.target.value as Breakdown)}>
              {(Object.keys(t.hall.breakdowns) as Breakdown[]).map((b) => (
                <option key={b} value={b}>
                  {t.hall.breakdowns[b]}
                </option>
              ))}
            </select>
          </label>
        </div>
        {badPeriod && (
          <p className="notice" data-testid="bad-period">
            {t.hall.badPeriod}
          </p>
        )}
        <table data-testid="report">
          <thead>
            <tr>
              <th>{t.hall.breakdowns[breakdown]}</th>
              {breakdown === 'item' ? <th>{t.hall.breakdowns.department}</th> : null}
              <th>{t.halls.issued}</th>
              <th>{t.halls.served}</th>
              <th>{t.hall.noShows}</th>
              <th>{t.halls.waiting}</th>
              <th>{t.halls.waitP90}</th>
              <th>{t.halls.rated}</th>
              <th>{t.halls.satisfaction}</th>
              <th>{t.halls.bad}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} className={i === rows.length - 1 ? 'total' : undefined}>
                <td>{i === rows.length - 1 ? t.hall.total : rowName(t, r, breakdown, items)}</td>
                {/* An item's rows are by item and department (the rows of no item, one a department), as the console shows them. */}
                {breakdown === 'item' ? <td>{i === rows.length - 1 ? '' : r.key.department || '—'}</td> : null}
                <td>{r.issued}</td>
                <td>{r.served}</td>
                <td>{r.noShows}</td>
                <td>{t.halls.minutes(r.waitMedianS)}</td>
                <td>{t.halls.minutes(r.waitP90S)}</td>
                <td>{r.rated}</td>
                <td>{percent(r.satisfactionRate)}</td>
                <td>{r.badRatings}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

export function App() {
  const [language, setLanguage] = useState<Language>(() => (localStorage.getItem('city-language') === 'en' ? 'en' : 'zh-CN'));
  const t = STRINGS[language];
  const [account, setAccount] = useState<Account | null>();
  const [halls, setHalls] = useState<HallSummary[]>();
  const [hall, setHall] = useState<string | undefined>(() => decodeURIComponent(/^#\/hall\/(.+)$/.exec(location.hash)?.[1] ?? '') || undefined);
  const [down, setDown] = useState(false);
  // The session ended while the view was open: the sign-in page says so.
  const [expired, setExpired] = useState(false);
  useEffect(() => {
    sessionEnded = () => {
      setExpired(true);
      setAccount(null);
    };
  }, []);
  useEffect(() => {
    let retry: ReturnType<typeof setTimeout> | undefined;
    // No session is the sign-in page; the city's database away is said, and asked again until it is back.
    const check = () =>
      api<{ account: Account }>('/api/session')
        .then((r) => {
          setAccount(r.account);
          setDown(false);
        })
        .catch((e: unknown) => {
          if (e instanceof Problem && e.status === 401) return setAccount(null);
          setDown(true);
          retry = setTimeout(check, SESSION_RETRY_MS);
        });
    void check();
    return () => clearTimeout(retry);
  }, []);
  const load = useCallback(() => {
    api<{ halls: HallSummary[] }>('/api/halls')
      .then((r) => {
        setHalls(r.halls);
        setDown(false);
      })
      .catch(() => setDown(true));
  }, []);
  useEffect(() => {
    if (!account) return;
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [account, load]);
  const open = (h: string | undefined) => {
    setHall(h);
    history.replaceState(null, '', h ? `#/hall/${encodeURIComponent(h)}` : '#/');
  };
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = `${t.title} · ServiceHall`;
  }, [language, t]);
  if (account === undefined && !down) return null;
  const shownHall = account?.role === 'hall' ? account.hall : hall;
  return (
    <div className="page">
      <header>
        <b>{t.title}</b>
        <span className="spacer" />
        {account && (
          <span>
            {account.name} · {t.roles[account.role]}
          </span>
        )}
        <button
          className="link"
          onClick={() => {
            const next = language === 'en' ? 'zh-CN' : 'en';
            localStorage.setItem('city-language', next);
            setLanguage(next);
          }}
        >
          {t.language}
        </button>
        {account && (
          <button className="link" onClick={() => void api('/api/logout', {}).then(() => setAccount(null))}>
            {t.signOut}
          </button>
        )}
      </header>
      <main>
        {account === undefined ? (
          <p className="notice" data-testid="city-unavailable">
            {t.unavailable}
          </p>
        ) : !account ? (
          <Login
            t={t}
            expired={expired}
            onIn={(a) => {
              setExpired(false);
              setAccount(a);
            }}
          />
        ) : down ? (
          <p className="notice" data-testid="city-unavailable">
            {t.unavailable}
          </p>
        ) : shownHall ? (
          <Hall t={t} language={language} hall={shownHall} {...(account.role === 'city' ? { back: () => open(undefined) } : {})} />
        ) : halls ? (
          <Halls t={t} language={language} halls={halls} open={open} />
        ) : null}
      </main>
    </div>
  );
}

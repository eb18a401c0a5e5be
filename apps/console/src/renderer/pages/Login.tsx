import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api, ApiError } from '../api';
import { ErrorLine, useConsole, type SignedIn } from '../App';

export function LoginPage() {
  const { t, status, staff, signedIn, refreshStatus, language, setLanguage, sessionEnded } = useConsole();
  const navigate = useNavigate();
  // The page the console was on when its session ended (or a link followed before signing in).
  const from = (useLocation().state as { from?: string } | null)?.from;
  const [id, setId] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  const [first, setFirst] = useState({ setupCode: '', id: 'admin', name: '', password: '' });

  if (staff?.mustChange)
    return (
      <div className="center">
        <div className="card narrow">
          <h1>{t.password.title}</h1>
          <p className="notice">{t.password.mustChange}</p>
          <PasswordForm clerk={staff.role === 'clerk'} onDone={() => navigate(staff.role === 'clerk' ? '/password' : '/')} />
        </div>
      </div>
    );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const r = await api<{ staff: SignedIn; csrf: string }>('POST', '/api/console/login', { id: id.trim(), password });
      signedIn(r.staff, r.csrf);
      // Back to that page, unless someone else signs in at this computer.
      const back = from && (sessionEnded === undefined || sessionEnded === r.staff.id) ? from : undefined;
      if (!r.staff.mustChange) navigate(back ?? (r.staff.role === 'clerk' ? '/password' : '/'));
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'locked' && err.retryAfterSeconds ? new Error(t.login.locked(err.retryAfterSeconds)) : err instanceof ApiError && err.code === 'unauthorised' ? new Error(t.login.wrong) : err);
    }
  };

  const makeFirst = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('POST', '/api/console/first-admin', first);
      setNote(t.login.created);
      setId(first.id);
      await refreshStatus();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div className="center">
      <div className="card narrow">
        <div className="row spread">
          <h1>{status?.hallName || 'ServiceHall'}</h1>
          <button className="ghost" onClick={() => setLanguage(language === 'zh-CN' ? 'en' : 'zh-CN')}>
            {t.language}
          </button>
        </div>
        {status && !status.configured && <p className="notice">{t.overview.unconfigured}</p>}
        {status?.needsFirstAdmin ? (
          <form onSubmit={makeFirst}>
            <h2>{t.login.firstAdmin}</h2>
            <p>{t.login.firstAdminLead}</p>
            <label>
              {t.login.setupCode}
              <input name="setupCode" inputMode="numeric" value={first.setupCode} onChange={(e) => setFirst({ ...first, setupCode: e.target.value.trim() })} />
            </label>
            <label>
              {t.login.id}
              <input name="firstId" value={first.id} onChange={(e) => setFirst({ ...first, id: e.target.value })} />
            </label>
            <label>
              {t.login.name}
              <input name="firstName" value={first.name} onChange={(e) => setFirst({ ...first, name: e.target.value })} />
            </label>
            <label>
              {t.password.next}
              <input name="firstPassword" type="password" value={first.password} onChange={(e) => setFirst({ ...first, password: e.target.value })} />
              <small>{t.password.rule}</small>
            </label>
            <ErrorLine error={error} />
            <button type="submit">{t.login.create}</button>
          </form>
        ) : (
          <form onSubmit={submit}>
            <h2>{t.login.title}</h2>
            {sessionEnded !== undefined && (
              <p className="notice" role="status" data-testid="session-ended">
                {t.login.sessionEnded}
              </p>
            )}
            {note && <p className="ok">{note}</p>}
            <label>
              {t.login.id}
              <input name="id" autoComplete="username" value={id} onChange={(e) => setId(e.target.value)} />
            </label>
            <label>
              {t.login.password}
              <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
            </label>
            <ErrorLine error={error} />
            <button type="submit">{t.login.submit}</button>
          </form>
        )}
      </div>
    </div>
  );
}

export function PasswordForm({ clerk, onDone }: { clerk: boolean; onDone?: () => void }) {
  const { t, staff, signedIn, language, times, hubNow } = useConsole();
  const [form, setForm] = useState({ current: '', next: '', again: '' });
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setDone(false);
    if (form.next !== form.again) return setError(new Error(t.password.mismatch));
    try {
      await api('POST', '/api/console/password', { current: form.current, next: form.next });
      const s = await api<{ staff: SignedIn; csrf: string }>('GET', '/api/console/session');
      signedIn(s.staff, s.csrf);
      setForm({ current: '', next: '', again: '' });
      setDone(true);
      onDone?.();
    } catch (err) {
      // The hub's general sentences speak of terminals' tokens and of requests: this form says what was wrong with it,
      // in the hub's own words where it has them (too short, too long, no digit), else in the rule's.
      // A session that has ended is refused 'unauthorised' too, with its own reason and words: that is not a wrong password.
      const code = err instanceof ApiError ? err.code : '';
      const sessionEnded = err instanceof ApiError && err.body.reason === 'signed-out';
      const lockedFor = err instanceof ApiError && code === 'locked' ? err.retryAfterSeconds : undefined;
      const until = lockedFor !== undefined ? times.clock(hubNow() + lockedFor * 1000) : '';
      setError(
        lockedFor !== undefined
          ? new Error(t.password.locked(until, Math.ceil(lockedFor / 60)))
          : code === 'unauthorised' && !sessionEnded
            ? new Error(t.password.wrongCurrent)
            : code === 'bad-request' && !(err instanceof ApiError && typeof err.body.text === 'string' && !err.problems.length)
              ? new Error(clerk ? t.password.refusedClerk : t.password.refused)
              : err,
      );
    }
  };
  return (
    <form onSubmit={submit}>
      <label>
        {t.password.current}
        <input name="current" type="password" value={form.current} onChange={(e) => setForm({ ...form, current: e.target.value })} />
      </label>
      <label>
        {t.password.next}
        <input name="next" type="password" inputMode={clerk ? 'numeric' : undefined} value={form.next} onChange={(e) => setForm({ ...form, next: e.target.value })} />
        <small>{clerk ? t.password.ruleClerk : t.password.rule}</small>
      </label>
      <label>
        {t.password.again}
        <input name="again" type="password" inputMode={clerk ? 'numeric' : undefined} value={form.again} onChange={(e) => setForm({ ...form, again: e.target.value })} />
      </label>
      <ErrorLine error={error} />
      {done && <p className="ok">{t.password.saved}</p>}
      <button type="submit" disabled={!staff}>
        {t.password.save}
      </button>
    </form>
  );
}

export function PasswordPage() {
  const { t, staff } = useConsole();
  return (
    <section className="card narrow">
      <h1>{t.password.title}</h1>
      <PasswordForm clerk={staff?.role === 'clerk'} />
    </section>
  );
}

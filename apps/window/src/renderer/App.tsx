import type { ConnectionState } from '@servicehall/protocol';
import { useHubNow, useNow } from '@servicehall/agent/renderer';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Desk, Done, EmergencyDesk, WindowShape } from '../shared/api';
import { bridge } from './bridge';
import { answerText, signInErrorText, signOutErrorText, stringsFor, type WindowStrings } from '../shared/strings';
import { OutOfOrderDialog, PauseDialog, TransferDialog } from './dialogs';
import { CasesPanel, CurrentPanel, HeldPanel, NeighboursPanel, QueuePanel, RatingPanel } from './panels';
import { ServePanel } from './serve';


function useTopic<K extends keyof WindowShape['topics'] & string>(topic: K): WindowShape['topics'][K] | undefined {
  const [value, setValue] = useState<WindowShape['topics'][K]>();
  useEffect(() => bridge.on(topic, (v) => setValue(() => v)), [topic]);
  return value;
}


type Action = 'callNext' | 'recall' | 'start' | 'finish' | 'noShow' | 'hold';
type Dialog = { kind: 'transfer' } | { kind: 'pause' } | { kind: 'outOfOrder'; ticketId: string; number: string } | undefined;

export interface Toast {
  ok: boolean;
  text: string;
  at: number;
}

export function App() {
  const [language, setLanguage] = useState<string>('zh-CN');
  useEffect(() => {
    bridge.call('hello').then((h) => setLanguage(h.language), () => undefined);
  }, []);
  const t = stringsFor(language);
  const desk = useTopic('desk');
  const link = useTopic('link');
  const emergency = useTopic('emergency');
  const hubNow = useHubNow(bridge);
  if (emergency?.active) return <Emergency t={t} emergency={emergency} desk={desk ?? undefined} hubNow={hubNow} />;
  if (!desk) return <Loading t={t} link={link} />;
  if (!desk.open) return <SignIn t={t} desk={desk} link={link} />;
  return <Main t={t} desk={desk} link={link} hubNow={hubNow} />;
}

/** 应急模式: the clerk calls the number typed from the ticket and records the outcome; the window keeps it until the hub takes it in. */
function Emergency({ t, emergency, desk, hubNow }: { t: WindowStrings; emergency: EmergencyDesk; desk?: Desk; hubNow: () => number }) {
  const e = t.emergency;
  const [number, setNumber] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const now = useNow(hubNow);
  const run = async (call: () => Promise<Done>) => {
    if (busy) return;
    setBusy(true);
    const r = await call().catch((): Done => ({ ok: false, code: 'internal', message: '' }));
    setBusy(false);
    setError(r.ok ? undefined : r.code === 'invalid' ? e.invalidNumber : answerText(t, r));
    if (r.ok) setNumber('');
  };
  const current = emergency.current;
  const time = (at: number) => new Date(at).toLocaleTimeString(language(t), { timeZone: desk?.timeZone ?? 'Asia/Shanghai', hour12: false, hour: '2-digit', minute: '2-digit' });
  return (
    <main className="emergency" data-testid="emergency">
      <div className="emergency-banner" role="alert">
        <strong>{e.title}</strong>
        <span>{e.message}</span>
      </div>
      <header>
        <div className="title">
          <span className="window-no">{t.windowLabel(emergency.window)}</span>
          {desk ? <span className="window-name">{desk.window.department ?? desk.window.name}</span> : null}
          {desk ? <span className="hall">{desk.hallName}</span> : null}
        </div>
        <div className="header-right">
          <span className="clerk">{emergency.clerk ? t.clerkLabel(emergency.clerk, desk?.clerk?.number === emergency.clerk ? desk.clerk.name : undefined) : ''}</span>
          <time>{new Date(now).toLocaleTimeString(language(t), { timeZone: desk?.timeZone ?? 'Asia/Shanghai', hour12: false })}</time>
        </div>
      </header>
      <section className="emergency-current">
        <h2>{e.current}</h2>
        {current ? (
          <>
            <div className="emergency-number" data-testid="emergency-number">
              {current.number}
            </div>
            <div className="emergency-state">
              {e.state[current.state]} · {time(current.calledAt)}
            </div>
            <div className="emergency-actions">
              {current.state === 'called' ? (
                <button className="primary big" disabled={busy} onClick={() => run(() => bridge.call('emergencyStart'))} data-testid="emergency-start">
                  {e.start}
                </button>
              ) : null}
              <button className="primary big" disabled={busy} onClick={() => run(() => bridge.call('emergencyEnd', { end: 'finished' }))} data-testid="emergency-finish">
                {e.finish}
              </button>
              {current.state === 'called' ? (
                <button className="big" disabled={busy} onClick={() => run(() => bridge.call('emergencyEnd', { end: 'noShow' }))} data-testid="emergency-no-show">
                  {e.noShow}
                </button>
              ) : null}
            </div>
          </>
        ) : (
          <form
            className="emergency-call"
            onSubmit={(ev) => {
              ev.preventDefault();
              void run(() => bridge.call('emergencyCall', { number }));
            }}
          >
            <label>
              {e.typeNumber}
              <input name="number" autoFocus autoComplete="off" value={number} placeholder={e.placeholder} maxLength={8} onChange={(ev) => {
                  setNumber(ev.target.value.toUpperCase());
                  setError(undefined);
                }} data-testid="emergency-input" />
            </label>
            <button type="submit" className="primary big" disabled={busy || number.trim() === ''} data-testid="emergency-call">
              {e.call}
            </button>
            <p className="hint">{e.none}</p>
          </form>
        )}
        {error ? (
          <p className="error" role="alert" data-testid="emergency-error">
            {error}
          </p>
        ) : null}
      </section>
      <section className="emergency-recent">
        <h2>{e.recent}</h2>
        {emergency.recent.length === 0 ? <p className="hint">{e.recentEmpty}</p> : null}
        <ul>
          {emergency.recent.map((c) => (
            <li key={`${c.number}-${c.calledAt}`}>
              <span className="number">{c.number}</span>
              <span className={`state ${c.state}`}>{e.state[c.state]}</span>
              <time>{time(c.calledAt)}</time>
            </li>
          ))}
        </ul>
        <p className="waiting" data-testid="emergency-waiting">
          {emergency.waiting > 0 ? e.waiting(emergency.waiting) : e.allIn}
        </p>
      </section>
    </main>
  );
}

function Loading({ t, link }: { t: WindowStrings; link?: ConnectionState }) {
  return (
    <main className="loading">
      <h1>{t.appName}</h1>
      <LinkBadge t={t} link={link} />
    </main>
  );
}

function SignIn({ t, desk, link }: { t: WindowStrings; desk: Desk; link?: ConnectionState }) {
  const [clerk, setClerk] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!/^[0-9A-Za-z]{1,16}$/.test(clerk.trim()) || !/^\d{4,8}$/.test(pin)) return setError(t.signInErrors.missing);
    setBusy(true);
    setError(undefined);
    const r = await bridge.call('signIn', { clerk: clerk.trim(), pin }).catch((): Done => ({ ok: false, code: 'internal', message: '' }));
    setBusy(false);
    setPin('');
    if (r.ok) return;
    setError(signInErrorText(t, r));
  };
  return (
    <main className="sign-in" data-testid="sign-in">
      <form className="sign-in-card" onSubmit={submit}>
        <div className="hall">{desk.hallName}</div>
        <h1>
          {desk.window.name.startsWith(`${desk.window.number}号`) ? desk.window.name : `${t.windowLabel(desk.window.number)} ${desk.window.name}`}
          {desk.window.department && !desk.window.name.includes(desk.window.department) ? <span className="dept"> · {desk.window.department}</span> : null}
        </h1>
        <h2>{t.signInTitle}</h2>
        {desk.dayEndedAt !== undefined ? (
          <p className="notice" data-testid="day-ended">
            {t.dayEndedNotice(new Date(desk.dayEndedAt).toLocaleTimeString(language(t), { timeZone: desk.timeZone, hour12: false, hour: '2-digit', minute: '2-digit' }))}
          </p>
        ) : null}
        <p className="hint">{t.signInHint}</p>
        <label>
          {t.clerkNumber}
          <input name="clerk" autoFocus autoComplete="off" inputMode="numeric" value={clerk} onChange={(e) => setClerk(e.target.value)} maxLength={16} />
        </label>
        <label>
          {t.pin}
          <input name="pin" type="password" inputMode="numeric" value={pin} onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))} maxLength={8} />
        </label>
        {error ? (
          <p className="error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary big" disabled={busy}>
          {busy ? t.signingIn : t.signIn}
        </button>
        <LinkBadge t={t} link={link} />
      </form>
    </main>
  );
}

function Main({ t, desk, link, hubNow }: { t: WindowStrings; desk: Desk; link?: ConnectionState; hubNow: () => number }) {
  const [dialog, setDialog] = useState<Dialog>();
  const [toast, setToast] = useState<Toast>();
  const [busy, setBusy] = useState(false);
  const now = useNow(hubNow);
  const say = useCallback((ok: boolean, text: string) => setToast({ ok, text, at: Date.now() }), []);

  // One action at a time: a second key while the first is on its way is not a second call.
  const inFlight = useRef(false);
  const perform = useCallback(
    async (action: Action) => {
      if (inFlight.current) return;
      inFlight.current = true;
      setBusy(true);
      const before = desk.current?.number;
      const r = await bridge.call(action).catch((): Done => ({ ok: false, code: 'internal', message: '' }));
      inFlight.current = false;
      setBusy(false);
      if (r.ok) say(true, t.done[action](r.ticket ?? before));
      else say(false, answerText(t, r));
    },
    [desk.current?.number, say, t],
  );

  const paused = desk.pausedSince !== undefined;
  const deskRef = useRef(desk);
  deskRef.current = desk;
  // Read by the key handler at the moment of the key, never from an older render.
  const dialogOpen = useRef(false);
  dialogOpen.current = dialog !== undefined;
  useEffect(() => {
    const keys: Record<string, () => void> = {
      F1: () => void perform('callNext'),
      F2: () => void perform('recall'),
      F3: () => void perform('start'),
      F4: () => void perform('finish'),
      F5: () => void perform('noShow'),
      F6: () => void perform('hold'),
      F7: () => deskRef.current.current && setDialog({ kind: 'transfer' }),
      F8: () => (deskRef.current.pausedSince !== undefined ? void resume() : setDialog({ kind: 'pause' })),
    };
    const resume = async () => {
      const r = await bridge.call('resume');
      say(r.ok, r.ok ? t.done.resume() : answerText(t, r));
    };
    const onKey = (e: KeyboardEvent) => {
      const run = keys[e.key];
      if (!run) return;
      // The function keys are the clerk's: the browser's own meaning (help, reload) never applies here.
      e.preventDefault();
      // A dialog of a panel (the breach warning) holds the keys as the desk's own dialogs do.
      if (dialogOpen.current || document.querySelector('[aria-modal="true"]')) return;
      if (deskRef.current.pausedSince !== undefined && e.key !== 'F8') return;
      run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [perform, say, t]);

  const signOut = async () => {
    const r = await bridge.call('signOut');
    if (!r.ok) say(false, signOutErrorText(t, r, deskRef.current.current !== undefined));
  };
  const resume = async () => {
    const r = await bridge.call('resume');
    say(r.ok, r.ok ? t.done.resume() : answerText(t, r));
  };

  return (
    <main className="desk" data-testid="desk" data-seq={desk.seq} data-paused={paused ? 'yes' : 'no'} data-busy={busy ? 'yes' : 'no'}>
      <header>
        <div className="title">
          <span className="window-no">{t.windowLabel(desk.window.number)}</span>
          <span className="window-name">{desk.window.department ?? desk.window.name}</span>
          <span className="hall">{desk.hallName}</span>
        </div>
        <div className="header-right">
          <Devices t={t} desk={desk} />
          <LinkBadge t={t} link={link} />
          <span className="clerk" data-testid="clerk">
            {desk.clerk ? t.clerkLabel(desk.clerk.number, desk.clerk.name) : ''}
          </span>
          <time>{new Date(now).toLocaleTimeString(language(t), { timeZone: desk.timeZone, hour12: false })}</time>
          {paused ? (
            <button onClick={resume} className="primary" data-testid="resume">
              <kbd>F8</kbd>
              {t.resume}
            </button>
          ) : (
            <button onClick={() => setDialog({ kind: 'pause' })} data-testid="pause">
              <kbd>F8</kbd>
              {t.pause}
            </button>
          )}
          <button onClick={signOut} data-testid="sign-out">
            {t.signOut}
          </button>
        </div>
      </header>
      <section className="left">
        <QueuePanel t={t} desk={desk} now={now} onCall={(ticketId, number) => setDialog({ kind: 'outOfOrder', ticketId, number })} />
        <HeldPanel
          t={t}
          desk={desk}
          onCallBack={async (ticketId) => {
            const r = await bridge.call('callTicket', { ticketId });
            say(r.ok, r.ok ? t.done.callTicket(r.ticket) : answerText(t, r));
          }}
        />
      </section>
      <section className="center">
        <CurrentPanel t={t} desk={desk} now={now} />
        <ActionBar t={t} desk={desk} now={now} hubNow={hubNow} busy={busy} perform={perform} openTransfer={() => setDialog({ kind: 'transfer' })} />
        {desk.current?.state === 'serving' ? <ServePanel key={desk.current.id} t={t} desk={desk} say={say} /> : <Hint t={t} desk={desk} />}
        {paused ? <PausedOverlay t={t} desk={desk} now={now} onResume={resume} /> : null}
      </section>
      <section className="right">
        <RatingPanel t={t} desk={desk} />
        <CasesPanel t={t} desk={desk} say={say} />
        <NeighboursPanel t={t} desk={desk} />
      </section>
      <footer>
        <span>{t.shortcutsNote}</span>
        {toast ? (
          <span className={`toast ${toast.ok ? 'ok' : 'bad'}`} role="status" data-testid="toast" key={toast.at}>
            {toast.text}
          </span>
        ) : (
          <span />
        )}
        <span className="privacy">{t.privacyNote}</span>
      </footer>
      {dialog?.kind === 'transfer' && desk.current ? <TransferDialog t={t} desk={desk} close={() => setDialog(undefined)} say={say} /> : null}
      {dialog?.kind === 'pause' ? <PauseDialog t={t} close={() => setDialog(undefined)} say={say} /> : null}
      {dialog?.kind === 'outOfOrder' ? <OutOfOrderDialog t={t} ticketId={dialog.ticketId} number={dialog.number} close={() => setDialog(undefined)} say={say} /> : null}
    </main>
  );
}

const language = (t: WindowStrings) => (t.appName === stringsFor('en').appName ? 'en-GB' : 'zh-CN');

function Hint({ t, desk }: { t: WindowStrings; desk: Desk }) {
  if (desk.current?.state === 'called')
    return (
      <p className="center-hint">
        {t.calledHint}
        {desk.current.remote ? <span className="remote-hint"> {t.remoteHint}</span> : null}
      </p>
    );
  return desk.current ? null : <p className="center-hint">{t.noCurrent}</p>;
}

function ActionBar({ t, desk, now, hubNow, busy, perform, openTransfer }: { t: WindowStrings; desk: Desk; now: number; hubNow: () => number; busy: boolean; perform: (a: Action) => void; openTransfer: () => void }) {
  const c = desk.current;
  const paused = desk.pausedSince !== undefined;
  // The second's tick may be up to a second old: the wait is counted from this moment. The hub's clock as known
  // here may be some milliseconds off, never by enough to wait longer than the hall's cooldown.
  const recallWait = c?.recallReadyAt !== undefined && desk.recallCooldownSeconds > 0 ? Math.min(desk.recallCooldownSeconds, Math.ceil((c.recallReadyAt - Math.max(now, hubNow())) / 1000)) : 0;
  const buttons: { key: string; action: Action | 'transfer'; label: string; enabled: boolean; extra?: string }[] = [
    { key: 'F1', action: 'callNext', label: t.actions.callNext, enabled: !c && !paused && desk.waitingTotal > 0 },
    {
      key: 'F2',
      action: 'recall',
      label: t.actions.recall,
      enabled: c?.state === 'called' && c.recalls < c.recallLimit,
      extra: c?.state === 'called' ? (recallWait > 0 && c.recalls < c.recallLimit ? t.recallIn(recallWait) : t.recallsCount(c.recalls, c.recallLimit)) : undefined,
    },
    { key: 'F3', action: 'start', label: t.actions.start, enabled: c?.state === 'called' },
    { key: 'F4', action: 'finish', label: t.actions.finish, enabled: c?.state === 'serving' },
    { key: 'F5', action: 'noShow', label: t.actions.noShow, enabled: c?.state === 'called' },
    { key: 'F6', action: 'hold', label: t.actions.hold, enabled: !!c },
    { key: 'F7', action: 'transfer', label: t.actions.transfer, enabled: !!c },
  ];
  return (
    <div className="actions" data-testid="actions">
      {buttons.map((b) => (
        <button
          key={b.key}
          data-action={b.action}
          className={b.action === 'callNext' ? 'primary' : b.action === 'finish' ? 'good' : ''}
          disabled={busy || paused || !b.enabled}
          onClick={() => (b.action === 'transfer' ? openTransfer() : perform(b.action))}
        >
          <kbd>{b.key}</kbd>
          <span className="label">{b.label}</span>
          <span className="extra">{b.extra ?? ''}</span>
        </button>
      ))}
    </div>
  );
}

function PausedOverlay({ t, desk, now, onResume }: { t: WindowStrings; desk: Desk; now: number; onResume: () => void }) {
  const ms = Math.max(0, now - (desk.pausedSince ?? now));
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return (
    <div className="paused-overlay" data-testid="paused">
      <h2>{t.pausedTitle}</h2>
      <p className="reason">{t.pausedFor(desk.pauseReason ?? '', minutes, seconds)}</p>
      <p className="hint">{t.pausedHint}</p>
      <button className="primary big" onClick={onResume}>
        <kbd>F8</kbd>
        {t.resume}
      </button>
    </div>
  );
}

function Devices({ t, desk }: { t: WindowStrings; desk: Desk }) {
  const one = (name: string, s: Desk['devices']['printer'], id: string) => {
    const word = s.kind === 'absent' ? t.devices.absent : s.kind === 'ok' ? t.devices.ok : s.kind === 'warning' ? t.devices.warning(s.code) : t.devices.fault(s.code);
    return (
      <span className={`device device-${s.kind}`} data-testid={id}>
        {name}：{word}
      </span>
    );
  };
  return (
    <span className="devices">
      {one(t.devices.printer, desk.devices.printer, 'printer-state')}
      {one(t.devices.display, desk.devices.display, 'display-state')}
    </span>
  );
}

export function LinkBadge({ t, link }: { t: WindowStrings; link?: ConnectionState }) {
  const status = link?.status ?? 'connecting';
  const key = status === 'offline' && link?.status === 'offline' && (link.reason === 'unauthorised' || link.reason === 'unconfigured') ? link.reason : status;
  return (
    <span className={`link link-${status}`} data-testid="link" data-status={status} role="status">
      {t.link[key]}
    </span>
  );
}

import { useHubNow, useNow } from '@servicehall/agent/renderer';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { KioskStatus, Lang, TakeResult, TicketShown } from '../shared/api';
import { IdleWatch, type IdlePhase } from '../shared/idle';
import { refusalSentence } from '../shared/strings';
import { WedgeReader } from '../shared/wedge';
import { bridge, nameIn, translator, useTopic, type T } from './bridge';
import { CheckInScreen, QueryScreen } from './Entry';
import { GuideScreen } from './Guide';
import { HomeScreen } from './Home';
import { PrinterIcon } from './icons';
import { speak } from './speech';
import { OtherWays, RefusalScreen, TakeScreen, TicketScreen, VoidedScreen, WorkingScreen } from './Take';

export type Screen =
  | { name: 'home' }
  | { name: 'guide'; code: string }
  | { name: 'take'; code: string }
  | { name: 'working' }
  | { name: 'ticket'; ticket: TicketShown }
  | { name: 'refusal'; result: Extract<TakeResult, { ok: false }> }
  | { name: 'voided'; number: string }
  | { name: 'checkin' }
  | { name: 'query' };

export function App() {
  const home = useTopic('home');
  const status = useTopic('status');
  const settings = useTopic('settings');
  const link = useTopic('link');
  const [screen, setScreen] = useState<Screen>({ name: 'home' });
  const [lang, setLang] = useState<Lang>('zh-CN');
  const [elderly, setElderly] = useState(false);
  const [homeKey, setHomeKey] = useState(0);
  // Counted by the steady clock: the PC's clock set an hour forward sends nobody home in the middle of a task.
  const [lastTouch] = useState(() => new IdleWatch());
  // The hall's time: the hub's clock (this PC's may be minutes off) in the hall's zone.
  const now = new Date(useNow(useHubNow(bridge), 60_000));
  const timeZone = home?.timeZone ?? 'Asia/Shanghai';
  const t: T = translator(lang);
  const say = useCallback((text: string) => speak(text, lang, elderly), [lang, elderly]);

  useEffect(() => {
    if (settings) setLang(settings.language);
  }, [settings]);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.classList.toggle('elderly', elderly);
  }, [lang, elderly]);

  const goHome = useCallback(() => {
    setScreen({ name: 'home' });
    setHomeKey((k) => k + 1);
  }, []);

  // After a minute without a touch the kiosk asks whether the citizen is still there and counts
  // down; only then is it ready for the next citizen: home, its own language, the standard mode.
  // While the same person goes on (a touch, or 继续), the mode and the page stay.
  const [idle, setIdle] = useState<IdlePhase>({ kind: 'active' });
  const atRest = useRef(true);
  atRest.current = screen.name === 'home' && !elderly && lang === (settings?.language ?? 'zh-CN');
  useEffect(() => {
    const touched = () => lastTouch.touched();
    const events = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;
    for (const e of events) window.addEventListener(e, touched, { passive: true });
    const timer = setInterval(() => {
      const phase = lastTouch.phase({ idleSeconds: settings?.idleSeconds ?? 60, warnSeconds: settings?.idleWarnSeconds ?? 20 }, atRest.current);
      if (phase.kind === 'reset') {
        lastTouch.touched();
        setIdle({ kind: 'active' });
        setElderly(false);
        setLang(settings?.language ?? 'zh-CN');
        goHome();
        return;
      }
      // The warning closes on a click (继续, or anywhere on it), never under a finger: the click must not land on the page behind.
      setIdle((p) => (p.kind === 'warning' && phase.kind === 'active' ? p : JSON.stringify(p) === JSON.stringify(phase) ? p : phase));
    }, 250);
    return () => {
      for (const e of events) window.removeEventListener(e, touched);
      clearInterval(timer);
    };
  }, [settings, goHome, lastTouch]);

  const warning = idle.kind === 'warning';
  useEffect(() => {
    if (warning) say(t('idle.speak'));
  }, [warning]); // eslint-disable-line react-hooks/exhaustive-deps

  const outOfService = status?.outOfService === true;
  // What the citizen in front of the kiosk must still read (their number, a void slip) stays until they leave it.
  const covered = outOfService && screen.name !== 'ticket' && screen.name !== 'voided';
  useEffect(() => {
    if (covered) say(t('speak.oos'));
  }, [covered]); // eslint-disable-line react-hooks/exhaustive-deps

  const take = async (request: () => Promise<TakeResult>) => {
    setScreen({ name: 'working' });
    say(t('take.working'));
    let result: TakeResult;
    try {
      result = await request();
    } catch {
      result = { ok: false, code: 'internal' };
    }
    if (result.ok) {
      const wait = result.ticket.emergency ? t('ticket.emergencyWait') : result.ticket.ahead > 0 ? t('ticket.ahead', { n: result.ticket.ahead }) : t('ticket.noneAhead');
      say(`${t('speak.ticket', { number: result.ticket.number, wait })}${result.ticket.printed ? `，${t('speak.ticketTake')}` : ''}`);
      setScreen({ name: 'ticket', ticket: result.ticket });
    } else if (result.code === 'print-cut-off' && result.number) {
      say(t('speak.void', { number: result.number }));
      setScreen({ name: 'voided', number: result.number });
    } else {
      say(`${t('speak.refusal')}。${refusalSentence(lang, result.code, result.itemName ? nameIn(lang, { name: result.itemName, nameEn: result.itemNameEn }) : undefined)}`);
      setScreen({ name: 'refusal', result });
    }
  };

  // The scan path: a booking's QR code read by the kiosk's scanner (a keyboard wedge) on any screen
  // checks it in, as if its code were typed on the check-in screen (whose field reads a scan itself).
  const scanning = useRef({ reader: new WedgeReader(), take, lang });
  scanning.current.take = take;
  scanning.current.lang = lang;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      const code = scanning.current.reader.key(e.key, e.timeStamp || performance.now());
      if (!code || outOfService) return;
      e.preventDefault();
      const { lang: l } = scanning.current;
      void scanning.current.take(() => bridge.call('checkIn', { code, lang: l }));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [outOfService]);

  const common = { t, lang, elderly, onHome: goHome };
  let body;
  switch (screen.name) {
    case 'home':
      body = (
        <HomeScreen
          key={homeKey}
          {...common}
          home={home}
          onItem={(code) => setScreen({ name: 'guide', code })}
          onCheckIn={() => setScreen({ name: 'checkin' })}
          onQuery={() => setScreen({ name: 'query' })}
        />
      );
      break;
    case 'guide':
      body = <GuideScreen {...common} code={screen.code} hasPrinter={settings?.hasPrinter ?? false} onTake={() => setScreen({ name: 'take', code: screen.code })} />;
      break;
    case 'take':
      body = (
        <TakeScreen
          {...common}
          item={home?.items.find((i) => i.code === screen.code)}
          onBack={() => setScreen({ name: 'guide', code: screen.code })}
          onTake={(lane, priorityReason) => take(() => bridge.call('takeNumber', { serviceCode: screen.code, lane, ...(priorityReason ? { priorityReason } : {}), lang }))}
        />
      );
      break;
    case 'working':
      body = <WorkingScreen t={t} />;
      break;
    case 'ticket':
      body = <TicketScreen {...common} ticket={screen.ticket} onGuide={() => setScreen({ name: 'guide', code: screen.ticket.serviceCode })} />;
      break;
    case 'refusal':
      body = <RefusalScreen {...common} result={screen.result} />;
      break;
    case 'voided':
      body = <VoidedScreen t={t} number={screen.number} onHome={goHome} />;
      break;
    case 'checkin':
      body = <CheckInScreen {...common} onSubmit={(code) => take(() => bridge.call('checkIn', { code, lang }))} />;
      break;
    case 'query':
      body = <QueryScreen {...common} />;
      break;
  }

  const hallName = home ? nameIn(lang, { name: home.hallName, nameEn: home.hallNameEn }) : t('app.title');
  return (
    <div className={`kiosk${elderly ? ' elderly' : ''}${status?.emergency && !covered ? ' emergency' : ''}`} data-screen={covered ? 'out-of-service' : screen.name}>
      <header className="top">
        <div className="brand" onClick={goHome}>
          <div className="emblem" aria-hidden>
            政
          </div>
          <div>
            <h1>{hallName}</h1>
            <div className="subtitle">{t('app.title')}</div>
          </div>
        </div>
        <div className="top-right">
          <time>
            <span className="hhmm">{now.toLocaleTimeString('zh-CN', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })}</span>
            <span className="date">{now.toLocaleDateString(lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone, month: 'long', day: 'numeric', weekday: 'short' })}</span>
          </time>
          <div className="switches">
            <button type="button" className={`switch${elderly ? ' on' : ''}`} data-testid="elderly-switch" onClick={() => setElderly(!elderly)}>
              {elderly ? t('action.standard') : t('action.elderly')}
            </button>
            <button type="button" className="switch" data-testid="language-switch" onClick={() => setLang(lang === 'zh-CN' ? 'en' : 'zh-CN')}>
              {t('action.language')}
            </button>
          </div>
        </div>
      </header>
      {status?.emergency && !covered && (
        <div className="emergency-banner" role="status" data-testid="emergency-banner">
          <strong>{t('emergency.title')}</strong>
          <span>{t('emergency.message')}</span>
        </div>
      )}
      <main className="body">{covered ? <OutOfService t={t} reason={status?.reason} /> : body}</main>
      <footer className="bottom">
        <span>{elderly ? t('elderly.help') : t('footer.help')}</span>
        <span>{t('footer.phone', { phone: home?.complaintPhone ?? '12345' })}</span>
      </footer>
      {link && link.status !== 'online' && !covered && !status?.emergency && (
        <div className="link-badge" data-testid="link">
          {t('link.reconnecting')}
        </div>
      )}
      {idle.kind === 'warning' && !outOfService && (
        <div className="idle-warning" role="alertdialog" aria-modal="true" data-testid="idle-warning" onClick={() => setIdle({ kind: 'active' })}>
          <div className="idle-card">
            <h2>{t('idle.title')}</h2>
            <p className="idle-count" data-testid="idle-count">
              {t('idle.message', { n: idle.secondsLeft })}
            </p>
            <button type="button" className="primary idle-continue" data-testid="idle-continue" onClick={() => setIdle({ kind: 'active' })}>
              {t('idle.continue')}
            </button>
          </div>
        </div>
      )}
      <div className="sr-only" aria-live="polite" data-testid="announcement" />
    </div>
  );
}

function OutOfService({ t, reason }: { t: T; reason?: KioskStatus['reason'] }) {
  return (
    <div className="oos" data-testid="out-of-service" role="alert">
      <div className="oos-card">
        <div className="oos-icon" aria-hidden>
          <PrinterIcon />
        </div>
        <h2>{t('oos.title')}</h2>
        <p className="oos-message">
          {reason === 'unconfigured' ? t('oos.unconfiguredMessage') : reason === 'hub' ? t('oos.hubMessage') : reason === 'leases-spent' ? t('oos.leasesSpentMessage') : t('oos.message')}
        </p>
        <OtherWays t={t} />
        <p className="oos-recover">{t('oos.recover')}</p>
      </div>
    </div>
  );
}

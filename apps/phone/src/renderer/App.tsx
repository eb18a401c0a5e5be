import type { PhoneHall } from '@servicehall/protocol/phone';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { parseRoute, routePath, type Route } from '../shared/route';
import { preferredLanguage, type Lang } from '../shared/strings';
import { api, saveSession, savedSession, storage, useLanguage, type Session } from './api';
import { PhoneContext, translator, type Phone } from './context';
import { AppointmentPage, BookPage } from './Book';
import { CasePage } from './Case';
import { HomePage } from './Home';
import { ItemPage } from './Item';
import { MinePage } from './Mine';
import { Offline } from './Offline';
import { Ringer } from './ringer';
import { TicketPage } from './Ticket';

function currentRoute(): Route {
  return parseRoute(window.location.pathname, window.location.search);
}

export function App() {
  const [route, setRoute] = useState<Route>(currentRoute);
  const [lang, setLang] = useState<Lang>(() => preferredLanguage(storage.getItem('sh.lang'), navigator.languages ?? [navigator.language]));
  const [elderly, setElderly] = useState(() => storage.getItem('sh.elderly') === '1');
  const [hall, setHall] = useState<PhoneHall | undefined>();
  const [hallFailed, setHallFailed] = useState(false);
  const [session, setSessionState] = useState<Session | undefined>(() => savedSession());
  const ringer = useRef(new Ringer()).current;
  const t = useMemo(() => translator(lang), [lang]);
  useLanguage(lang);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.classList.toggle('elderly', elderly);
    document.title = `${t('app.title')}${hall ? ` · ${lang === 'en' ? (hall.hallNameEn ?? hall.hallName) : hall.hallName}` : ''}`;
  }, [lang, elderly, hall, t]);

  // The bar's height, for what stays in sight below it (the call's alert): one line, or two where the
  // switches take a line of their own (长辈模式, English, a narrow phone). Measured again as it changes;
  // where a browser has no ResizeObserver (older in-app browsers), at each change of mode and size.
  const bar = useRef<HTMLElement>(null);
  useLayoutEffect(() => {
    const el = bar.current;
    if (!el) return;
    const measure = () => document.documentElement.style.setProperty('--bar-height', `${el.offsetHeight}px`);
    measure();
    const Observer = (window as { ResizeObserver?: typeof ResizeObserver }).ResizeObserver;
    const observer = Observer ? new Observer(measure) : undefined;
    observer?.observe(el);
    window.addEventListener('resize', measure);
    return () => {
      observer?.disconnect();
      window.removeEventListener('resize', measure);
    };
  }, [elderly, lang, hall]);

  const reloadHall = useCallback(() => {
    api<PhoneHall>('GET', '/hall')
      .then((h) => {
        setHall(h);
        setHallFailed(false);
      })
      .catch(() => setHallFailed(true));
  }, []);
  useEffect(() => {
    reloadHall();
    // The waits on the lists move slowly: a look every half minute (the ticket page itself is live).
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reloadHall();
    }, 30_000);
    return () => clearInterval(timer);
  }, [reloadHall]);

  useEffect(() => {
    const back = () => setRoute(currentRoute());
    window.addEventListener('popstate', back);
    return () => window.removeEventListener('popstate', back);
  }, []);

  const go = useCallback((next: Route, options: { replace?: boolean } = {}) => {
    const path = routePath(next);
    if (options.replace) window.history.replaceState(null, '', path);
    else window.history.pushState(null, '', path);
    setRoute(next);
    window.scrollTo(0, 0);
  }, []);

  const setSession = useCallback((s: Session | undefined) => {
    saveSession(s);
    setSessionState(s);
  }, []);

  const phone: Phone = { lang, t, hall, reloadHall, session, setSession, go, ringer };
  const hallName = hall ? (lang === 'en' ? (hall.hallNameEn ?? hall.hallName) : hall.hallName) : t('app.title');

  let page;
  switch (route.name) {
    case 'home':
      page = <HomePage />;
      break;
    case 'item':
      page = <ItemPage key={route.code} code={route.code} />;
      break;
    case 'ticket':
      page = <TicketPage key={route.ref} ticketRef={route.ref} />;
      break;
    case 'book':
      page = <BookPage key={route.code} code={route.code} />;
      break;
    case 'appointment':
      page = <AppointmentPage key={route.ref} appointmentRef={route.ref} />;
      break;
    case 'case':
      page = <CasePage initial={route.number} />;
      break;
    case 'mine':
      page = <MinePage />;
      break;
  }

  return (
    <PhoneContext.Provider value={phone}>
      <div className={`phone${elderly ? ' elderly' : ''}`} data-page={route.name}>
        <header className="bar" ref={bar}>
          {route.name !== 'home' ? (
            <button type="button" className="bar-back" aria-label={t('action.back')} onClick={() => (window.history.length > 1 ? window.history.back() : go({ name: 'home' }))}>
              ‹
            </button>
          ) : (
            <span className="emblem" aria-hidden>
              政
            </span>
          )}
          <h1 className="bar-title" onClick={() => go({ name: 'home' })}>
            {hallName}
          </h1>
          <div className="bar-switches">
            <button
              type="button"
              className={`chip${elderly ? ' on' : ''}`}
              data-testid="elderly-switch"
              aria-pressed={elderly}
              onClick={() => {
                storage.setItem('sh.elderly', elderly ? '0' : '1');
                setElderly(!elderly);
              }}
            >
              {elderly ? t('action.standard') : t('action.elderly')}
            </button>
            <button
              type="button"
              className="chip"
              data-testid="language-switch"
              lang={lang === 'en' ? 'zh-CN' : 'en'}
              onClick={() => {
                const next = lang === 'en' ? 'zh-CN' : 'en';
                storage.setItem('sh.lang', next);
                setLang(next);
              }}
            >
              {t('action.language')}
            </button>
          </div>
        </header>
        <main className="page">
          {hallFailed && !hall ? (
            <Offline retry={reloadHall} />
          ) : (
            page
          )}
        </main>
      </div>
    </PhoneContext.Provider>
  );
}

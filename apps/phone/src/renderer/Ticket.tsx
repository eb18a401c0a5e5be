import { isNear, type PhoneAlert } from '@servicehall/core/alerts';
import { waitPhrase } from '@servicehall/core/wait';
import type { PhoneTicket } from '@servicehall/protocol/phone';
import { useEffect, useState } from 'react';
import { alertsFor, recall, rememberTicket } from '../shared/follow';
import type { PhoneStringKey } from '../shared/strings';
import { storage } from './api';
import { named, usePhone, type T } from './context';
import { followTicket, type LinkState } from './live';

/** The expected wait as every screen of the hall says it (H-09): about N minutes, or a range. */
function waitLine(t: T, ticket: PhoneTicket): string {
  const phrase = waitPhrase({ minutes: ticket.minutes, range: ticket.range ?? { low: ticket.minutes, high: ticket.minutes }, noWindowOpen: ticket.noWindowOpen });
  switch (phrase.kind) {
    case 'no-window':
      return t('ticket.noWindow');
    case 'next':
      return '';
    case 'about':
      return t('ticket.minutes', { m: phrase.minutes });
    case 'between':
      return t('ticket.between', { low: phrase.low, high: phrase.high });
  }
}

function stateLine(t: T, ticket: PhoneTicket): string {
  const window = ticket.window ?? '';
  switch (ticket.state) {
    case 'issued':
      return ticket.ahead > 0 ? t('ticket.ahead', { n: ticket.ahead }) : t('ticket.noneAhead');
    case 'called':
      return t('ticket.called', { n: window });
    case 'serving':
      return t('ticket.serving');
    case 'held':
      return t('ticket.held', { n: window });
    default:
      return t(`ticket.${ticket.state}` as PhoneStringKey);
  }
}

/** The link's line: 正在连接… until the hub first answers, 正在重新连接… only once a link it had is lost. */
const LINK_TEXT: Record<LinkState, PhoneStringKey> = {
  connecting: 'ticket.connecting',
  live: 'ticket.live',
  reconnecting: 'ticket.reconnecting',
  polling: 'ticket.polling',
  busy: 'ticket.busy',
};

/** The live page of one ticket: what the door's QR, the paper ticket's QR and a number by phone all open. */
export function TicketPage({ ticketRef }: { ticketRef: string }) {
  const { t, lang, hall, session, ringer, go } = usePhone();
  const [ticket, setTicket] = useState<PhoneTicket | undefined>();
  const [link, setLink] = useState<LinkState>('connecting');
  const [gone, setGone] = useState(false);
  const [alert, setAlert] = useState<{ kind: PhoneAlert; title: string; text: string } | undefined>();
  const [alertsOn, setAlertsOn] = useState(ringer.enabled);
  const [given, setGiven] = useState<PhoneAlert[]>([]);

  useEffect(() => {
    const follow = followTicket(ticketRef, {
      state: (next) => {
        setTicket(next);
        // An alert stands while it is true: 请到窗口办理 goes once the number is served or set aside, 即将轮到您 once it is called or no window serves the item.
        setAlert((a) => (a && (a.kind === 'near' ? isNear(next, next) : next.state === 'called') ? a : undefined));
        rememberTicket(storage, next.day, next);
        for (const kind of alertsFor(storage, next)) {
          const title = kind === 'near' ? t('alert.nearTitle') : t('alert.calledTitle');
          const text = kind === 'near' ? t('alert.near', { number: next.number, n: next.ahead }) : t('alert.called', { number: next.number, n: next.window ?? '' });
          ringer.ring(kind, title, text, `/m/t/${next.ref}`);
          setAlert({ kind, title, text });
          setGiven((g) => [...g, kind]);
        }
      },
      link: setLink,
      gone: () => {
        setGone(true);
        setAlert(undefined);
      },
    });
    return () => follow.stop();
    // The words of an alert are made when it rings; a language switch later does not follow the ticket anew.
  }, [ticketRef]); // eslint-disable-line react-hooks/exhaustive-deps

  // A ticket this phone followed on an earlier day (the page opened again the next morning): said as ended, not as a link that is wrong.
  if (gone && !ticket) return <p className="card sorry" role="alert" data-testid="ticket-gone">{t(recall(storage, ticketRef) ? 'ticket.gone' : 'ticket.notFound')}</p>;
  // Turned away before the first answer (the address's or the hall's places full): said so, not 加载中 for ten seconds.
  if (!ticket)
    return link === 'busy' ? (
      <p className="loading" data-testid="ticket-busy" aria-live="polite">
        {t('ticket.busy')}
      </p>
    ) : (
      <p className="loading" data-testid="ticket-connecting">
        {t('ticket.connecting')}
      </p>
    );
  // Few ahead but no window open for the item: nobody is called, so nothing calls the citizen back yet (the wait line says why).
  const near = !gone && isNear(ticket, ticket);
  // Left open into the next hall day: the number as it was, said to be yesterday's; nothing live about it.
  const open = !gone && (ticket.state === 'issued' || ticket.state === 'called' || ticket.state === 'held');
  const timeZone = hall?.timeZone ?? 'Asia/Shanghai';
  // A number of an earlier day says which day (12月6日 09:12); today's, the time alone.
  const issuedAt = new Date(ticket.issuedAt).toLocaleString(gone && lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone, ...(gone ? { month: lang === 'en' ? 'short' : 'long', day: 'numeric' } : {}), hour: '2-digit', minute: '2-digit', hour12: false });

  return (
    <article className={`ticket-page state-${gone ? 'gone' : ticket.state}${near ? ' near' : ''}`} data-testid="ticket" data-state={gone ? 'gone' : ticket.state} data-alerts={given.join(',')}>
      {alert && (
        <div className={`alert alert-${alert.kind}`} role="alert" data-testid={`alert-${alert.kind}`}>
          <strong>{alert.title}</strong>
          <p>{alert.text}</p>
          <button type="button" onClick={() => setAlert(undefined)}>
            {t('alert.dismiss')}
          </button>
        </div>
      )}
      <section className="card ticket-card" aria-labelledby="ticket-number">
        <p className="kicker">
          {t('ticket.yourNumber')}
          {ticket.remote && <span className="tag">{t('ticket.remote')}</span>}
          {ticket.lane === 'appointment' && <span className="tag">{t('ticket.appointment')}</span>}
        </p>
        <p className="number" id="ticket-number" data-testid="ticket-number">
          {ticket.number}
        </p>
        <p className="item-line">{named(lang, ticket)}</p>
        <p className="state-line" data-testid="ticket-state" aria-live="polite">
          {gone ? t('ticket.gone') : stateLine(t, ticket)}
        </p>
        {!gone && ticket.windowName && (ticket.state === 'called' || ticket.state === 'serving' || ticket.state === 'held') && <p className="window-line">{ticket.windowName}</p>}
        {!gone && ticket.state === 'issued' && (
          <p className="wait-line" data-testid="ticket-wait">
            {waitLine(t, ticket)}
          </p>
        )}
        {near && <p className="near-line">{t('ticket.near')}</p>}
        {!gone && (
          <p className={`link link-${link}`} data-testid="link" aria-live="off">
            <span className="dot" aria-hidden />
            {t(LINK_TEXT[link])}
          </p>
        )}
      </section>

      {open && (
        <section className="card alerts-card">
          {alertsOn ? (
            <p className="on" data-testid="alerts-on">
              ✓ {t('ticket.alertsOn')}
            </p>
          ) : (
            <button
              type="button"
              className="primary big"
              data-testid="enable-alerts"
              onClick={() => {
                void ringer.enable().then(() => setAlertsOn(true));
                setAlertsOn(true);
              }}
            >
              {t('ticket.alertsOff')}
            </button>
          )}
          <p className="note">{t('ticket.alertsHint', { n: ticket.nearAhead })}</p>
          {alertsOn && ringer.notifications === 'denied' && <p className="note">{t('ticket.notifyBlocked')}</p>}
          {ticket.sms && <p className="note">{session ? t('ticket.sms', { phone: session.phone }) : t('ticket.smsOnly')}</p>}
        </section>
      )}

      {ticket.state === 'done' && (ticket.rateUrl || ticket.cases.length > 0) && (
        <section className="card">
          {ticket.rateUrl && (
            <a className="button primary big" data-testid="rate" href={ticket.rateUrl} rel="noreferrer">
              {t('ticket.rate')}
            </a>
          )}
          {ticket.cases.length > 0 && (
            <div className="cases">
              <h3>{t('ticket.cases')}</h3>
              {ticket.cases.map((c) => (
                <button type="button" key={c} className="link-button" onClick={() => go({ name: 'case', number: c })}>
                  {c}
                </button>
              ))}
            </div>
          )}
        </section>
      )}
      <p className="note small" data-testid="ticket-issued">
        {t('ticket.issuedAt', { t: issuedAt })}
        {!gone && ` · ${t('ticket.keep')}`}
      </p>
    </article>
  );
}

import { useState } from 'react';
import type { ItemCard, Lang, TakeResult, TakeRequest, TicketShown } from '../shared/api';
import { refusalSentence, refusalTitle, waitText } from '../shared/strings';
import { nameIn, type T } from './bridge';
import { CheckIcon } from './icons';

type Reason = NonNullable<TakeRequest['priorityReason']>;
const REASONS: Reason[] = ['elderly', 'disabled', 'military', 'pregnant'];

interface TakeProps {
  t: T;
  lang: Lang;
  elderly: boolean;
  item?: ItemCard;
  onHome(): void;
  onBack(): void;
  onTake(lane: 'ordinary' | 'priority', reason?: Reason): void;
}

/** The ordinary lane, or the priority lane (绿色通道) with its reason (N-06). */
export function TakeScreen({ t, lang, elderly, item, onBack, onTake }: TakeProps) {
  const [pressed, setPressed] = useState(false);
  const press = (lane: 'ordinary' | 'priority', reason?: Reason) => {
    if (pressed) return;
    setPressed(true);
    onTake(lane, reason);
  };
  return (
    <div className="take" data-testid="take-screen">
      <div className="screen-head">
        <button type="button" className="back" onClick={onBack}>
          ← {t('action.back')}
        </button>
        <div className="screen-title">
          <div className="kicker">{t('take.title')}</div>
          <h2>{item ? nameIn(lang, item) : ''}</h2>
        </div>
      </div>
      {item?.busy && (
        <div className="notice busy" data-testid="busy-suggestion">
          {t('take.busy', { n: item.waiting, wait: waitText(lang, item.wait) })}
          {item.onlineUrl && <div className="url">{item.onlineUrl}</div>}
        </div>
      )}
      <button type="button" className="lane ordinary" data-testid="lane-ordinary" disabled={pressed} onClick={() => press('ordinary')}>
        <span className="lane-title">{t('take.ordinary')}</span>
        <span className="lane-hint">{t('take.ordinaryHint')}</span>
      </button>
      {elderly ? (
        <button type="button" className="lane priority" data-testid="lane-elderly" disabled={pressed} onClick={() => press('priority', 'elderly')}>
          <span className="lane-title">{t('take.elderly')}</span>
          <span className="lane-hint">{t('take.priorityNote')}</span>
        </button>
      ) : (
        <div className="lane priority panel">
          <span className="lane-title">
            <span className="leaf" aria-hidden>
              ✚
            </span>
            {t('take.priority')}
          </span>
          <span className="lane-hint">{t('take.priorityHint')}</span>
          <div className="reasons">
            {REASONS.map((r) => (
              <button type="button" key={r} className="reason" data-testid={`priority-${r}`} disabled={pressed} onClick={() => press('priority', r)}>
                {t(`reason.${r}`)}
              </button>
            ))}
          </div>
          <span className="lane-note">{t('take.priorityNote')}</span>
        </div>
      )}
    </div>
  );
}

export function WorkingScreen({ t }: { t: T }) {
  return (
    <div className="working" data-testid="working">
      <div className="spinner" aria-hidden />
      <p>{t('take.working')}</p>
    </div>
  );
}

export function TicketScreen({ t, lang, ticket, onHome, onGuide }: { t: T; lang: Lang; elderly: boolean; ticket: TicketShown; onHome(): void; onGuide(): void }) {
  const itemName = nameIn(lang, { name: ticket.itemName, nameEn: ticket.itemNameEn });
  return (
    <div className="ticket-screen" data-testid="ticket">
      <div className="success">
        <span className="tick" aria-hidden>
          <CheckIcon />
        </span>
        {t('ticket.title')}
      </div>
      <div className="ticket-card">
        <div className="ticket-label">{t('ticket.yourNumber')}</div>
        <div className="ticket-number" data-testid="ticket-number">
          {ticket.number}
        </div>
        <div className="ticket-item">{itemName}</div>
        {ticket.lane !== 'ordinary' && (
          <div className={`badge lane-badge ${ticket.lane}`}>
            {ticket.lane === 'priority'
              ? `${t('lane.priority')}${ticket.priorityReason && ticket.priorityReason !== 'other' ? ` · ${t(`reason.${ticket.priorityReason}`)}` : ''}`
              : `${t('lane.appointment')}${ticket.slot ? ` · ${ticket.slot}` : ''}`}
          </div>
        )}
        {ticket.emergency ? (
          <div className="ticket-wait emergency" data-testid="ticket-wait">
            <div className="emergency-line">{t('ticket.emergency')}</div>
            <div>{t('ticket.emergencyOrder')}</div>
          </div>
        ) : (
          <div className="ticket-wait" data-testid="ticket-wait">
            <div>{ticket.ahead > 0 ? t('ticket.ahead', { n: ticket.ahead }) : t('ticket.noneAhead')}</div>
            {ticket.wait.kind !== 'next' && <div data-testid="ticket-expected">{t('ticket.expected', { wait: waitText(lang, ticket.wait) })}</div>}
            {ticket.caveats.map((c) => (
              <div className="caveat" key={c}>
                {t(`wait.caveat.${c}`)}
              </div>
            ))}
          </div>
        )}
        <div className="ticket-time">{t('ticket.issuedAt', { time: ticket.issuedAt })}</div>
        {(!ticket.printed || ticket.printUnconfirmed) && ticket.qr && (
          <div className="ticket-qr">
            <img src={ticket.qr} alt="" width={ticket.printUnconfirmed ? 200 : 260} height={ticket.printUnconfirmed ? 200 : 260} data-testid="ticket-qr" />
            <span>{t('ticket.scan')}</span>
          </div>
        )}
      </div>
      {ticket.printUnconfirmed && (
        <p className="notice unconfirmed" data-testid="ticket-unconfirmed">
          {t('ticket.unconfirmed')}
        </p>
      )}
      {!ticket.printUnconfirmed && (
        <p className={`take-hint${ticket.printed ? ' printed' : ''}`}>
          {ticket.printed ? t('ticket.take') : ticket.qr ? t('ticket.photo') : t('ticket.note')}
          {ticket.printed && (
            <span className="arrow" aria-hidden>
              ↓
            </span>
          )}
        </p>
      )}
      {ticket.materials.length > 0 && (
        <div className="bring">
          <h3>{t('ticket.bring')}</h3>
          <ul>
            {ticket.materials.map((m) => (
              <li key={m.id}>
                <span>{m.name}</span>
                <span className="form">
                  {t(`material.${m.form}`)} · {t('material.count', { n: m.count })}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="bar">
        <button type="button" className="secondary" data-testid="ticket-guide" onClick={onGuide}>
          {t('ticket.guide')}
        </button>
        <button type="button" className="primary" data-testid="done" onClick={onHome}>
          {t('ticket.done')}
        </button>
      </div>
    </div>
  );
}

/** Where a citizen gets a number when this kiosk cannot give one: the other kiosk, the service desk. */
export function OtherWays({ t }: { t: T }) {
  return (
    <ol className="alternatives big">
      <li>
        <span className="alt-no">1</span>
        {t('alt.otherKiosk')}
      </li>
      <li>
        <span className="alt-no">2</span>
        {t('alt.desk')}
      </li>
    </ol>
  );
}

/**
 * A ticket the printer stopped in the middle of (paper end, cover open): the citizen may hold a
 * partial slip whose number is void. Said in large type, with what to do, and never hidden behind
 * the out-of-service card.
 */
export function VoidedScreen({ t, number, onHome }: { t: T; number: string; onHome(): void }) {
  return (
    <div className="voided" data-testid="voided" role="alert">
      <h2>{t('void.title')}</h2>
      <div className="void-number" aria-hidden>
        {number}
      </div>
      <p className="void-line" data-testid="void-number">
        {t('void.number', { number })}
      </p>
      <p className="void-sub">{t('void.notCalled')}</p>
      <h3>{t('void.whatToDo')}</h3>
      <OtherWays t={t} />
      <p className="void-sub">{t('void.hand')}</p>
      <div className="bar">
        <button type="button" className="primary" data-testid="voided-home" onClick={onHome}>
          {t('action.home')}
        </button>
      </div>
    </div>
  );
}

/** A number that could not be given: the reason, politely, and the ways still open (online, another day, the desk). */
export function RefusalScreen({ t, lang, result, onHome }: { t: T; lang: Lang; elderly: boolean; result: Extract<TakeResult, { ok: false }>; onHome(): void }) {
  const closed = result.code === 'daily-quota-reached' || result.code === 'outside-issuing-hours' || result.code === 'numbers-exhausted';
  const deviceOrLink = result.code === 'out-of-service' || result.code === 'print-failed' || result.code === 'hub-offline';
  const item = result.itemName ? nameIn(lang, { name: result.itemName, nameEn: result.itemNameEn }) : undefined;
  return (
    <div className="refusal" data-testid="refusal" data-code={result.code}>
      <div className="refusal-head">
        <span className="info" aria-hidden>
          i
        </span>
        <h2>{refusalTitle(lang, result.code)}</h2>
      </div>
      {item && <div className="refusal-item">{item}</div>}
      <p className="refusal-text" data-testid="refusal-text">
        {refusalSentence(lang, result.code, item)}
      </p>
      <h3>{t('refusal.alternatives')}</h3>
      <ol className="alternatives">
        {result.onlineUrl && (
          <li className="online-alt">
            {result.onlineQr && <img src={result.onlineQr} alt="" width={170} height={170} />}
            <span>{t('alt.online', { url: result.onlineUrl })}</span>
          </li>
        )}
        {closed && <li>{t('alt.anotherDay')}</li>}
        {result.code === 'outside-issuing-hours' && result.issuingHours && <li>{t('alt.hours', { hours: result.issuingHours })}</li>}
        {deviceOrLink && <li>{t('alt.otherKiosk')}</li>}
        <li>{t('alt.desk')}</li>
      </ol>
      <div className="bar">
        <button type="button" className="primary" data-testid="refusal-home" onClick={onHome}>
          {t('action.home')}
        </button>
      </div>
    </div>
  );
}

import type { PhoneGuide, PhoneTicket } from '@servicehall/protocol/phone';
import { useEffect, useRef, useState } from 'react';
import { rememberTicket } from '../shared/follow';
import { refusalSentence, type PhoneStringKey } from '../shared/strings';
import { api, ApiError, pressKey, storage, type Session } from './api';
import { named, usePhone } from './context';
import { Offline } from './Offline';
import { VerifyPhone } from './Verify';

export function ItemPage({ code }: { code: string }) {
  const { t, lang, hall, session, setSession, go } = usePhone();
  const [guide, setGuide] = useState<PhoneGuide | 'not-found' | 'offline' | undefined>();
  const [verifying, setVerifying] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const press = useRef(pressKey());
  const item = hall?.items.find((i) => i.code === code);

  const load = () =>
    api<PhoneGuide>('GET', `/items/${encodeURIComponent(code)}`)
      .then(setGuide)
      // An item the hall no longer has is the hub's answer; no answer at all is the network's.
      .catch((error) => setGuide(error instanceof ApiError && error.status === 404 ? 'not-found' : 'offline'));
  useEffect(() => void load(), [code]); // eslint-disable-line react-hooks/exhaustive-deps

  const take = async (s: Session) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const r = await api<{ ticket: PhoneTicket }>('POST', '/tickets', { body: { serviceCode: code }, session: s, key: press.current });
      rememberTicket(storage, r.ticket.day, r.ticket);
      // The ticket's page takes the item page's place: back from it is where the citizen came from, not
      // 立即取号 again with a new press (a second number, within the day's limit, for one press).
      go({ name: 'ticket', ref: r.ticket.ref }, { replace: true });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'phone-unverified') {
        setSession(undefined);
        setVerifying(true);
      } else setProblem(error instanceof ApiError ? refusalSentence(lang, error.code, error.text) : t('app.offline'));
      // A refused press is over: the next one is a new press.
      press.current = pressKey();
    } finally {
      setBusy(false);
    }
  };

  if (guide === undefined || !hall) return <p className="loading">{t('app.loading')}</p>;
  if (guide === 'offline')
    return (
      <Offline
        retry={() => {
          setGuide(undefined);
          void load();
        }}
      />
    );
  if (guide === 'not-found' || !item) return <p className="card sorry">{t('home.noResult')}</p>;
  const days = (n: number) => (n === 0 ? t('guide.sameDay') : t('guide.days', { n }));
  return (
    <article className="item-page" aria-labelledby="item-title">
      <section className="card">
        <h2 id="item-title">{named(lang, guide)}</h2>
        <p className="figures" aria-live="polite">
          {item.noWindowOpen ? t('item.noWindow') : item.ahead > 0 ? t('item.waiting', { n: item.ahead, m: item.minutes }) : t('home.noWait')}
        </p>
        <p className="note">{t('item.hours', { hours: item.issuingHours })}</p>
        {item.quotaLeft !== undefined && <p className="note">{t('item.quotaLeft', { n: item.quotaLeft })}</p>}
        {problem && (
          <p className="problem" role="alert" data-testid="take-problem">
            {problem}
          </p>
        )}
        {verifying ? (
          <VerifyPhone
            onVerified={(s) => {
              setVerifying(false);
              void take(s);
            }}
          />
        ) : hall.remoteTickets ? (
          <button
            type="button"
            className="primary big"
            data-testid="take"
            disabled={busy || !item.issuingNow}
            onClick={() => (session ? void take(session) : setVerifying(true))}
          >
            {busy ? t('take.working') : t('item.take')}
          </button>
        ) : (
          <p className="note">{t('item.remoteClosed')}</p>
        )}
        {!item.issuingNow && hall.remoteTickets && <p className="note">{t('item.takeClosed')}</p>}
        {item.bookable && (
          <button type="button" className="secondary big" data-testid="book" onClick={() => go({ name: 'book', code })}>
            {t('item.book')}
          </button>
        )}
        <p className="note small">{t('item.limit', { n: hall.ticketsPerPersonPerDay })}</p>
      </section>
      <section className="card guide" data-testid="guide">
        {guide.conditions.length > 0 && <Part title={t('guide.conditions')} lines={guide.conditions} />}
        {guide.materials.length > 0 && (
          <div className="part">
            <h3>{t('guide.materials')}</h3>
            <ol>
              {guide.materials.map((m) => (
                <li key={m.id}>
                  {m.name}
                  <span className="muted">{t('guide.material', { form: t(`form.${m.form}` as PhoneStringKey), count: t('form.count', { n: m.count }) })}</span>
                  {m.note && <span className="muted"> {m.note}</span>}
                </li>
              ))}
            </ol>
          </div>
        )}
        {guide.steps.length > 0 && <Part title={t('guide.steps')} lines={[guide.steps.join(' → ')]} />}
        <Part title={t('guide.fees')} lines={[guide.fees]} />
        <Part title={t('guide.limits')} lines={[t('guide.limitsText', { legal: days(guide.legalLimitDays), promised: days(guide.promisedLimitDays) })]} />
        {guide.onlineUrl && <p className="note">{t('item.online', { url: guide.onlineUrl })}</p>}
      </section>
    </article>
  );
}

function Part({ title, lines }: { title: string; lines: string[] }) {
  return (
    <div className="part">
      <h3>{title}</h3>
      {lines.map((l, i) => (
        <p key={i}>{l}</p>
      ))}
    </div>
  );
}

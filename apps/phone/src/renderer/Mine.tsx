import type { PhoneMine } from '@servicehall/protocol/phone';
import { useEffect, useState } from 'react';
import { appointmentStateKey } from '../shared/booking';
import { dayText } from '../shared/strings';
import { api, ApiError } from './api';
import { named, usePhone } from './context';
import { Offline } from './Offline';
import { VerifyPhone } from './Verify';

/** A verified phone's numbers of today and its bookings. */
export function MinePage() {
  const { t, lang, session, setSession, go } = usePhone();
  const [mine, setMine] = useState<PhoneMine | undefined>();
  const [failed, setFailed] = useState(false);
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    if (!session) return;
    setFailed(false);
    api<PhoneMine>('GET', '/mine', { session })
      .then(setMine)
      .catch((error) => {
        if (error instanceof ApiError && error.code === 'phone-unverified') setSession(undefined);
        else setFailed(true);
      });
  }, [session, setSession, asked]);

  if (!session)
    return (
      <article>
        <p className="note">{t('mine.verify')}</p>
        <VerifyPhone onVerified={() => undefined} />
      </article>
    );
  if (failed) return <Offline retry={() => setAsked((n) => n + 1)} />;
  if (!mine) return <p className="loading">{t('app.loading')}</p>;
  return (
    <article className="mine-page">
      <section className="card">
        <h2>{t('mine.tickets')}</h2>
        {mine.tickets.length === 0 && <p className="muted">{t('mine.none')}</p>}
        {mine.tickets.map((ticket) => (
          <button type="button" key={ticket.ref} className="row" onClick={() => go({ name: 'ticket', ref: ticket.ref })}>
            <strong>{ticket.number}</strong> <span>{named(lang, ticket)}</span>
          </button>
        ))}
      </section>
      <section className="card">
        <h2>{t('mine.appointments')}</h2>
        {mine.appointments.length === 0 && <p className="muted">{t('mine.none')}</p>}
        {mine.appointments.map((a) => (
          <button type="button" key={a.ref} className="row" onClick={() => go({ name: 'appointment', ref: a.ref })}>
            <strong>
              {dayText(lang, a.day)} {a.from}
            </strong>{' '}
            <span>{named(lang, a)}</span> <span className="muted">{t(appointmentStateKey(a))}</span>
          </button>
        ))}
      </section>
      <p className="note small">{t('verify.done', { phone: mine.phone })}</p>
    </article>
  );
}

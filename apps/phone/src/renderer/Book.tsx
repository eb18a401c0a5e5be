import type { PhoneAppointment, PhoneSlot, PhoneSlots } from '@servicehall/protocol/phone';
import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'react';
import { appointmentStateKey, keptChoice, type BookingChoice } from '../shared/booking';
import { dayText, refusalSentence } from '../shared/strings';
import { api, ApiError, pressKey, type Session } from './api';
import { named, usePhone } from './context';
import { Offline } from './Offline';
import { VerifyPhone } from './Verify';

/** Booking a time slot: working days from tomorrow, the places left in each slot. */
export function BookPage({ code }: { code: string }) {
  const { t, lang, hall, session, setSession, go } = usePhone();
  const [slots, setSlots] = useState<PhoneSlots | 'not-found' | 'offline' | undefined>();
  const [choice, setChoice] = useState<BookingChoice>({});
  const { day, slot: chosen } = choice;
  const [verifying, setVerifying] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const press = useRef(pressKey());
  const item = hall?.items.find((i) => i.code === code);

  const load = () =>
    api<PhoneSlots>('GET', `/slots?service=${encodeURIComponent(code)}`)
      .then((s) => {
        setSlots(s);
        // A day or slot no longer bookable (taken meanwhile, or the page left open until its day) is let go.
        setChoice((c) => keptChoice(s, c));
      })
      .catch((error) => setSlots(error instanceof ApiError && error.status === 404 ? 'not-found' : 'offline'));
  useEffect(() => void load(), [code]); // eslint-disable-line react-hooks/exhaustive-deps

  const book = async (s: Session, slot: PhoneSlot) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const r = await api<{ appointment: PhoneAppointment }>('POST', '/appointments', { body: { serviceCode: code, slotStart: slot.start, slotEnd: slot.end }, session: s, key: press.current });
      go({ name: 'appointment', ref: r.appointment.ref }, { replace: true });
    } catch (error) {
      press.current = pressKey();
      if (error instanceof ApiError && error.code === 'phone-unverified') {
        setSession(undefined);
        setVerifying(true);
      } else {
        setProblem(error instanceof ApiError ? refusalSentence(lang, error.code, error.text) : t('app.offline'));
        // Refused by the hub: the slots may have changed (taken, the day passed). Not reached: the slots shown stay.
        if (error instanceof ApiError) void load();
      }
    } finally {
      setBusy(false);
    }
  };

  if (slots === undefined || !hall) return <p className="loading">{t('app.loading')}</p>;
  if (slots === 'offline')
    return (
      <Offline
        retry={() => {
          setSlots(undefined);
          void load();
        }}
      />
    );
  if (slots === 'not-found' || !item) return <p className="card sorry">{t('home.noResult')}</p>;
  if (!item.bookable) return <p className="card sorry">{t('book.notBookable')}</p>;
  const today = slots.days.find((d) => d.day === day);
  return (
    <article className="book-page" aria-labelledby="book-title">
      <section className="card">
        <h2 id="book-title">
          {t('book.title')} · {named(lang, item)}
        </h2>
        <p className="note">{t('book.choose')}</p>
        {slots.days.length === 0 && <p className="sorry">{t('book.none')}</p>}
        <div className="days" role="tablist" aria-label={t('book.choose')}>
          {slots.days.map((d) => (
            <button
              type="button"
              role="tab"
              key={d.day}
              aria-selected={d.day === day}
              className={`day${d.day === day ? ' on' : ''}`}
              data-testid={`day-${d.day}`}
              onClick={() => setChoice({ day: d.day })}
            >
              {dayText(lang, d.day)}
            </button>
          ))}
        </div>
        {today && (
          // Each slot a button a screen reader names as one (a role of listitem would hide that it can be pressed).
          <div className="slots" role="group" aria-label={dayText(lang, today.day)}>
            {today.slots.map((s) => (
              <button
                type="button"
                key={s.start}
                className={`slot${chosen?.start === s.start ? ' on' : ''}`}
                data-testid={`slot-${s.from}`}
                disabled={s.left === 0}
                aria-pressed={chosen?.start === s.start}
                aria-label={`${s.from}-${s.to} ${s.left === 0 ? t('book.full') : t('book.left', { n: s.left })}`}
                onClick={() => setChoice({ day: today.day, slot: s })}
              >
                <span className="slot-time">
                  {s.from}-{s.to}
                </span>
                <span className="slot-left">{s.left === 0 ? t('book.full') : t('book.left', { n: s.left })}</span>
              </button>
            ))}
          </div>
        )}
        {problem && (
          <p className="problem" role="alert" data-testid="book-problem">
            {problem}
          </p>
        )}
        {verifying && chosen && today ? (
          <VerifyPhone
            onVerified={(s) => {
              setVerifying(false);
              void book(s, chosen);
            }}
          />
        ) : (
          chosen &&
          today && (
            <button type="button" className="primary big" data-testid="confirm-booking" disabled={busy} onClick={() => (session ? void book(session, chosen) : setVerifying(true))}>
              {busy ? t('book.working') : t('book.confirm', { day: dayText(lang, today.day), from: chosen.from, to: chosen.to })}
            </button>
          )
        )}
        <p className="note small" data-testid="no-show-rule">
          {hall.noShow ? t('appt.noShowRuleOf', { count: hall.noShow.count, within: hall.noShow.withinDays, block: hall.noShow.blockDays }) : t('appt.noShowRule')}
        </p>
      </section>
    </article>
  );
}

/** A booking: its code and the QR code the kiosk's scanner reads to check it in; cancel while it stands. */
export function AppointmentPage({ appointmentRef }: { appointmentRef: string }) {
  const { t, lang, go } = usePhone();
  const [a, setA] = useState<PhoneAppointment | 'not-found' | 'offline' | undefined>();
  const [qr, setQr] = useState<string | undefined>();
  const [confirming, setConfirming] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();

  const load = () =>
    api<PhoneAppointment>('GET', `/appointments/${appointmentRef}`)
      .then(setA)
      // Not found is the hub's answer; no answer at all is the network's, said as such with a way to ask again.
      .catch((error) => setA(error instanceof ApiError && error.status === 404 ? 'not-found' : 'offline'));
  useEffect(() => void load(), [appointmentRef]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (typeof a !== 'object') return;
    // The QR code holds the booking code itself: the kiosk's scanner types it as if keyed in.
    QRCode.toString(a.code, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
      .then((svg) => setQr(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`))
      .catch(() => setQr(undefined));
  }, [a]);

  const cancel = async () => {
    setCancelling(true);
    try {
      const r = await api<{ appointment: PhoneAppointment }>('POST', `/appointments/${appointmentRef}/cancel`, { key: pressKey() });
      setA(r.appointment);
      setConfirming(false);
    } catch (error) {
      setProblem(error instanceof ApiError ? refusalSentence(lang, error.code, error.text) : t('app.offline'));
      // Cancelled or checked in since the page was opened (another tab, the kiosk): the page shows what the booking is now.
      if (error instanceof ApiError) await load();
    } finally {
      setCancelling(false);
    }
  };

  if (a === undefined) return <p className="loading">{t('app.loading')}</p>;
  if (a === 'not-found')
    return (
      <p className="card sorry" data-testid="appointment-not-found">
        {t('appt.notFound')}
      </p>
    );
  if (a === 'offline')
    return (
      <Offline
        retry={() => {
          setA(undefined);
          void load();
        }}
      />
    );
  return (
    <article className={`appointment-page state-${a.state}`} data-testid="appointment" data-state={a.state} aria-labelledby="appt-title">
      <section className="card">
        <h2 id="appt-title">{t('appt.title')}</h2>
        <p className="item-line">{named(lang, a)}</p>
        <p className="when" data-testid="appointment-when">
          {dayText(lang, a.day)}{' '}
          <span className="range">
            {a.from}-{a.to}
          </span>
        </p>
        <p className={`appt-state ${a.state}`} data-testid="appointment-state">
          {t(appointmentStateKey(a))}
        </p>
        {a.withdrawn && (
          <>
            <p className="note" role="status" data-testid="appointment-withdrawn">
              {t('appt.withdrawn')}
            </p>
            <button type="button" className="primary big" onClick={() => go({ name: 'home' })}>
              {t('appt.bookOther')}
            </button>
          </>
        )}
        {a.state === 'booked' && (
          <>
            {qr && <img className="qr" src={qr} alt={`${t('appt.code')} ${a.code}`} data-testid="appointment-qr" />}
            <p className="code-line">
              {t('appt.code')} <strong data-testid="appointment-code">{a.code}</strong>
            </p>
            <p className="note">{t('appt.checkIn')}</p>
            <p className="note">{t('appt.early')}</p>
          </>
        )}
        {a.ticketRef && (
          <button type="button" className="primary big" data-testid="appointment-ticket" onClick={() => go({ name: 'ticket', ref: a.ticketRef! })}>
            {t('appt.ticket')}
          </button>
        )}
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
        {a.cancellable &&
          (confirming ? (
            <div className="confirm" role="alertdialog" aria-label={t('appt.cancelConfirm')}>
              <p>{t('appt.cancelConfirm')}</p>
              <button type="button" className="danger" data-testid="cancel-yes" disabled={cancelling} onClick={() => void cancel()}>
                {t('appt.cancelYes')}
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                {t('appt.cancelNo')}
              </button>
            </div>
          ) : (
            <button type="button" className="secondary big" data-testid="cancel-appointment" onClick={() => setConfirming(true)}>
              {t('appt.cancel')}
            </button>
          ))}
      </section>
    </article>
  );
}

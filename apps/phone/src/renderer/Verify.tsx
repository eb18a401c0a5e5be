import { maskPhone, normalizePhone } from '@servicehall/notify/privacy';
import type { Verified } from '@servicehall/protocol/phone';
import { useEffect, useState } from 'react';
import { refusalSentence } from '../shared/strings';
import { typedCode } from '../shared/typed';
import { api, ApiError, type Session } from './api';
import { usePhone } from './context';

/** Verifies the citizen's mobile number by a one-time code; on success the session is kept for the next steps. */
export function VerifyPhone({ onVerified }: { onVerified(session: Session): void }) {
  const { t, lang, hall, setSession } = usePhone();
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [sentTo, setSentTo] = useState<string | undefined>();
  const [wait, setWait] = useState(0);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();

  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait(wait - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);

  // The hub's own rule (+86, 0086, spaces, dashes, full-width digits allowed), so that the page never refuses a number the hub takes.
  const digits = normalizePhone(phone);
  const send = async () => {
    if (!digits) return setProblem(t('verify.badPhone'));
    /** The number as the page shows where the code went: 139****2222. */
    const masked = maskPhone(digits);
    setBusy(true);
    setProblem(undefined);
    try {
      const r = await api<{ resendInSeconds: number }>('POST', '/code', { body: { phone: digits } });
      setSentTo(masked);
      setWait(r.resendInSeconds);
    } catch (error) {
      // A code went to this phone within the minute (the page was reloaded since): it can be typed.
      if (error instanceof ApiError && error.codeSent) {
        setSentTo(masked);
        setWait(error.retryAfterSeconds ?? 60);
        return;
      }
      setProblem(error instanceof ApiError ? refusalSentence(lang, error.code, error.text) : t('app.offline'));
      if (error instanceof ApiError && error.retryAfterSeconds) setWait(error.retryAfterSeconds);
    } finally {
      setBusy(false);
    }
  };
  const submit = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const r = await api<Verified>('POST', '/verify', { body: { phone: digits ?? phone, code } });
      // Kept by the phone's own clock: the hub's expiresAt is by the hub's, and a phone's clock may be hours off.
      const session = { token: r.session, phone: r.phone, expiresAt: Date.now() + r.expiresInMs };
      setSession(session);
      onVerified(session);
    } catch (error) {
      setProblem(error instanceof ApiError ? refusalSentence(lang, error.code, error.text) : t('app.offline'));
    } finally {
      setBusy(false);
    }
  };

  if (hall && !hall.sms) return <p className="card sorry">{t('verify.noSms')}</p>;
  return (
    <section className="card verify" aria-labelledby="verify-title" data-testid="verify">
      <h2 id="verify-title">{t('verify.title')}</h2>
      <p className="note">{t('verify.why', { n: hall?.ticketsPerPersonPerDay ?? 2 })}</p>
      <label className="field">
        <span>{t('verify.phone')}</span>
        <span className="field-line">
          <input
            type="tel"
            inputMode="numeric"
            autoComplete="tel"
            maxLength={20}
            data-testid="phone-number"
            placeholder={t('verify.phonePlaceholder')}
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
          />
          <button type="button" className="secondary" data-testid="send-code" disabled={busy || wait > 0} onClick={() => void send()}>
            {wait > 0 ? t('verify.resend', { s: wait }) : t('verify.send')}
          </button>
        </span>
      </label>
      {sentTo && (
        <p className="note" role="status">
          {t('verify.sent', { phone: sentTo })}
        </p>
      )}
      {/* A minute on and no code typed: the SMS may be late or lost (the provider down); the page says what to do. */}
      {sentTo && wait === 0 && code.length === 0 && (
        <p className="note" data-testid="code-not-received">
          {t('verify.notReceived')}
        </p>
      )}
      <label className="field">
        <span>{t('verify.code')}</span>
        <input
          type="text"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="\d{6}"
          data-testid="phone-code"
          placeholder={t('verify.codePlaceholder')}
          value={code}
          onChange={(e) => setCode(typedCode(e.target.value))}
        />
      </label>
      {problem && (
        <p className="problem" role="alert" data-testid="verify-problem">
          {problem}
        </p>
      )}
      <button type="button" className="primary" data-testid="verify-submit" disabled={busy || !sentTo || code.length !== 6} onClick={() => void submit()}>
        {t('verify.submit')}
      </button>
      <p className="note small">{t('verify.privacy')}</p>
    </section>
  );
}

import type { PhoneCase } from '@servicehall/protocol/phone';
import { useEffect, useState } from 'react';
import type { PhoneStringKey } from '../shared/strings';
import { api, ApiError } from './api';
import { named, usePhone } from './context';

/** A case's progress by its number (H-11): state and dates, never the applicant. */
export function CasePage({ initial }: { initial?: string }) {
  const { t, lang } = usePhone();
  const [text, setText] = useState(initial ?? '');
  const [result, setResult] = useState<PhoneCase | 'not-found' | 'offline' | undefined>();
  const ask = async (number: string) => {
    if (!number.trim()) return;
    try {
      setResult(await api<PhoneCase>('GET', `/cases/${encodeURIComponent(number.trim().toUpperCase())}`));
    } catch (error) {
      setResult(error instanceof ApiError && error.status === 404 ? 'not-found' : 'offline');
    }
  };
  useEffect(() => {
    if (initial) void ask(initial);
  }, [initial]);
  return (
    <article className="case-page">
      <section className="card">
        <h2>{t('case.title')}</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void ask(text);
          }}
        >
          <label className="field">
            <span>{t('case.prompt')}</span>
            <input data-testid="case-number" value={text} placeholder={t('case.placeholder')} autoCapitalize="characters" onChange={(e) => setText(e.target.value)} />
          </label>
          <button type="submit" className="primary big">
            {t('case.submit')}
          </button>
        </form>
      </section>
      {result && (
        <section className="card" aria-live="polite" data-testid="case-result">
          {result === 'not-found' ? (
            <p className="sorry">{t('case.notFound')}</p>
          ) : result === 'offline' ? (
            <p className="sorry">{t('app.offline')}</p>
          ) : (
            <>
              <p className="number small">{result.caseNumber}</p>
              <p>{t('case.item', { s: named(lang, result) })}</p>
              <p className="state-line">{t(`case.state.${result.state}` as PhoneStringKey)}</p>
              {result.acceptedOn && <p>{t('case.accepted', { d: result.acceptedOn })}</p>}
              {result.promisedDue && <p>{t('case.due', { d: result.promisedDue })}</p>}
              {result.missing.length > 0 && <p>{t('case.missing', { s: result.missing.join(lang === 'en' ? ', ' : '、') })}</p>}
            </>
          )}
        </section>
      )}
    </article>
  );
}

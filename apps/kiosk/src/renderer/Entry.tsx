import { useEffect, useRef, useState } from 'react';
import type { Lang, QueryResult } from '../shared/api';
import { bridge, nameIn, type T } from './bridge';
import { caseStateText, waitText } from '../shared/strings';
import { Keyboard } from './Keyboard';

/** A code typed on the screen's keys, on a keyboard, or by a scanner that types it and presses Enter. */
function CodeEntry({ t, placeholder, submitLabel, busy, onSubmit, testid }: { t: T; placeholder: string; submitLabel: string; busy: boolean; onSubmit(code: string): void; testid: string }) {
  const [code, setCode] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = () => {
    if (code.trim() !== '' && !busy) onSubmit(code.trim());
  };
  return (
    <div className="entry">
      <form
        className="entry-line"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <input ref={input} data-testid={testid} value={code} placeholder={placeholder} inputMode="none" autoComplete="off" maxLength={200} onChange={(e) => setCode(e.target.value)} />
        <button type="submit" className="primary" data-testid={`${testid}-submit`} disabled={busy || code.trim() === ''}>
          {submitLabel}
        </button>
      </form>
      <Keyboard t={t} onKey={(k) => setCode((c) => c + k)} onDelete={() => setCode((c) => c.slice(0, -1))} onClear={() => setCode('')} />
    </div>
  );
}

export function CheckInScreen({ t, onHome, onSubmit }: { t: T; lang: Lang; elderly: boolean; onHome(): void; onSubmit(code: string): void }) {
  return (
    <div className="entry-screen" data-testid="checkin-screen">
      <div className="screen-head">
        <button type="button" className="back" onClick={onHome}>
          ← {t('action.back')}
        </button>
        <div className="screen-title">
          <h2>{t('checkin.title')}</h2>
        </div>
      </div>
      <p className="prompt">{t('checkin.prompt')}</p>
      <CodeEntry t={t} testid="appointment-code" placeholder={t('checkin.prompt')} submitLabel={t('checkin.submit')} busy={false} onSubmit={onSubmit} />
      <p className="hint">{t('checkin.hint')}</p>
    </div>
  );
}

export function QueryScreen({ t, lang, onHome }: { t: T; lang: Lang; elderly: boolean; onHome(): void }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<QueryResult | undefined>();
  const ask = async (text: string) => {
    setBusy(true);
    try {
      setResult(await bridge.call('query', { text }));
    } catch {
      setResult({ kind: 'unavailable' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="entry-screen" data-testid="query-screen">
      <div className="screen-head">
        <button type="button" className="back" onClick={onHome}>
          ← {t('action.back')}
        </button>
        <div className="screen-title">
          <h2>{t('query.title')}</h2>
        </div>
      </div>
      <p className="prompt">{t('query.prompt')}</p>
      <CodeEntry t={t} testid="query-text" placeholder={t('query.prompt')} submitLabel={t('query.submit')} busy={busy} onSubmit={ask} />
      {result && <QueryAnswer t={t} lang={lang} result={result} />}
    </div>
  );
}

function QueryAnswer({ t, lang, result }: { t: T; lang: Lang; result: QueryResult }) {
  switch (result.kind) {
    case 'ticket':
      return (
        <div className="answer" data-testid="query-result">
          <div className="answer-number">{t('query.number', { n: result.number })}</div>
          <div className="answer-item">{nameIn(lang, { name: result.itemName, nameEn: result.itemNameEn })}</div>
          <div className={`answer-state ${result.state}`}>{t(`state.${result.state}`, { window: result.windowName ?? '' })}</div>
          {result.state === 'issued' && <div data-testid="query-wait">{result.wait.kind === 'next' ? t('wait.next') : t('query.ahead', { n: result.ahead, wait: waitText(lang, result.wait) })}</div>}
        </div>
      );
    case 'case':
      return (
        <div className="answer" data-testid="query-result">
          <div className="answer-number">{t('query.case', { n: result.caseNumber })}</div>
          {result.itemName && <div>{t('query.caseItem', { s: result.itemName })}</div>}
          {(result.stateText ?? result.state) && (
            <div className="answer-state">{t('query.caseState', { s: result.stateText ?? (result.state ? (caseStateText(lang, result.state) ?? result.state) : '') })}</div>
          )}
          {result.missing && (
            <div className="answer-missing" data-testid="query-missing">
              <div>{t('query.missing')}</div>
              <ol>
                {result.missing.map((name) => (
                  <li key={name}>{name}</li>
                ))}
              </ol>
            </div>
          )}
          {result.dueDate && <div>{t('query.due', { d: result.dueDate })}</div>}
          {result.updatedAt && <div>{t('query.updated', { d: result.updatedAt })}</div>}
        </div>
      );
    case 'not-found':
      return (
        <div className="answer sorry" data-testid="query-result">
          {t('query.notFound')}
        </div>
      );
    case 'unavailable':
      return (
        <div className="answer sorry" data-testid="query-result">
          {t('query.unavailable')}
        </div>
      );
  }
}

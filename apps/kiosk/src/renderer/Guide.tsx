import { useEffect, useState } from 'react';
import type { Guide, Lang, PrintResult } from '../shared/api';
import { daysText } from '../shared/strings';
import { bridge, nameIn, type T } from './bridge';
import { WaitLine } from './Home';

interface GuideProps {
  t: T;
  lang: Lang;
  elderly: boolean;
  code: string;
  hasPrinter: boolean;
  onHome(): void;
  onTake(): void;
}

type Printing = { state: 'idle' } | { state: 'printing' } | { state: 'done'; result: PrintResult };

/** 办事指南 (H-01): conditions, materials, steps, fees and time limits, before a number is taken. */
export function GuideScreen({ t, lang, code, hasPrinter, onHome, onTake }: GuideProps) {
  const [guide, setGuide] = useState<Guide | null | undefined>();
  const [printing, setPrinting] = useState<Printing>({ state: 'idle' });
  useEffect(() => {
    let live = true;
    bridge.call('guide', { code }).then(
      (g) => live && setGuide(g),
      () => live && setGuide(null),
    );
    return () => {
      live = false;
    };
  }, [code]);

  const print = async () => {
    setPrinting({ state: 'printing' });
    let result: PrintResult;
    try {
      result = await bridge.call('printGuide', { code, lang });
    } catch {
      result = { ok: false, code: 'print-failed' };
    }
    setPrinting({ state: 'done', result });
  };

  if (guide === undefined) return <div className="guide loading" />;
  if (guide === null)
    return (
      <div className="guide">
        <p className="notice">{t('query.unavailable')}</p>
        <button type="button" className="primary" onClick={onHome}>
          {t('action.home')}
        </button>
      </div>
    );

  const days = (n: number) => daysText(lang, n);
  return (
    <div className="guide" data-testid="guide">
      <div className="screen-head">
        <button type="button" className="back" onClick={onHome}>
          ← {t('action.back')}
        </button>
        <div className="screen-title">
          <div className="kicker">{t('guide.title')}</div>
          <h2>{nameIn(lang, guide)}</h2>
        </div>
      </div>
      <div className="guide-summary">
        <div>
          <span className="label">{t('guide.department')}</span>
          <span>{guide.department}</span>
        </div>
        <div>
          <span className="label">{t('guide.hours')}</span>
          <span>{guide.issuingHours}</span>
        </div>
        <div>
          <WaitLine t={t} lang={lang} item={guide} />
        </div>
      </div>
      <div className="guide-body">
        {guide.conditions.length > 0 && (
          <section>
            <h3>{t('guide.conditions')}</h3>
            <ol className="plain">
              {guide.conditions.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ol>
          </section>
        )}
        <section>
          <h3>
            {t('guide.materials')} <span className="count">({guide.materials.length})</span>
          </h3>
          <table className="materials" data-testid="materials">
            <tbody>
              {guide.materials.map((m, i) => (
                <tr key={m.id}>
                  <td className="n">{i + 1}</td>
                  <td>
                    {m.name}
                    {m.note && <div className="note">{m.note}</div>}
                  </td>
                  <td className="form">{t(`material.${m.form}`)}</td>
                  <td className="qty">{t('material.count', { n: m.count })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        {guide.steps.length > 0 && (
          <section>
            <h3>{t('guide.steps')}</h3>
            <ol className="steps">
              {guide.steps.map((s, i) => (
                <li key={s}>
                  <span className="step-no">{i + 1}</span>
                  <span>{s}</span>
                </li>
              ))}
            </ol>
          </section>
        )}
        <section className="facts">
          <div>
            <span className="label">{t('guide.fees')}</span>
            <b>{guide.fees}</b>
          </div>
          <div>
            <span className="label">{t('guide.legal')}</span>
            <b>{days(guide.legalLimitDays)}</b>
          </div>
          <div>
            <span className="label">{t('guide.promised')}</span>
            <b className="promised">{days(guide.promisedLimitDays)}</b>
          </div>
          {guide.dailyQuota !== undefined && (
            <div>
              <span className="label">{t('guide.quotaLabel')}</span>
              <b>{t('guide.quota', { n: guide.dailyQuota })}</b>
            </div>
          )}
        </section>
        {guide.onlineUrl && guide.onlineQr && (
          <section className={`online${guide.busy ? ' busy' : ''}`}>
            <img src={guide.onlineQr} alt="" width={150} height={150} />
            <div>
              <h3>{t('guide.online')}</h3>
              <p>{t('guide.onlineHint')}</p>
              <p className="url">{guide.onlineUrl}</p>
            </div>
          </section>
        )}
      </div>
      {printing.state === 'done' && (
        <p className={`notice${printing.result.ok ? ' ok' : ''}`} data-testid="print-result">
          {printing.result.ok ? t('guide.printed') : printing.result.code === 'no-printer' ? t('guide.noPrinter') : t('guide.printFailed')}
        </p>
      )}
      <div className="bar">
        {hasPrinter && (
          <button type="button" className="secondary" data-testid="print-guide" disabled={printing.state === 'printing'} onClick={print}>
            {printing.state === 'printing' ? t('guide.printing') : t('guide.print')}
          </button>
        )}
        <button type="button" className="primary" data-testid="take" onClick={onTake}>
          {t('guide.take')}
        </button>
      </div>
    </div>
  );
}

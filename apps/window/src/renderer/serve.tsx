import { useState } from 'react';
import type { CaseCard, Desk, OutcomeDone, OutcomeKind } from '../shared/api';
import type { WindowStrings } from '../shared/strings';
import { bridge } from './bridge';
import { BreachDialog } from './dialogs';
import { DueDates } from './panels';

const OUTCOMES: OutcomeKind[] = ['accepted', 'correction', 'rejected', 'consultation'];
const DOCUMENT_OF = { accepted: 'acceptance', correction: 'correction', rejected: 'rejection', consultation: 'one-time' } as const;

interface Recorded {
  outcome: OutcomeKind;
  done: Extract<OutcomeDone, { ok: true }>;
  /** The outcome this one corrected, for an amendment. */
  from?: OutcomeKind;
}

/**
 * The serve panel: one outcome per item of the visit, each with its printed notice (H-03, H-07).
 * An item whose outcome this visit has recorded already is corrected here, with the reason, never
 * recorded twice; the form starts afresh after each record.
 */
export function ServePanel({ t, desk, say }: { t: WindowStrings; desk: Desk; say: (ok: boolean, text: string) => void }) {
  const current = desk.current!;
  const [code, setCode] = useState(current.serviceCode);
  const [outcome, setOutcome] = useState<OutcomeKind>('accepted');
  const [ticked, setTicked] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [amendReason, setAmendReason] = useState('');
  const [caseNumber, setCaseNumber] = useState('');
  const [name, setName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [phone, setPhone] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [breach, setBreach] = useState<string[]>();
  const [result, setResult] = useState<Recorded>();
  const item = desk.serves.find((i) => i.code === code) ?? desk.serves[0];
  const openCases = desk.cases.filter((c) => c.state === 'correction' && c.serviceCode === item?.code);
  // The case this visit has recorded for the item: its outcome is amended, not recorded again.
  const recordedHere: CaseCard | undefined = desk.visitCases.find((c) => c.serviceCode === item?.code);

  const reset = () => {
    setOutcome('accepted');
    setTicked({});
    setReason('');
    setAmendReason('');
    setCaseNumber('');
    setName('');
    setIdNumber('');
    setPhone('');
    setError(undefined);
  };

  const choose = (c: string) => {
    setCode(c);
    reset();
    setResult(undefined);
  };

  const submit = async (breachReason?: string) => {
    if (!item) return;
    if (outcome === 'correction' && Object.keys(ticked).length === 0) return setError(t.chooseOneMaterial);
    if (outcome === 'rejected' && !reason.trim()) return setError(t.reasonRequired);
    if (recordedHere && !amendReason.trim()) return setError(t.amendReasonRequired);
    setError(undefined);
    setBusy(true);
    const materials = outcome === 'correction' ? item.materials.filter((m) => m.id in ticked).map((m) => ({ id: m.id, reason: ticked[m.id]! })) : undefined;
    const common = {
      outcome,
      ...(materials ? { materials } : {}),
      ...(outcome === 'rejected' ? { reason: reason.trim() } : {}),
      ...(breachReason ? { breachReason } : {}),
    };
    const call = recordedHere
      ? bridge.call('amendOutcome', { caseNumber: recordedHere.number, amendReason: amendReason.trim(), ...common })
      : bridge.call('outcome', {
          serviceCode: item.code,
          ...common,
          ...(caseNumber.trim() ? { caseNumber: caseNumber.trim() } : {}),
          ...(name.trim() ? { applicant: { name: name.trim(), ...(idNumber.trim() ? { idNumber: idNumber.trim() } : {}), ...(phone.trim() ? { phone: phone.trim() } : {}) } } : {}),
        });
    const r = await call.catch((): OutcomeDone => ({ ok: false, code: 'internal', message: '' }));
    setBusy(false);
    if (!r.ok) {
      // 一次性告知: warned before anything is printed; the clerk confirms with the reason or goes back.
      if (r.code === 'notice-breach') return setBreach(r.newMaterials ?? []);
      setError(t.answer[r.code] ?? t.answer.internal);
      return;
    }
    setBreach(undefined);
    setResult({ outcome, done: r, ...(recordedHere ? { from: recordedHere.outcome } : {}) });
    // The result panel shows what the notice named; the form is ready for the next item.
    reset();
    say(true, `${recordedHere ? t.amended(t.outcome[recordedHere.outcome], t.outcome[outcome]) : t.recorded[outcome]}${r.case ? ` ${r.case.number}` : ''}`);
  };

  if (!item) return null;
  return (
    <div className="panel serve" data-testid="serve" data-amending={recordedHere ? recordedHere.number : ''}>
      <h2>
        {t.serveTitle}
        <span className="hint">{t.serveHint}</span>
      </h2>
      <div className="serve-grid">
        <div className="serve-form">
          <div className="row items" role="tablist" aria-label={t.item}>
            {desk.serves.map((i) => (
              <button key={i.code} role="tab" aria-selected={i.code === item.code} className={i.code === item.code ? 'chosen' : ''} onClick={() => choose(i.code)} data-item={i.code}>
                {i.name}
              </button>
            ))}
          </div>
          {recordedHere ? (
            <p className="recorded-here" data-testid="recorded-here">
              {t.recordedHere(t.outcome[recordedHere.outcome], recordedHere.number)}
            </p>
          ) : null}
          <div className="row outcomes" role="radiogroup">
            {OUTCOMES.map((o) => (
              <button key={o} role="radio" aria-checked={o === outcome} className={`outcome outcome-${o}${o === outcome ? ' chosen' : ''}`} data-outcome={o} onClick={() => (setOutcome(o), setError(undefined))}>
                {t.outcome[o]}
              </button>
            ))}
          </div>
          <p className="outcome-hint">{t.outcomeHint[outcome]}</p>
          {outcome === 'correction' ? (
            <fieldset className="materials" data-testid="materials">
              <legend>{t.missingMaterials}</legend>
              {item.materials.map((m) => (
                <div key={m.id} className={`material${m.id in ticked ? ' ticked' : ''}`}>
                  <label>
                    <input
                      type="checkbox"
                      data-material={m.id}
                      checked={m.id in ticked}
                      onChange={(e) =>
                        setTicked((prev) => {
                          const next = { ...prev };
                          if (e.target.checked) next[m.id] = t.missingReasons[0]!;
                          else delete next[m.id];
                          return next;
                        })
                      }
                    />
                    <span className="material-name">{m.name}</span>
                    <span className="material-form">
                      （{t.materialForm[m.form]} {m.count}）
                    </span>
                  </label>
                  {m.id in ticked ? (
                    <select aria-label={t.missingReason} value={ticked[m.id]} onChange={(e) => setTicked((prev) => ({ ...prev, [m.id]: e.target.value }))}>
                      {t.missingReasons.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  ) : null}
                </div>
              ))}
            </fieldset>
          ) : null}
          {outcome === 'rejected' ? (
            <label className="block">
              {t.rejectReason}
              <textarea name="reject-reason" value={reason} placeholder={t.rejectReasonHint} onChange={(e) => setReason(e.target.value)} maxLength={300} rows={2} />
            </label>
          ) : null}
          {recordedHere ? (
            <label className="block amend-reason">
              {t.amendReason}
              <input name="amend-reason" value={amendReason} placeholder={t.amendReasonHint} onChange={(e) => setAmendReason(e.target.value)} maxLength={200} />
            </label>
          ) : (
            <>
              {outcome === 'accepted' || outcome === 'correction' ? (
                <label className="block">
                  {t.continuesCase}
                  <input name="case-number" list="open-cases" value={caseNumber} placeholder={t.continuesCaseHint} onChange={(e) => setCaseNumber(e.target.value)} maxLength={40} />
                  <datalist id="open-cases">
                    {openCases.map((c) => (
                      <option key={c.number} value={c.number} />
                    ))}
                  </datalist>
                </label>
              ) : null}
              <fieldset className="applicant-fields">
                <legend>{t.applicant}</legend>
                <input name="applicant-name" placeholder={t.applicantName} value={name} onChange={(e) => setName(e.target.value)} maxLength={40} autoComplete="off" />
                <input name="applicant-id" placeholder={t.applicantId} value={idNumber} onChange={(e) => setIdNumber(e.target.value)} maxLength={18} autoComplete="off" />
                <input name="applicant-phone" placeholder={t.applicantPhone} value={phone} onChange={(e) => setPhone(e.target.value)} maxLength={16} autoComplete="off" />
              </fieldset>
            </>
          )}
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
          <button className="primary big record" onClick={() => void submit()} disabled={busy} data-testid="record-outcome">
            {recordedHere ? t.amendOutcome : t.recordOutcome}
          </button>
        </div>
        <Result t={t} result={result} />
      </div>
      {breach ? <BreachDialog t={t} materials={breach} close={() => setBreach(undefined)} confirm={(r) => void submit(r)} /> : null}
    </div>
  );
}

function Result({ t, result }: { t: WindowStrings; result?: Recorded }) {
  if (!result) return <div className="serve-result empty" />;
  const c: CaseCard | undefined = result.done.case;
  const last = result.outcome === 'correction' ? c?.notices[c.notices.length - 1] : undefined;
  return (
    <div className="serve-result" data-testid="outcome-result" data-outcome={result.outcome} data-amended={result.from ? 'yes' : 'no'}>
      <h3>{result.from ? t.amended(t.outcome[result.from], t.outcome[result.outcome]) : t.recorded[result.outcome]}</h3>
      {c ? <p className="case-number">{c.number}</p> : null}
      {c?.promisedDue && c.legalDue ? <p className="due"><DueDates t={t} promised={c.promisedDue} legal={c.legalDue} /></p> : null}
      {last ? <p className="listed">{last.materials.join('、')}</p> : null}
      <p className={result.done.printed.ok ? 'printed' : 'print-failed'}>{result.done.printed.ok ? t.printed[DOCUMENT_OF[result.outcome]] : t.printFailed(result.done.printed.code)}</p>
      {last?.breach ? (
        <div className="breach-banner" role="alert" data-testid="breach-banner">
          <strong>{t.breachTitle}</strong>
          <p>{t.breachText(last.newMaterials)}</p>
          {last.breachReason ? <p>{t.breachGiven(last.breachReason)}</p> : null}
        </div>
      ) : null}
    </div>
  );
}

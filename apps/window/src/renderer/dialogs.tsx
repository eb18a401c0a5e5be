import { useEffect, useState, type ReactNode } from 'react';
import type { Desk, Done } from '../shared/api';
import { answerText, type WindowStrings } from '../shared/strings';
import { bridge } from './bridge';

const failed = (): Done => ({ ok: false, code: 'internal', message: '' });

function Modal({ title, close, children, testId }: { title: string; close: () => void; children: ReactNode; testId: string }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [close]);
  return (
    <div className="modal-backdrop" onClick={close}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={title} data-testid={testId} onClick={(e) => e.stopPropagation()}>
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** 转办 keeps the ticket's place and first-responsible clerk (H-02); 指引 refers the citizen with the reason (H-06). */
export function TransferDialog({ t, desk, close, say }: { t: WindowStrings; desk: Desk; close: () => void; say: (ok: boolean, text: string) => void }) {
  const [kind, setKind] = useState<'transfer' | 'referral'>('transfer');
  const [toService, setToService] = useState('');
  const [toWindow, setToWindow] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const item = desk.targets.items.find((i) => i.code === toService);
  const windows = desk.targets.windows.filter((w) => (item ? w.serves.includes(item.code) : true));
  const consultation = desk.targets.consultationWindow;
  const submit = async () => {
    if (!reason.trim() || (!toService && !toWindow)) return setError(t.answer.invalid);
    const r = await bridge
      .call('transfer', { ...(toService ? { toService } : {}), ...(toWindow ? { toWindow: Number(toWindow) } : {}), reason: reason.trim(), referral: kind === 'referral' })
      .catch(failed);
    if (!r.ok) return setError(answerText(t, r));
    say(true, t.done[kind](r.ticket ?? desk.current?.number));
    close();
  };
  return (
    <Modal title={`${t.transferTitle} · ${desk.current?.number ?? ''}`} close={close} testId="transfer-dialog">
      <div className="row kinds">
        {(['transfer', 'referral'] as const).map((k) => (
          <button key={k} className={k === kind ? 'chosen' : ''} onClick={() => setKind(k)} data-kind={k}>
            {t.transferKind[k]}
          </button>
        ))}
      </div>
      <label className="block">
        {t.toItem}
        <select name="to-service" value={toService} onChange={(e) => (setToService(e.target.value), setToWindow(''))}>
          <option value="">—</option>
          {desk.targets.items.map((i) => (
            <option key={i.code} value={i.code}>
              {i.name}（{i.department}）
            </option>
          ))}
        </select>
      </label>
      <label className="block">
        {t.toWindow}
        <select name="to-window" value={toWindow} onChange={(e) => setToWindow(e.target.value)}>
          <option value="">{t.anyWindow}</option>
          {windows.map((w) => (
            <option key={w.number} value={w.number}>
              {w.number === consultation ? t.consultationDesk(w.number) : w.name}
              {w.open ? '' : t.windowNotOpen}
            </option>
          ))}
        </select>
      </label>
      {/* Chosen, or signed out while the dialog is open: the transfer goes, but nobody calls the citizen until someone signs in there. */}
      {toWindow && windows.some((w) => String(w.number) === toWindow && !w.open) ? (
        <p className="warning" role="status" data-testid="transfer-target-closed">
          {t.transferTargetClosed}
        </p>
      ) : null}
      {consultation !== undefined && kind === 'referral' ? (
        <button
          className="small"
          onClick={() => {
            const desk15 = desk.targets.windows.find((w) => w.number === consultation);
            setToService(desk15?.serves[0] ?? '');
            setToWindow(String(consultation));
          }}
        >
          {t.consultationDesk(consultation)}
        </button>
      ) : null}
      <label className="block">
        {t.transferReason}
        <input name="transfer-reason" value={reason} placeholder={t.transferReasonHint} onChange={(e) => setReason(e.target.value)} maxLength={200} />
      </label>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row buttons">
        <button onClick={close}>{t.cancel}</button>
        <button className="primary" onClick={submit} data-testid="transfer-confirm">
          {kind === 'transfer' ? t.transferDo : t.referralDo}
        </button>
      </div>
    </Modal>
  );
}

/** A pause needs its reason and is timed (H-18). */
export function PauseDialog({ t, close, say }: { t: WindowStrings; close: () => void; say: (ok: boolean, text: string) => void }) {
  const [choice, setChoice] = useState(t.pauseReasons[0]!);
  const [other, setOther] = useState('');
  const [error, setError] = useState<string>();
  const submit = async () => {
    const reason = choice === t.pauseOther ? other.trim() : choice;
    if (!reason) return setError(t.pauseOtherHint);
    const r = await bridge.call('pause', { reason }).catch(failed);
    if (!r.ok) return setError(t.answer[r.code] ?? t.answer.internal);
    say(true, t.done.pause());
    close();
  };
  return (
    <Modal title={t.pauseTitle} close={close} testId="pause-dialog">
      <div className="row reasons">
        {[...t.pauseReasons, t.pauseOther].map((r) => (
          <button key={r} className={r === choice ? 'chosen' : ''} onClick={() => setChoice(r)} data-reason={r}>
            {r}
          </button>
        ))}
      </div>
      {choice === t.pauseOther ? <input name="pause-other" autoFocus value={other} placeholder={t.pauseOtherHint} onChange={(e) => setOther(e.target.value)} maxLength={200} /> : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row buttons">
        <button onClick={close}>{t.cancel}</button>
        <button className="primary" onClick={submit} data-testid="pause-confirm">
          {t.pauseDo}
        </button>
      </div>
    </Modal>
  );
}

/** A call out of order says why (N-06). */
export function OutOfOrderDialog({ t, ticketId, number, close, say }: { t: WindowStrings; ticketId: string; number: string; close: () => void; say: (ok: boolean, text: string) => void }) {
  const [reason, setReason] = useState(t.outOfOrderReasons[0]!);
  const [error, setError] = useState<string>();
  const submit = async () => {
    if (!reason.trim()) return setError(t.outOfOrderReason);
    const r = await bridge.call('callTicket', { ticketId, reason: reason.trim() }).catch(failed);
    if (!r.ok) return setError(t.answer[r.code] ?? t.answer.internal);
    say(true, t.done.callTicket(r.ticket ?? number));
    close();
  };
  return (
    <Modal title={t.outOfOrderTitle(number)} close={close} testId="out-of-order-dialog">
      <p>{t.outOfOrderReason}</p>
      <div className="row reasons">
        {t.outOfOrderReasons.map((r) => (
          <button key={r} className={r === reason ? 'chosen' : ''} onClick={() => setReason(r)}>
            {r}
          </button>
        ))}
      </div>
      <input name="out-of-order-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} />
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row buttons">
        <button onClick={close}>{t.cancel}</button>
        <button className="primary" onClick={submit}>
          {t.confirm}
        </button>
      </div>
    </Modal>
  );
}

/**
 * 一次性告知 (H-03): a correction notice that adds material earlier notices did not name is warned
 * here before it is printed; the clerk gives it only with the reason, or goes back to the form.
 */
export function BreachDialog({ t, materials, close, confirm }: { t: WindowStrings; materials: string[]; close: () => void; confirm: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const submit = () => {
    if (!reason.trim()) return setError(t.breachReasonRequired);
    confirm(reason.trim());
  };
  return (
    <Modal title={t.breachDialogTitle} close={close} testId="breach-dialog">
      <p className="breach-warning" role="alert">
        {t.breachDialogText(materials)}
      </p>
      <label className="block">
        {t.breachReason}
        <input name="breach-reason" autoFocus value={reason} placeholder={t.breachReasonHint} onChange={(e) => setReason(e.target.value)} maxLength={200} />
      </label>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row buttons">
        <button onClick={close} data-testid="breach-back">
          {t.breachBack}
        </button>
        <button className="primary" onClick={submit} data-testid="breach-confirm">
          {t.breachConfirm}
        </button>
      </div>
    </Modal>
  );
}

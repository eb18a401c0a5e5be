import { FOLLOW_UP_STEPS, nextFollowUpStep, type EvidenceRef, type FollowUp, type FollowUpStep } from '@servicehall/core';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, upload } from '../api';
import { ErrorLine, useConsole } from '../App';
import { StaleDraft } from '../stale-draft';
import { staffNameOf, useStaffNameOf } from '../staff-names';

/** A due day as the list shows it: overdue in red, due today marked. */
export function Due({ day, due, done }: { day: string; due?: string; done?: boolean }) {
  const { cw } = useConsole();
  if (!due) return <>—</>;
  return (
    <span className={!done && day > due ? 'late' : undefined}>
      {due}
      {!done && day > due && <span className="tag bad">{cw.overdue}</span>}
      {!done && day === due && <span className="tag warn">{cw.dueToday}</span>}
    </span>
  );
}

function appealText(f: FollowUp, cw: ReturnType<typeof useConsole>['cw']): string {
  if (!f.appeal) return '—';
  if (!f.appeal.decision) return cw.followUps.appealPending;
  return f.appeal.decision.upheld ? cw.followUps.appealUpheld : cw.followUps.appealRejected;
}

/** Bad ratings' follow-ups by the deadline of their next step (N-03). */
export function FollowUpsPage() {
  const { cw, live } = useConsole();
  const [closed, setClosed] = useState(false);
  const [list, setList] = useState<{ day: string; followUps: FollowUp[] }>();
  const [error, setError] = useState<unknown>();
  useEffect(() => void api<{ day: string; followUps: FollowUp[] }>('GET', `/api/follow-ups${closed ? '?closed=1' : ''}`).then(setList, setError), [closed, live.casework]);
  const day = list?.day ?? '';
  // The clerk as the follow-up's own pages name people: 徐静（1011）.
  const clerkName = (n?: string) => staffNameOf(n, [], live.view?.catalogue.clerks ?? [], cw.complaints);
  return (
    <>
      <div className="row spread">
        <h1>{cw.followUps.title}</h1>
        <button className="ghost" onClick={() => setClosed(!closed)}>
          {closed ? cw.showOpen : cw.showClosed}
        </button>
      </div>
      <p>{cw.followUps.lead}</p>
      <ErrorLine error={error} />
      <section className="card">
        {list && list.followUps.length === 0 && <p className="dim">{cw.followUps.empty}</p>}
        {list && list.followUps.length > 0 && (
          <table className="casework">
            <thead>
              <tr>
                <th>{cw.followUps.id}</th>
                <th>{cw.followUps.openedOn}</th>
                <th>{cw.followUps.window}</th>
                <th>{cw.followUps.clerk}</th>
                <th>{cw.followUps.level}</th>
                <th>{cw.followUps.department}</th>
                <th>{cw.followUps.next}</th>
                <th>{cw.due}</th>
                <th>{cw.followUps.appeal}</th>
              </tr>
            </thead>
            <tbody>
              {list.followUps.map((f) => {
                const step = nextFollowUpStep(f);
                return (
                  <tr key={f.id}>
                    <td>
                      <Link to={`/follow-ups/${encodeURIComponent(f.id)}`}>{f.id}</Link>
                    </td>
                    <td>{f.openedOn}</td>
                    <td>{f.window}</td>
                    <td>{clerkName(f.clerk)}</td>
                    <td>{cw.levels[f.level] ?? f.level}</td>
                    <td>{f.department ?? '—'}</td>
                    <td>{step ? cw.steps[step] : cw.followUps.closed}</td>
                    <td>
                      <Due day={day} due={step ? f.due[step] : undefined} />
                    </td>
                    <td>{appealText(f, cw)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

/** One follow-up: its four steps with text and evidence, the next step's form, the appeal and its review. */
export function FollowUpPage() {
  const { cw, staff, times, live } = useConsole();
  const who = useStaffNameOf(live.view?.catalogue.clerks ?? [], cw.complaints);
  const { id = '' } = useParams();
  const [data, setData] = useState<{ day: string; followUp: FollowUp }>();
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  /** The step the note and files were written for: another's hand may move the follow-up on under them. */
  const [draftFor, setDraftFor] = useState<FollowUpStep>();
  const [reason, setReason] = useState('');
  const [decision, setDecision] = useState('');
  const [busy, setBusy] = useState(false);
  const load = () => api<{ day: string; followUp: FollowUp }>('GET', `/api/follow-ups/${encodeURIComponent(id)}`).then(setData, setError);
  useEffect(() => void load(), [id, live.casework]);
  if (!data) return <ErrorLine error={error} />;
  const f = data.followUp;
  const step = nextFollowUpStep(f);
  const when = (at: number) => times.at(at);
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      await load();
      return true;
    } catch (err) {
      setError(err);
      // Refused because someone else acted first: show the follow-up as it is now beside the reason.
      void load();
      return false;
    } finally {
      setBusy(false);
    }
  };
  const advance = () =>
    act(async () => {
      const evidence: EvidenceRef[] = [];
      for (const file of files) evidence.push((await upload<{ evidence: EvidenceRef }>(`/api/evidence?name=${encodeURIComponent(file.name)}`, file)).evidence);
      await api('POST', `/api/follow-ups/${encodeURIComponent(f.id)}/advance`, { step, note, ...(evidence.length ? { evidence } : {}) });
    }).then((done) => {
      if (done) {
        setNote('');
        setFiles([]);
        setDraftFor(undefined);
      }
    });
  // What was written for a step someone else has completed meanwhile (the live link, or a refusal) is kept
  // and shown, never left in the next step's form to be sent as that step's record.
  const staleDraft = step !== undefined && draftFor !== undefined && draftFor !== step && (note.trim() !== '' || files.length > 0);
  const handles = staff?.role === 'administrator' || staff?.role === 'supervisor' || (staff?.role === 'department-head' && staff.department === f.department);
  const supervises = staff?.role === 'administrator' || staff?.role === 'supervisor';
  return (
    <>
      <p>
        <Link to="/follow-ups">← {cw.back}</Link>
      </p>
      <h1>
        {cw.followUps.title} {f.id}
      </h1>
      <section className="card">
        <div className="facts">
          <span>
            {cw.followUps.openedOn}：{f.openedOn}
          </span>
          <span>
            {cw.followUps.window}：{f.window}
          </span>
          <span>
            {cw.followUps.clerk}：{who(f.clerk)}
          </span>
          <span>
            {cw.followUps.level}：{cw.levels[f.level] ?? f.level}
          </span>
          <span>
            {cw.followUps.department}：{f.department ?? '—'}
          </span>
          {f.closure && <span className="tag">{f.closure.how === 'revisited' ? cw.followUps.closedRevisited : cw.followUps.closedUpheld}</span>}
        </div>
      </section>
      <ErrorLine error={error} />
      <ol className="steps-list">
        {FOLLOW_UP_STEPS.map((s) => {
          const done = f.done.find((d) => d.step === s);
          return (
            <li key={s} className={done ? 'done' : s === step ? 'current' : 'later'} data-step={s}>
              <div className="row spread">
                <strong>{cw.steps[s]}</strong>
                <span>
                  {cw.due}：<Due day={data.day} due={f.due[s]} done={!!done || f.closed} />
                </span>
              </div>
              {done ? (
                <div>
                  <p className="step-note">{done.note}</p>
                  <p className="small">
                    {cw.by}：{who(done.by)} · {when(done.at)}
                  </p>
                  {done.evidence && done.evidence.length > 0 && (
                    <p className="small">
                      {cw.followUps.attached}：
                      {done.evidence.map((e) => (
                        <a key={e.hash} className="evidence" href={`/api/evidence/${e.hash}`} target="_blank" rel="noreferrer">
                          {e.name} ({Math.ceil(e.size / 1024)} KB)
                        </a>
                      ))}
                    </p>
                  )}
                </div>
              ) : s === step && handles && staleDraft ? (
                <StaleDraft
                  said={cw.followUps.staleDraft(cw.steps[draftFor!]!, cw.steps[s]!)}
                  text={note}
                  files={files}
                  use={cw.followUps.useDraft(cw.steps[s]!)}
                  drop={cw.followUps.dropDraft}
                  onUse={() => setDraftFor(s)}
                  onDrop={() => {
                    setNote('');
                    setFiles([]);
                    setDraftFor(undefined);
                  }}
                />
              ) : s === step && handles ? (
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    void advance();
                  }}
                >
                  <label>
                    {cw.followUps.stepText}
                    <textarea
                      name="note"
                      rows={3}
                      value={note}
                      maxLength={500}
                      onChange={(e) => {
                        setNote(e.target.value);
                        setDraftFor(s);
                      }}
                      required
                    />
                  </label>
                  {/* The browser's own file button speaks the browser's language: this one speaks the console's. */}
                  <div className="files">
                    <span>{cw.followUps.evidence}</span>
                    <label className="button ghost">
                      {cw.followUps.chooseFiles}
                      <input name="evidence" type="file" multiple hidden accept="image/jpeg,image/png,application/pdf" onChange={(e) => {
                          setFiles([...(e.target.files ?? [])]);
                          setDraftFor(s);
                        }}
                      />
                    </label>
                    <span className="small dim">{files.length > 0 ? files.map((f) => f.name).join('、') : cw.followUps.noFiles}</span>
                  </div>
                  <button type="submit" disabled={busy || !note.trim()}>
                    {cw.followUps.complete(cw.steps[s]!)}
                  </button>
                </form>
              ) : (
                <p className="dim">{f.closed ? '—' : cw.followUps.waiting}</p>
              )}
            </li>
          );
        })}
      </ol>
      <section className="card">
        <h2>{cw.followUps.appealTitle}</h2>
        {f.appeal ? (
          <>
            <p>
              {cw.followUps.appealReason}：{f.appeal.reason}
            </p>
            <p className="small">
              {who(f.appeal.by)} · {when(f.appeal.at)}
            </p>
            {f.appeal.decision ? (
              <p>
                <span className="tag">{f.appeal.decision.upheld ? cw.followUps.appealUpheld : cw.followUps.appealRejected}</span> {f.appeal.decision.note}（{who(f.appeal.decision.by)}）
              </p>
            ) : supervises ? (
              <form onSubmit={(e) => e.preventDefault()}>
                <label>
                  {cw.followUps.decision}
                  <textarea name="decision" rows={2} value={decision} onChange={(e) => setDecision(e.target.value)} />
                </label>
                <div className="row">
                  <button type="button" disabled={busy || !decision.trim()} onClick={() => void act(() => api('POST', `/api/follow-ups/${encodeURIComponent(f.id)}/appeal/decision`, { upheld: true, note: decision }))}>
                    {cw.followUps.uphold}
                  </button>
                  <button type="button" className="ghost" disabled={busy || !decision.trim()} onClick={() => void act(() => api('POST', `/api/follow-ups/${encodeURIComponent(f.id)}/appeal/decision`, { upheld: false, note: decision }))}>
                    {cw.followUps.reject}
                  </button>
                </div>
              </form>
            ) : (
              <p className="dim">{cw.followUps.appealPending}</p>
            )}
          </>
        ) : staff?.role === 'clerk' && staff.id === f.clerk && !f.closed ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => api('POST', `/api/follow-ups/${encodeURIComponent(f.id)}/appeal`, { reason }));
            }}
          >
            <label>
              {cw.followUps.appealReason}
              <textarea name="reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} required />
            </label>
            <button type="submit" disabled={busy || !reason.trim()}>
              {cw.followUps.appealSend}
            </button>
          </form>
        ) : (
          <p className="dim">{cw.none}</p>
        )}
      </section>
    </>
  );
}

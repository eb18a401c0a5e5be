import type { Complaint } from '@servicehall/core';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api';
import { ErrorLine, useConsole } from '../App';
import { StaleDraft } from '../stale-draft';
import { Due } from './FollowUps';
import { useStaffNameOf } from '../staff-names';

const SOURCES = ['hotline-12345', 'complaint-window', 'qr', 'letter', 'other'] as const;
const CHANNELS = ['phone', 'sms', 'letter', 'in-person', 'hotline'] as const;

/** Open complaints by deadline, overdue and escalated ones marked; a supervisor registers new ones (H-15). */
export function ComplaintsPage() {
  const { cw, staff, live } = useConsole();
  const navigate = useNavigate();
  const [closed, setClosed] = useState(false);
  const [list, setList] = useState<{ day: string; complaints: Complaint[] }>();
  const [error, setError] = useState<unknown>();
  const [form, setForm] = useState({ source: 'hotline-12345', sourceRef: '', summary: '', complainant: '', ticketId: '', caseNumber: '', window: '', clerk: '', department: '' });
  const departments = live.view?.catalogue.departments ?? [];
  useEffect(() => void api<{ day: string; complaints: Complaint[] }>('GET', `/api/complaints${closed ? '?closed=1' : ''}`).then(setList, setError), [closed, live.casework]);
  const supervises = staff?.role === 'administrator' || staff?.role === 'supervisor';
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const register = async () => {
    setError(undefined);
    const about = {
      ...(form.ticketId.trim() ? { ticketId: form.ticketId.trim() } : {}),
      ...(form.caseNumber.trim() ? { caseNumber: form.caseNumber.trim() } : {}),
      ...(form.window.trim() ? { window: Number(form.window) } : {}),
      ...(form.clerk.trim() ? { clerk: form.clerk.trim() } : {}),
    };
    try {
      const r = await api<{ complaint: Complaint }>('POST', '/api/complaints', {
        source: form.source,
        summary: form.summary,
        about,
        ...(form.sourceRef.trim() ? { sourceRef: form.sourceRef.trim() } : {}),
        ...(form.complainant.trim() ? { complainant: form.complainant.trim() } : {}),
        ...(form.department ? { department: form.department } : {}),
      });
      navigate(`/complaints/${r.complaint.id}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <div className="row spread">
        <h1>{cw.complaints.title}</h1>
        <button className="ghost" onClick={() => setClosed(!closed)}>
          {closed ? cw.showOpen : cw.showClosed}
        </button>
      </div>
      <p>{cw.complaints.lead}</p>
      <ErrorLine error={error} />
      <section className="card">
        {list && list.complaints.length === 0 && <p className="dim">{cw.complaints.empty}</p>}
        {list && list.complaints.length > 0 && (
          <table className="casework">
            <thead>
              <tr>
                <th>{cw.complaints.id}</th>
                <th>{cw.complaints.source}</th>
                <th>{cw.complaints.summary}</th>
                <th>{cw.complaints.department}</th>
                <th>{cw.complaints.state}</th>
                <th>{cw.due}</th>
              </tr>
            </thead>
            <tbody>
              {list.complaints.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/complaints/${c.id}`}>{c.id}</Link>
                  </td>
                  <td>{cw.complaints.sources[c.source]}</td>
                  <td className="summary">{c.summary}</td>
                  <td>{c.department ?? '—'}</td>
                  <td>
                    {cw.complaints.states[c.state]}
                    {c.escalated && <span className="tag bad">{cw.complaints.escalated}</span>}
                  </td>
                  <td>
                    <Due day={list.day} due={c.due} done={!!c.reply || !!c.closed} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {supervises && (
        <section className="card">
          <h2>{cw.complaints.new}</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void register();
            }}
          >
            <div className="grid four">
              <label>
                {cw.complaints.source}
                <select name="source" value={form.source} onChange={set('source')}>
                  {SOURCES.map((s) => (
                    <option key={s} value={s}>
                      {cw.complaints.sources[s]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {cw.complaints.sourceRef}
                <input name="sourceRef" value={form.sourceRef} onChange={set('sourceRef')} maxLength={60} />
              </label>
              <label>
                {cw.complaints.complainant}
                <input name="complainant" value={form.complainant} onChange={set('complainant')} maxLength={40} />
              </label>
              <label>
                {cw.complaints.department}
                <select name="department" value={form.department} onChange={set('department')}>
                  <option value="">{cw.complaints.auto}</option>
                  {departments.map((d) => (
                    <option key={d.name} value={d.name}>
                      {d.name}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <label>
              {cw.complaints.summary}
              <textarea name="summary" rows={3} value={form.summary} onChange={set('summary')} maxLength={1000} required />
            </label>
            <h3>{cw.complaints.about}</h3>
            <div className="grid four">
              <label>
                {cw.complaints.ticket}
                <input name="ticketId" value={form.ticketId} onChange={set('ticketId')} />
              </label>
              <label>
                {cw.complaints.caseNumber}
                <input name="caseNumber" value={form.caseNumber} onChange={set('caseNumber')} />
              </label>
              <label>
                {cw.complaints.window}
                <input name="window" inputMode="numeric" value={form.window} onChange={set('window')} />
              </label>
              <label>
                {cw.complaints.clerk}
                <input name="clerk" value={form.clerk} onChange={set('clerk')} />
              </label>
            </div>
            <button type="submit" disabled={!form.summary.trim()}>
              {cw.complaints.register}
            </button>
          </form>
        </section>
      )}
    </>
  );
}

/** One complaint: what it is about, its deadline, assignment, escalation, reply, closure and history. */
export function ComplaintPage() {
  const { cw, staff, times, live } = useConsole();
  const who = useStaffNameOf(live.view?.catalogue.clerks ?? [], cw.complaints);
  const { id = '' } = useParams();
  const [data, setData] = useState<{ day: string; complaint: Complaint }>();
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  /** The complaint's state when the note was written: another's hand may move it on under the note. */
  const [draftState, setDraftState] = useState<string>();
  const [department, setDepartment] = useState('');
  const [channel, setChannel] = useState<string>('phone');
  const [satisfied, setSatisfied] = useState(true);
  const load = () => api<{ day: string; complaint: Complaint }>('GET', `/api/complaints/${encodeURIComponent(id)}`).then(setData, setError);
  useEffect(() => void load(), [id, live.casework]);
  if (!data) return <ErrorLine error={error} />;
  const c = data.complaint;
  const when = (at: number) => times.at(at);
  const supervises = staff?.role === 'administrator' || staff?.role === 'supervisor';
  const mayReply = supervises || (staff?.role === 'department-head' && staff.department === c.department);
  const departments = live.view?.catalogue.departments ?? [];
  const advance = async (action: 'assign' | 'reply' | 'close', extra: object) => {
    setError(undefined);
    try {
      await api('POST', `/api/complaints/${c.id}/advance`, { action, note, ...extra });
      setNote('');
      setDraftState(undefined);
      await load();
    } catch (err) {
      setError(err);
      // Refused because someone else acted first: show the complaint as it is now beside the reason.
      void load();
    }
  };
  // A reply written while someone else replied is kept and shown, never left in the box as the closing note.
  const staleDraft = draftState !== undefined && draftState !== c.state && note.trim() !== '';
  const about = [
    c.about.ticketId && `${cw.complaints.ticket} ${c.about.ticketId}`,
    c.about.caseNumber && `${cw.complaints.caseNumber} ${c.about.caseNumber}`,
    c.about.window && `${cw.complaints.window} ${c.about.window}`,
    c.about.clerk && `${cw.complaints.clerk} ${c.about.clerk}`,
  ].filter(Boolean);
  return (
    <>
      <p>
        <Link to="/complaints">← {cw.back}</Link>
      </p>
      <h1>
        {cw.complaints.title} {c.id}
      </h1>
      <section className="card">
        <div className="facts">
          <span>
            {cw.complaints.source}：{cw.complaints.sources[c.source]}
            {c.sourceRef ? `（${c.sourceRef}）` : ''}
          </span>
          <span>
            {cw.complaints.receivedOn}：{c.receivedOn}
          </span>
          <span>
            {cw.complaints.complainantShown}：{c.complainant ?? '—'}
          </span>
          <span>
            {cw.complaints.department}：{c.department ?? '—'}
          </span>
          <span>
            {cw.complaints.state}：{cw.complaints.states[c.state]}
          </span>
          <span>
            {cw.due}：<Due day={data.day} due={c.due} done={!!c.reply || !!c.closed} />
          </span>
          {c.escalated && <span className="tag bad">{cw.complaints.escalated}</span>}
        </div>
        <p className="summary-text">{c.summary}</p>
        {about.length > 0 && (
          <p className="small">
            {cw.complaints.about}：{about.join('，')}
            {c.about.caseNumber && (
              <>
                {' '}
                <Link to={`/cases/${c.about.caseNumber}`}>{cw.open}</Link>
              </>
            )}
          </p>
        )}
        {c.reply && (
          <p>
            <strong>{cw.complaints.reply}</strong>（{cw.complaints.channels[c.reply.channel]}）：{c.reply.text}
          </p>
        )}
      </section>
      <ErrorLine error={error} />
      {!c.closed && (supervises || mayReply) && (
        <section className="card">
          {staleDraft ? (
            <StaleDraft
              said={cw.complaints.staleDraft(cw.complaints.states[c.state] ?? c.state)}
              text={note}
              use={cw.complaints.useDraft}
              drop={cw.complaints.dropDraft}
              onUse={() => setDraftState(c.state)}
              onDrop={() => {
                setNote('');
                setDraftState(undefined);
              }}
            />
          ) : (
            <label>
              {c.reply ? cw.note : mayReply && c.state !== 'registered' ? cw.complaints.replyText : cw.note}
              <textarea
                name="note"
                rows={3}
                value={note}
                onChange={(e) => {
                  setNote(e.target.value);
                  setDraftState(c.state);
                }}
                maxLength={1000}
              />
            </label>
          )}
          <div className="row wrap">
            {supervises && !c.reply && (
              <>
                <label>
                  {cw.complaints.assignTo}
                  <select name="department" value={department} onChange={(e) => setDepartment(e.target.value)}>
                    <option value="">—</option>
                    {departments.map((d) => (
                      <option key={d.name} value={d.name}>
                        {d.name}
                      </option>
                    ))}
                  </select>
                </label>
                <button className="ghost" disabled={staleDraft || !note.trim() || !department} onClick={() => void advance('assign', { department })}>
                  {cw.complaints.assign}
                </button>
              </>
            )}
            {mayReply && !c.reply && (
              <>
                <label>
                  {cw.complaints.channel}
                  <select name="channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
                    {CHANNELS.map((x) => (
                      <option key={x} value={x}>
                        {cw.complaints.channels[x]}
                      </option>
                    ))}
                  </select>
                </label>
                <button disabled={staleDraft || !note.trim()} onClick={() => void advance('reply', { channel })}>
                  {cw.complaints.reply}
                </button>
              </>
            )}
            {supervises && c.reply && (
              <>
                <label className="chip">
                  <input type="checkbox" checked={satisfied} onChange={(e) => setSatisfied(e.target.checked)} /> {cw.complaints.satisfied}
                </label>
                <button disabled={staleDraft || !note.trim()} onClick={() => void advance('close', { satisfied })}>
                  {cw.complaints.close}
                </button>
              </>
            )}
          </div>
        </section>
      )}
      <section className="card">
        <h2>{cw.complaints.history}</h2>
        <table className="casework">
          <tbody>
            {c.history.map((h, i) => (
              <tr key={i}>
                <td>{when(h.at)}</td>
                <td>{cw.complaints.actions[h.action] ?? h.action}</td>
                <td>{who(h.by)}</td>
                <td>{h.action === 'escalated' && c.escalated ? `${cw.due}：${c.escalated.overdueSince}` : (h.note ?? '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

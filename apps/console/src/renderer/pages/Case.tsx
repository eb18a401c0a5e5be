import { currentRouteStep, type Case as HallCase, type CaseRoute, type Delivery } from '@servicehall/core';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api } from '../api';
import { ErrorLine, useConsole } from '../App';
import { Due } from './FollowUps';

interface CaseData {
  case: HallCase;
  delivery: Delivery | null;
  route: CaseRoute | null;
}

/** A case by its number: its progress, its route between departments (H-10) and the delivery of its result (H-12). */
export function CasePage() {
  const { cw, staff, times, live } = useConsole();
  const { number = '' } = useParams();
  const navigate = useNavigate();
  const [wanted, setWanted] = useState(number);
  const [data, setData] = useState<CaseData>();
  const [error, setError] = useState<unknown>();
  const [route, setRoute] = useState({ to: '', days: '', note: '' });
  const [d, setD] = useState({ method: 'window', channel: 'sms', tracking: '', signedBy: '', items: '' });
  const load = () => (number ? api<CaseData>('GET', `/api/cases/${encodeURIComponent(number)}/delivery`).then(setData, setError) : Promise.resolve());
  useEffect(() => {
    setData(undefined);
    setError(undefined);
    setWanted(number);
    void load();
  }, [number, live.casework]);
  const when = (at?: number) => (at ? times.at(at) : '—');
  const send = async (path: string, body: object) => {
    setError(undefined);
    try {
      await api('POST', path, body);
      await load();
      return true;
    } catch (err) {
      setError(err);
      // Refused because someone else recorded it first: show the case as it is now beside the reason.
      void load();
      return false;
    }
  };
  const departments = live.view?.catalogue.departments ?? [];
  const itemName = (code: string) => live.view?.catalogue.items.find((i) => i.code === code)?.name ?? code;
  const c = data?.case;
  const r = data?.route;
  const dv = data?.delivery;
  const holding = r ? currentRouteStep(r) : undefined;
  // Supervisors route any case; a department head hands on what their department holds (the item's, before any hand-over).
  const holder = holding?.department ?? (r ? undefined : live.view?.catalogue.items.find((i) => i.code === c?.serviceCode)?.department);
  const mayRoute = staff?.role === 'administrator' || staff?.role === 'supervisor' || (staff?.role === 'department-head' && staff.department === holder);
  const path = `/api/cases/${encodeURIComponent(number)}`;
  return (
    <>
      <h1>{cw.cases.title}</h1>
      <p>{cw.cases.lead}</p>
      <section className="card">
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (wanted.trim()) navigate(`/cases/${encodeURIComponent(wanted.trim())}`);
          }}
        >
          <label>
            {cw.cases.number}
            <input name="caseNumber" value={wanted} onChange={(e) => setWanted(e.target.value)} />
          </label>
          <button type="submit" disabled={!wanted.trim()}>
            {cw.cases.find}
          </button>
        </form>
      </section>
      <ErrorLine error={error} />
      {c && (
        <>
          <section className="card">
            <h2>{c.number}</h2>
            <div className="facts">
              <span>
                {cw.cases.item}：{itemName(c.serviceCode)}
              </span>
              <span>
                {cw.cases.state}：{cw.cases.states[c.state] ?? c.state}
              </span>
              <span>
                {cw.cases.acceptedOn}：{c.acceptedOn ?? '—'}
              </span>
              <span>
                {cw.cases.promisedDue}：{c.promisedDue ?? '—'}
              </span>
              <span>
                {cw.cases.applicant}：{c.applicant?.name ?? '—'}
              </span>
            </div>
          </section>
          <section className="card">
            <h2>{cw.routes.title}</h2>
            {r ? (
              <table className="casework">
                <thead>
                  <tr>
                    <th>{cw.routes.from}</th>
                    <th>{cw.routes.holder}</th>
                    <th>{cw.routes.since}</th>
                    <th>{cw.due}</th>
                    <th>{cw.note}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.steps.map((s, i) => (
                    <tr key={i}>
                      <td>{s.from ?? '—'}</td>
                      <td>{s.department}</td>
                      <td>{when(s.at)}</td>
                      <td>
                        <Due day={live.view?.day ?? ''} due={s.due} done={s.doneAt !== undefined} />
                      </td>
                      <td>{s.note}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="dim">{cw.none}</p>
            )}
            {r?.state === 'done' && <p className="tag">{cw.routes.finished}</p>}
            {mayRoute && r?.state !== 'done' && (
              <form
                className="row wrap"
                onSubmit={(e) => {
                  e.preventDefault();
                  void send(`${path}/route`, { toDepartment: route.to, note: route.note, ...(route.days ? { days: Number(route.days) } : {}) }).then((ok) => ok && setRoute({ to: '', days: '', note: '' }));
                }}
              >
                <label>
                  {cw.routes.handTo}
                  <select name="toDepartment" value={route.to} onChange={(e) => setRoute({ ...route, to: e.target.value })}>
                    <option value="">—</option>
                    {departments.map((x) => (
                      <option key={x.name} value={x.name}>
                        {x.name}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  {cw.routes.days}
                  <input name="days" inputMode="numeric" value={route.days} onChange={(e) => setRoute({ ...route, days: e.target.value })} size={4} />
                </label>
                <label>
                  {cw.note}
                  <input name="routeNote" value={route.note} onChange={(e) => setRoute({ ...route, note: e.target.value })} />
                </label>
                <button type="submit" disabled={!route.to || !route.note.trim()}>
                  {cw.routes.send}
                </button>
                {holding && (
                  <button type="button" className="ghost" disabled={!route.note.trim()} onClick={() => void send(`${path}/route`, { finish: true, note: route.note })}>
                    {cw.routes.finish}
                  </button>
                )}
              </form>
            )}
          </section>
          <section className="card delivery">
            <h2>{cw.cases.delivery}</h2>
            <dl className="facts-list">
              <dt>{cw.cases.method}</dt>
              <dd>{dv?.method ? cw.cases.methods[dv.method] : cw.cases.notYet}</dd>
              <dt>{cw.cases.notices}</dt>
              <dd>{dv?.notices.length ? dv.notices.map((n) => `${cw.cases.noticeChannels[n.channel]} ${when(n.at)}`).join('；') : cw.cases.notYet}</dd>
              <dt>{cw.cases.sent}</dt>
              <dd>{dv?.sent ? `${when(dv.sent.at)} ${dv.sent.trackingNumber ? `${cw.cases.tracking} ${dv.sent.trackingNumber}` : ''}` : cw.cases.notYet}</dd>
              <dt>{cw.cases.delivered}</dt>
              <dd>{dv?.delivered ? `${dv.delivered.signedBy ?? ''} ${when(dv.delivered.at)}` : cw.cases.notYet}</dd>
              <dt>{cw.cases.originals}</dt>
              <dd>{dv?.originals ? `${dv.originals.items}（${dv.originals.signedBy}）${when(dv.originals.at)}` : cw.cases.notYet}</dd>
            </dl>
            {c.state === 'accepted' && (
              <div className="grid two">
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    void send(`${path}/delivery`, { action: 'notify', channel: d.channel, method: d.method });
                  }}
                >
                  <div className="row wrap">
                    <label>
                      {cw.cases.method}
                      <select name="method" value={d.method} onChange={(e) => setD({ ...d, method: e.target.value })}>
                        {(['window', 'post', 'electronic'] as const).map((m) => (
                          <option key={m} value={m}>
                            {cw.cases.methods[m]}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label>
                      {cw.cases.notices}
                      <select name="channel" value={d.channel} onChange={(e) => setD({ ...d, channel: e.target.value })}>
                        {(['sms', 'phone', 'app', 'letter'] as const).map((m) => (
                          <option key={m} value={m}>
                            {cw.cases.noticeChannels[m]}
                          </option>
                        ))}
                      </select>
                    </label>
                    <button type="submit">{cw.cases.notify}</button>
                  </div>
                </form>
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    void send(`${path}/delivery`, { action: 'send', method: d.method === 'window' ? 'post' : d.method, ...(d.tracking.trim() ? { trackingNumber: d.tracking.trim() } : {}) });
                  }}
                >
                  <div className="row wrap">
                    <label>
                      {cw.cases.tracking}
                      <input name="tracking" value={d.tracking} onChange={(e) => setD({ ...d, tracking: e.target.value })} />
                    </label>
                    <button type="submit" disabled={!!dv?.sent || !!dv?.delivered}>
                      {cw.cases.send}
                    </button>
                  </div>
                </form>
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    void send(`${path}/delivery`, { action: 'hand-over', ...(d.signedBy.trim() ? { signedBy: d.signedBy.trim() } : {}) });
                  }}
                >
                  <div className="row wrap">
                    <label>
                      {cw.cases.signedBy}
                      <input name="signedBy" value={d.signedBy} onChange={(e) => setD({ ...d, signedBy: e.target.value })} />
                    </label>
                    <button type="submit" disabled={!!dv?.delivered}>
                      {cw.cases.handOver}
                    </button>
                  </div>
                </form>
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    void send(`${path}/delivery`, { action: 'return-originals', items: d.items, signedBy: d.signedBy });
                  }}
                >
                  <div className="row wrap">
                    <label>
                      {cw.cases.items}
                      <input name="items" value={d.items} onChange={(e) => setD({ ...d, items: e.target.value })} />
                    </label>
                    <button type="submit" disabled={!!dv?.originals || !d.items.trim() || !d.signedBy.trim()}>
                      {cw.cases.returnOriginals}
                    </button>
                  </div>
                </form>
              </div>
            )}
          </section>
        </>
      )}
    </>
  );
}

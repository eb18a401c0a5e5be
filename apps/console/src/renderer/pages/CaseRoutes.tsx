import { currentRouteStep, type CaseRoute } from '@servicehall/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api';
import { ErrorLine, useConsole } from '../App';
import { Due } from './FollowUps';

/** Cases handed between departments, by the due day of the step they are at (H-10). */
export function CaseRoutesPage() {
  const { cw, times, live } = useConsole();
  const [done, setDone] = useState(false);
  const [list, setList] = useState<{ day: string; routes: CaseRoute[] }>();
  const [error, setError] = useState<unknown>();
  useEffect(() => void api<{ day: string; routes: CaseRoute[] }>('GET', `/api/case-routes${done ? '?done=1' : ''}`).then(setList, setError), [done, live.casework]);
  return (
    <>
      <div className="row spread">
        <h1>{cw.routes.title}</h1>
        <button className="ghost" onClick={() => setDone(!done)}>
          {done ? cw.showOpen : cw.showClosed}
        </button>
      </div>
      <p>{cw.routes.lead}</p>
      <ErrorLine error={error} />
      <section className="card">
        {list && list.routes.length === 0 && <p className="dim">{cw.routes.empty}</p>}
        {list && list.routes.length > 0 && (
          <table className="casework">
            <thead>
              <tr>
                <th>{cw.routes.caseNumber}</th>
                <th>{cw.routes.holder}</th>
                <th>{cw.routes.from}</th>
                <th>{cw.routes.since}</th>
                <th>{cw.due}</th>
                <th>{cw.routes.steps}</th>
              </tr>
            </thead>
            <tbody>
              {list.routes.map((r) => {
                const step = currentRouteStep(r) ?? r.steps[r.steps.length - 1];
                return (
                  <tr key={r.caseNumber}>
                    <td>
                      <Link to={`/cases/${r.caseNumber}`}>{r.caseNumber}</Link>
                    </td>
                    <td>{r.state === 'done' ? <span className="tag">{cw.routes.finished}</span> : step?.department}</td>
                    <td>{step?.from ?? '—'}</td>
                    <td>{step ? times.at(step.at) : '—'}</td>
                    <td>
                      <Due day={list.day} due={step?.due} done={r.state === 'done'} />
                    </td>
                    <td className="small">{[r.steps[0]?.from, ...r.steps.map((s) => s.department)].filter(Boolean).join(' → ')}</td>
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

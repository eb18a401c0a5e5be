import { isConfigured, itemToday, noticeControlCharacter, periodsOf } from '@servicehall/core';
import { Fragment, useEffect, useRef, useState, type ReactNode } from 'react';
import { api, ApiError } from '../api';
import { ErrorLine, useConsole } from '../App';
import { PendingChanges } from '../pending';

/** What became of a change, where it was made: scrolled into view if it falls below the screen's edge, the focus left on the row. */
function Outcome({ children, testid, count }: { children: ReactNode; testid: string; count: number }) {
  const box = useRef<HTMLDivElement>(null);
  // Once an outcome, not at each of the hall's events the page is drawn again for. In braces: Chromium's
  // scrollIntoView now answers a promise, which React would take for the effect's clean-up and call.
  useEffect(() => {
    box.current?.scrollIntoView({ block: 'nearest' });
  }, [count]);
  return (
    <div ref={box} className="outcome" data-testid={testid}>
      {children}
    </div>
  );
}

/**
 * A change sent now; when tickets stand in its way, they are named and it may wait for the day's end.
 * Its outcome is shown beside the row it was made on (`where`), not at the page's top, which at 1366×768 is
 * scrolled away from every row but the first.
 */
function useChange() {
  const { t } = useConsole();
  const [at, setAt] = useState('');
  const [count, setCount] = useState(0);
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  const [blocked, setBlocked] = useState<{ tickets: string[]; retry: () => Promise<void> }>();
  /** False when refused: the row keeps what was chosen on it, to be corrected or sent again. */
  const send = async (where: string, method: 'POST' | 'PUT', path: string, body: Record<string, unknown>): Promise<boolean> => {
    setAt(where);
    setError(undefined);
    setNote('');
    setBlocked(undefined);
    try {
      await api(method, path, body);
      setNote(body.atDayEnd ? t.today.pending : t.today.done);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'conflict' && err.tickets.length)
        setBlocked({ tickets: err.tickets, retry: async () => void (await send(where, method, path, { ...body, atDayEnd: true })) });
      else {
        setError(err);
        setCount((c) => c + 1);
        return false;
      }
    }
    setCount((c) => c + 1);
    return true;
  };
  const outcome = (
    <>
      <ErrorLine error={error} />
      {note && <p className="ok">{note}</p>}
      {blocked && (
        <div className="problems" role="alert">
          <p>{t.setup.inTheWay(blocked.tickets.join('、'))}</p>
          <button onClick={() => void blocked.retry()}>{t.setup.applyAtDayEnd}</button>
        </div>
      )}
    </>
  );
  /** A form's own refusal, before anything is sent. */
  const fail = (where: string, err: Error) => {
    setAt(where);
    setNote('');
    setBlocked(undefined);
    setError(err);
    setCount((c) => c + 1);
  };
  const shown = !!error || !!note || !!blocked;
  /** The outcome of the change made at `where`, if that was the last one. */
  const view = (where: string) =>
    shown && at === where ? (
      <Outcome testid={`outcome-${where}`} count={count}>
        {outcome}
      </Outcome>
    ) : null;
  /** The same as a table's row of its own under the row the change was made on. */
  const row = (where: string, columns: number) =>
    shown &&
    at === where && (
      <tr className="outcome-row">
        <td colSpan={columns}>{view(where)}</td>
      </tr>
    );
  return { send, view, row, fail };
}

export function TodayPage() {
  const { t, live, staff } = useConsole();
  const view = live.view;
  const change = useChange();
  const [edits, setEdits] = useState<Record<number, string[]>>({});
  const [temporary, setTemporary] = useState({ window: '', name: '', serves: [] as string[] });
  const [itemEdits, setItemEdits] = useState<Record<string, { quota?: string; hours?: string; notice?: string }>>({});
  if (!view) return <p className="notice">{t.overview.notConnected}</p>;
  if (!isConfigured(view.catalogue)) return <p className="notice">{t.overview.unconfigured}</p>;
  const dept = staff?.role === 'department-head' ? staff.department : undefined;
  const items = view.catalogue.items;
  const name = (code: string) => items.find((i) => i.code === code)?.name ?? code;
  const supervisor = staff?.role !== 'department-head';
  return (
    <>
      <h1>{t.today.title}</h1>
      <p>{t.today.lead}</p>
      <section className="card">
        <h2>{t.today.windowItems}</h2>
        <table className="windows">
          <tbody>
            {view.catalogue.windows
              .filter((w) => !dept || w.department === dept)
              .map((w) => {
                const serves = edits[w.number] ?? w.serves;
                const dirty = edits[w.number] !== undefined && edits[w.number]!.join() !== w.serves.join();
                return (
                  <Fragment key={w.number}>
                    <tr data-testid={`today-window-${w.number}`}>
                      <th>
                        {t.today.windowName(w.number, w.name)} {w.temporary && <span className="tag">{t.today.temporaryMark}</span>}
                      </th>
                      <td className="chips">
                        {serves.map((code) => (
                          <label key={code} className="chip on">
                            <input type="checkbox" name={`serves-${w.number}-${code}`} checked onChange={() => setEdits({ ...edits, [w.number]: serves.filter((c) => c !== code) })} />
                            {name(code)}
                          </label>
                        ))}
                        <select
                          name={`add-${w.number}`}
                          value=""
                          aria-label={t.today.addItem}
                          onChange={(e) => e.target.value && setEdits({ ...edits, [w.number]: [...serves, e.target.value] })}
                        >
                          <option value="">{t.today.addItem}</option>
                          {items
                            .filter((i) => !serves.includes(i.code) && (!dept || i.department === dept))
                            .map((i) => (
                              <option key={i.code} value={i.code}>
                                {i.name}
                              </option>
                            ))}
                        </select>
                      </td>
                      <td>
                        <button
                          disabled={!dirty}
                          data-testid={`apply-window-${w.number}`}
                          onClick={() => void change.send(`window-${w.number}`, 'PUT', `/api/windows/${w.number}/items`, { serves }).then((done) => done && setEdits((e) => ({ ...e, [w.number]: undefined as never })))}
                        >
                          {t.today.apply}
                        </button>
                      </td>
                    </tr>
                    {change.row(`window-${w.number}`, 3)}
                  </Fragment>
                );
              })}
          </tbody>
        </table>
      </section>
      {supervisor && (
        <section className="card">
          <h2>{t.today.temporary}</h2>
          <div className="row wrap">
            <label>
              {t.today.temporaryNumber}
              <input name="temporary-window" value={temporary.window} onChange={(e) => setTemporary({ ...temporary, window: e.target.value })} size={4} />
            </label>
            <label>
              {t.today.temporaryName}
              <input name="temporary-name" value={temporary.name} onChange={(e) => setTemporary({ ...temporary, name: e.target.value })} />
            </label>
            <div className="chips">
              {items.map((i) => (
                <label key={i.code} className={`chip ${temporary.serves.includes(i.code) ? 'on' : ''}`}>
                  <input
                    type="checkbox"
                    checked={temporary.serves.includes(i.code)}
                    onChange={(e) => setTemporary({ ...temporary, serves: e.target.checked ? [...temporary.serves, i.code] : temporary.serves.filter((c) => c !== i.code) })}
                  />
                  {i.name}
                </label>
              ))}
            </div>
            <button
              onClick={() =>
                void change.send('temporary', 'POST', '/api/windows/temporary', { window: Number(temporary.window), serves: temporary.serves, ...(temporary.name.trim() ? { name: temporary.name.trim() } : {}) })
              }
            >
              {t.today.openTemporary}
            </button>
          </div>
          {change.view('temporary')}
        </section>
      )}
      <section className="card">
        <h2>{t.today.itemsToday}</h2>
        <table>
          <tbody>
            {items
              .filter((i) => !dept || i.department === dept)
              .map((i) => {
                const now = itemToday(i, view.day);
                const e = itemEdits[i.code] ?? {};
                const set = (patch: typeof e) => setItemEdits({ ...itemEdits, [i.code]: { ...e, ...patch } });
                const where = `item-${i.code}`;
                return (
                  <Fragment key={i.code}>
                    <tr>
                      <th>
                        {i.prefix} {i.name}
                        {now.closedNotice && <div className="tag warn">{t.today.closedNow}</div>}
                      </th>
                      <td>
                        <input size={5} placeholder={now.dailyQuota === undefined ? t.today.noQuota : String(now.dailyQuota)} value={e.quota ?? ''} onChange={(x) => set({ quota: x.target.value })} aria-label={t.today.quota} />
                        {/* 不限 needs no unit (不限 个号 is not said); kept in its place so that the button does not move as a number is typed. */}
                        <span className={`unit${now.dailyQuota === undefined && !e.quota ? ' unset' : ''}`}>{t.today.quotaUnit}</span>
                        <button className="ghost" disabled={!e.quota} onClick={() => void change.send(where, 'POST', `/api/items/${encodeURIComponent(i.code)}/today`, { dailyQuota: Number(e.quota) })}>
                          {t.today.setQuota}
                        </button>
                      </td>
                      <td>
                        {/* Wraps and grows in height within its width, so that a fourth or fifth period is seen, not scrolled past (an input scrolls beyond 48ch). */}
                        <textarea
                          className="hours"
                          rows={1}
                          placeholder={now.issuingHours.map((h) => `${h.from}-${h.to}`).join(',')}
                          value={e.hours ?? ''}
                          onChange={(x) => set({ hours: x.target.value })}
                          aria-label={t.today.hours}
                        />
                        <button
                          className="ghost"
                          disabled={!e.hours}
                          onClick={() =>
                            void change.send(where, 'POST', `/api/items/${encodeURIComponent(i.code)}/today`, {
                              issuingHours: periodsOf(e.hours ?? ''),
                            })
                          }
                        >
                          {t.today.setHours}
                        </button>
                      </td>
                      <td>
                        {now.closedNotice ? (
                          <button className="ghost" onClick={() => void change.send(where, 'POST', `/api/items/${encodeURIComponent(i.code)}/today`, { reopen: true })}>
                            {t.today.reopen}
                          </button>
                        ) : (
                          <>
                            <input size={24} placeholder={t.today.closeNotice} value={e.notice ?? ''} onChange={(x) => set({ notice: x.target.value })} aria-label={t.today.closeNotice} />
                            <button
                              className="ghost"
                              disabled={!e.notice}
                              onClick={() => {
                                const control = noticeControlCharacter(e.notice ?? '');
                                if (control) change.fail(where, new Error(t.today.noticeControl(control)));
                                else void change.send(where, 'POST', `/api/items/${encodeURIComponent(i.code)}/today`, { closedNotice: e.notice });
                              }}
                            >
                              {t.today.close}
                            </button>
                          </>
                        )}
                      </td>
                    </tr>
                    {change.row(where, 4)}
                  </Fragment>
                );
              })}
          </tbody>
        </table>
      </section>
      <PendingChanges
        view={view}
        title={t.today.pending}
        action={(p) =>
          supervisor && (
            <button className="ghost" onClick={() => void change.send('pending', 'POST', `/api/pending/${p.id}/cancel`, {})}>
              {t.today.cancel}
            </button>
          )
        }
      />
      {change.view('pending')}
    </>
  );
}

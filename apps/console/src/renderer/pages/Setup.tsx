import { isConfigured, type Catalogue, type SupervisionPolicy } from '@servicehall/core';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, ApiError, download, type Problem } from '../api';
import { ErrorLine, useConsole } from '../App';
import type { Strings } from '../i18n';
import { problemText } from '../problem-text';
import { bookingsOfDroppedItems, emptyItem, fromDraft, ITEMS_PAGE, toDraft, unservedItems, type Draft, type ItemForm, type WindowForm } from '../setup-form';
import { ItemsStep, WindowsStep } from './SetupLists';

/** A change to the setup made after this form was loaded, as the hub names it. */
interface StaleChange {
  time: string;
  by?: string;
  window?: number;
}

type Step = keyof Strings['setup']['steps'];
const STEPS: Step[] = ['hall', 'departments', 'items', 'windows', 'clerks', 'phone', 'review'];
const STEP_OF: Record<string, Step> = { hall: 'hall', departments: 'departments', items: 'items', windows: 'windows', clerks: 'clerks', phone: 'phone', appointments: 'phone', supervision: 'hall' };

/** Whether the hall can send one-time codes, and through which channels (their names, never their secrets). */
function useCodeChannels(): string[] | undefined {
  const [names, setNames] = useState<string[]>();
  useEffect(() => {
    api<{ channels: { id: string; name?: string; kind: string; enabled: boolean; notices: string[] }[] }>('GET', '/api/notify/channels')
      .then((r) => setNames(r.channels.filter((c) => c.enabled && c.notices.includes('phone-code')).map((c) => c.name ?? c.id)))
      .catch(() => setNames(undefined));
  }, []);
  return names;
}

export function SetupPage() {
  const { t, live, language, refreshStatus } = useConsole();
  const codeChannels = useCodeChannels();
  const [draft, setDraft] = useState<Draft>(() => toDraft(live.view?.catalogue));
  const [step, setStep] = useState<Step>('hall');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [importProblems, setImportProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  const [inTheWay, setInTheWay] = useState<string[]>([]);
  const loaded = useRef(!!live.view);
  // The hall's sequence the form stands at: a save after another change to the setup is refused, not let undo it.
  const basedOn = useRef(live.view?.seq);
  const [stale, setStale] = useState<{ text: string; changes: StaleChange[] }>();
  const file = useRef<HTMLInputElement>(null);
  // The items step: the item opened for editing, the search and the page of rows.
  const [openItem, setOpenItem] = useState(0);
  const [itemQuery, setItemQuery] = useState('');
  const [itemPage, setItemPage] = useState(0);

  // The catalogue arrives with the live feed; the form starts from it once.
  useEffect(() => {
    if (!loaded.current && live.view) {
      loaded.current = true;
      basedOn.current = live.view.seq;
      setDraft(toDraft(live.view.catalogue));
    }
  }, [live.view]);

  const problemsAt = (key: string) => problems.filter((p) => (p.path ?? []).join('.') === key || (p.path ?? []).join('.').startsWith(`${key}.`));
  const field = (key: string, label: string, input: ReactNode) => {
    const here = problemsAt(key);
    return (
      <label className={here.length ? 'invalid' : ''} key={key}>
        {label}
        {input}
        {here.map((p, i) => (
          <span className="problem" key={i} data-problem={key}>
            {problemText(p, t, language)}
          </span>
        ))}
      </label>
    );
  };
  const text = (key: string, label: string, value: string, set: (v: string) => void, multi = false) =>
    field(key, label, multi ? <textarea name={key} value={value} onChange={(e) => set(e.target.value)} rows={3} /> : <input name={key} value={value} onChange={(e) => set(e.target.value)} />);
  const departmentSelect = (key: string, label: string, value: string, set: (v: string) => void, allowNone = false) =>
    field(
      key,
      label,
      <select name={key} value={value} onChange={(e) => set(e.target.value)}>
        {(allowNone || !draft.departments.some((d) => d.name === value)) && <option value="">{t.setup.none}</option>}
        {draft.departments
          .filter((d) => d.name.trim())
          .map((d) => (
            <option key={d.name} value={d.name}>
              {d.name}
            </option>
          ))}
      </select>,
    );
  const update = (change: (d: Draft) => void) =>
    setDraft((d) => {
      // The items and windows (thousands in a big hall) are not copied whole at each keystroke: their steps change one at a time.
      const { items, windows, ...others } = d;
      const copy: Draft = { ...structuredClone(others), items: [...items], windows: [...windows] };
      change(copy);
      return copy;
    });
  const setItem = useCallback((i: number, change: Partial<ItemForm>) => setDraft((d) => ({ ...d, items: d.items.map((x, j) => (j === i ? { ...x, ...change } : x)) })), []);
  const removeItem = useCallback((i: number) => {
    setDraft((d) => ({ ...d, items: d.items.filter((_, j) => j !== i) }));
    setOpenItem(-1);
  }, []);
  const addItem = () => {
    setItemQuery('');
    setItemPage(Math.floor(draft.items.length / ITEMS_PAGE));
    setOpenItem(draft.items.length);
    setDraft((d) => ({ ...d, items: [...d.items, emptyItem(d.departments[0]?.name ?? '')] }));
  };
  const setWindow = useCallback((i: number, change: Partial<WindowForm>) => setDraft((d) => ({ ...d, windows: d.windows.map((x, j) => (j === i ? { ...x, ...change } : x)) })), []);
  const removeWindow = useCallback((i: number) => setDraft((d) => ({ ...d, windows: d.windows.filter((_, j) => j !== i) })), []);
  const addWindow = () =>
    update((d) => {
      const n = Math.max(0, ...d.windows.map((w) => Number(w.number) || 0)) + 1;
      d.windows.push({ number: String(n), name: `${n}号窗口`, department: '', serves: [], devices: ['window-terminal', 'number-display', 'rating-pad'], rest: {} });
    });
  const say = useCallback((p: Problem) => problemText(p, t, language), [t, language]);
  // Asked where it is shown: a big hall's draft is not walked at every keystroke of another step.
  const unserved = step === 'review' ? unservedItems(draft) : [];
  const bookedAhead = step === 'review' && live.view ? bookingsOfDroppedItems(draft, live.view.catalogue, live.view.appointments.values(), live.view.day) : [];
  const departmentNames = useMemo(() => draft.departments.map((d) => d.name).filter((name) => name.trim()), [draft.departments]);
  const stepProblems = (s: Step) => problems.filter((p) => STEP_OF[String(p.path?.[0])] === s).length;

  const save = async (atDayEnd = false) => {
    setError(undefined);
    setNote('');
    setInTheWay([]);
    setStale(undefined);
    try {
      const saved = await api<{ seq: number }>('POST', '/api/setup', {
        catalogue: fromDraft(draft),
        ...(atDayEnd ? { atDayEnd: true } : {}),
        ...(basedOn.current !== undefined ? { basedOnSeq: basedOn.current } : {}),
      });
      // What this page saved is the setup now (a change at the day's end is not yet).
      if (!atDayEnd) basedOn.current = saved.seq;
      setProblems([]);
      setNote(`${atDayEnd ? t.setup.savedAtDayEnd : t.setup.saved} ${t.setup.afterSave}`);
      await refreshStatus();
    } catch (err) {
      if (err instanceof ApiError && err.problems.length) {
        setProblems(err.problems);
        const first = STEPS.find((s) => err.problems.some((p) => STEP_OF[String(p.path?.[0])] === s));
        if (first) setStep(first);
        // The first item with a mistake is opened, on its page, however far down a big hall's list it is.
        const item = err.problems.find((p) => p.path?.[0] === 'items' && typeof p.path[1] === 'number')?.path?.[1];
        if (typeof item === 'number') {
          setItemQuery('');
          setItemPage(Math.floor(item / ITEMS_PAGE));
          setOpenItem(item);
        }
      } else if (err instanceof ApiError && err.code === 'conflict' && err.tickets.length) {
        setInTheWay(err.tickets);
      } else if (err instanceof ApiError && err.code === 'conflict' && Array.isArray(err.body.changes)) {
        setStale({ text: err.text, changes: err.body.changes as StaleChange[] });
      } else setError(err);
    }
  };

  const importBook = async (f: File) => {
    setError(undefined);
    setImportProblems([]);
    setNote('');
    try {
      const r = await api<{ catalogue: Catalogue }>('POST', '/api/catalogue.xlsx', await f.arrayBuffer());
      // A workbook holds no window opened for today only: those stay.
      setDraft({ ...toDraft(r.catalogue), temporary: draft.temporary });
      setOpenItem(0);
      setItemQuery('');
      setItemPage(0);
      setProblems([]);
      setStep('hall');
      setNote(t.setup.imported);
    } catch (err) {
      if (err instanceof ApiError && err.problems.length) setImportProblems(err.problems);
      else setError(err);
    }
    if (file.current) file.current.value = '';
  };

  // The typing stays until the administrator chooses to load the current setup instead (no guess at merging two people's changes).
  const reload = () => {
    if (!live.view) return;
    basedOn.current = live.view.seq;
    setDraft(toDraft(live.view.catalogue));
    setStale(undefined);
    setProblems([]);
    setInTheWay([]);
    setNote(t.setup.reloaded);
  };

  return (
    <>
      <h1>{t.setup.title}</h1>
      <section className="card import">
        <div>
          <h2>{t.setup.importTitle}</h2>
          <p>{t.setup.importLead}</p>
        </div>
        <div className="row">
          <button className="ghost" onClick={() => void download('/api/catalogue.xlsx?template=1', '事项目录模板.xlsx')}>
            {t.setup.template}
          </button>
          {live.view && isConfigured(live.view.catalogue) && (
            <button className="ghost" onClick={() => void download('/api/catalogue.xlsx', 'catalogue.xlsx')}>
              {t.setup.export}
            </button>
          )}
          <label className="button">
            {t.setup.import}
            <input ref={file} name="workbook" type="file" accept=".xlsx" hidden onChange={(e) => e.target.files?.[0] && void importBook(e.target.files[0])} />
          </label>
        </div>
        {importProblems.length > 0 && (
          <div className="problems" role="alert">
            <p>{t.setup.importProblems}</p>
            <ul>
              {importProblems.map((p, i) => (
                <li key={i}>
                  {t.setup.where(p.sheet ?? '', p.row, p.column)}：{problemText(p, t, language)}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>
      <nav className="steps">
        {STEPS.map((s, i) => (
          <button key={s} className={s === step ? 'active' : ''} onClick={() => setStep(s)} data-step={s}>
            {i + 1}. {t.setup.steps[s]}
            {stepProblems(s) > 0 && <span className="badge">{stepProblems(s)}</span>}
          </button>
        ))}
      </nav>
      {problems.length > 0 && <p className="error">{t.setup.problems(problems.length)}</p>}
      {note && <p className="ok">{note}</p>}
      <ErrorLine error={error} />
      {stale && (
        <div className="problems" role="alert" data-testid="setup-stale">
          <p>{stale.text}</p>
          {stale.changes.length > 0 && (
            <>
              <p>{t.setup.changedSince}</p>
              <ul>
                {stale.changes.map((c, i) => (
                  <li key={i}>{t.setup.change(c.time, c.by, c.window)}</li>
                ))}
              </ul>
            </>
          )}
          <button onClick={reload}>{t.setup.reload}</button>
        </div>
      )}
      <section className="card">
        {step === 'hall' && (
          <div className="grid two">
            {text('hall.name', t.setup.hall.name, draft.hall.name, (v) => update((d) => void (d.hall.name = v)))}
            {text('hall.nameEn', t.setup.hall.nameEn, draft.hall.nameEn, (v) => update((d) => void (d.hall.nameEn = v)))}
            {text('hall.timeZone', t.setup.hall.timeZone, draft.hall.timeZone, (v) => update((d) => void (d.hall.timeZone = v)))}
            {text('hall.publicUrl', t.setup.hall.publicUrl, draft.hall.publicUrl, (v) => update((d) => void (d.hall.publicUrl = v)))}
            {text('hall.complaintPhone', t.setup.hall.complaintPhone, draft.hall.complaintPhone, (v) => update((d) => void (d.hall.complaintPhone = v)))}
            {text('hall.complaintWindow', t.setup.hall.complaintWindow, draft.hall.complaintWindow, (v) => update((d) => void (d.hall.complaintWindow = v)))}
            {text('hall.notices', t.setup.hall.notices, draft.hall.notices, (v) => update((d) => void (d.hall.notices = v)), true)}
            <h3 className="span-all">{t.board.settings}</h3>
            {(Object.keys(draft.supervision) as (keyof SupervisionPolicy)[]).map((key) =>
              text(`supervision.${key}`, t.board[key], draft.supervision[key], (v) => update((d) => void (d.supervision[key] = v))),
            )}
          </div>
        )}
        {step === 'departments' && (
          <>
            {draft.departments.map((dep, i) => (
              <div className="grid three row-item" key={i}>
                {text(`departments.${i}.name`, t.setup.department.name, dep.name, (v) => update((d) => void (d.departments[i]!.name = v)))}
                {text(`departments.${i}.nameEn`, t.setup.department.nameEn, dep.nameEn, (v) => update((d) => void (d.departments[i]!.nameEn = v)))}
                <button className="ghost" onClick={() => update((d) => void d.departments.splice(i, 1))}>
                  {t.setup.remove}
                </button>
              </div>
            ))}
            <button className="ghost" onClick={() => update((d) => void d.departments.push({ name: '', nameEn: '', rest: {} }))}>
              {t.setup.add}
            </button>
          </>
        )}
        {step === 'items' && (
          <ItemsStep
            items={draft.items}
            departments={departmentNames}
            problems={problems}
            t={t}
            say={say}
            open={openItem}
            setOpen={setOpenItem}
            query={itemQuery}
            setQuery={setItemQuery}
            page={itemPage}
            setPage={setItemPage}
            setItem={setItem}
            removeItem={removeItem}
            addItem={addItem}
          />
        )}
        {step === 'windows' && (
          <WindowsStep windows={draft.windows} items={draft.items} departments={departmentNames} problems={problems} t={t} say={say} setWindow={setWindow} removeWindow={removeWindow} addWindow={addWindow} />
        )}
        {step === 'clerks' && (
          <>
            {draft.clerks.map((k, i) => (
              <div className="grid five row-item" key={i}>
                {text(`clerks.${i}.number`, t.setup.clerk.number, k.number, (v) => update((d) => void (d.clerks[i]!.number = v)))}
                {text(`clerks.${i}.name`, t.setup.clerk.name, k.name, (v) => update((d) => void (d.clerks[i]!.name = v)))}
                {departmentSelect(`clerks.${i}.department`, t.setup.clerk.department, k.department, (v) => update((d) => void (d.clerks[i]!.department = v)))}
                {text(`clerks.${i}.title`, t.setup.clerk.title, k.title, (v) => update((d) => void (d.clerks[i]!.title = v)))}
                <button className="ghost" onClick={() => update((d) => void d.clerks.splice(i, 1))}>
                  {t.setup.remove}
                </button>
              </div>
            ))}
            <button className="ghost" onClick={() => update((d) => void d.clerks.push({ number: '', name: '', department: d.departments[0]?.name ?? '', title: '', rest: {} }))}>
              {t.setup.add}
            </button>
          </>
        )}
        {step === 'phone' && (
          <div className="grid two">
            <h3 className="span-all">{t.setup.phone.remoteTitle}</h3>
            <label className="check span-all">
              <input type="checkbox" name="phone.remoteTickets" checked={draft.phone.remoteTickets} onChange={(e) => update((d) => void (d.phone.remoteTickets = e.target.checked))} />
              {t.setup.phone.remoteTickets}
            </label>
            {text('phone.ticketsPerPersonPerDay', t.setup.phone.ticketsPerPersonPerDay, draft.phone.ticketsPerPersonPerDay, (v) => update((d) => void (d.phone.ticketsPerPersonPerDay = v)))}
            {text('phone.nearAhead', t.setup.phone.nearAhead, draft.phone.nearAhead, (v) => update((d) => void (d.phone.nearAhead = v)))}
            {text('phone.codesPerDay', t.setup.phone.codesPerDay, draft.phone.codesPerDay, (v) => update((d) => void (d.phone.codesPerDay = v)))}
            {text('phone.codesPerPhonePerDay', t.setup.phone.codesPerPhonePerDay, draft.phone.codesPerPhonePerDay, (v) => update((d) => void (d.phone.codesPerPhonePerDay = v)))}
            {text('phone.codesPerAddressPerDay', t.setup.phone.codesPerAddressPerDay, draft.phone.codesPerAddressPerDay, (v) => update((d) => void (d.phone.codesPerAddressPerDay = v)))}
            <p className="note" data-testid="codes-lead">
              {t.setup.phone.codesLead}
            </p>
            {codeChannels !== undefined && (
              <p className={`span-all${codeChannels.length === 0 ? ' notice' : ''}`} data-testid="sms-channels">
                <strong>{t.setup.phone.smsTitle}</strong> {codeChannels.length > 0 ? t.setup.phone.smsCarries(codeChannels.join('、')) : t.setup.phone.smsNone}
              </p>
            )}
            <h3 className="span-all">{t.setup.phone.bookingTitle}</h3>
            {text('appointments.daysAhead', t.setup.phone.daysAhead, draft.phone.daysAhead, (v) => update((d) => void (d.phone.daysAhead = v)))}
            {text('appointments.slotMinutes', t.setup.phone.slotMinutes, draft.phone.slotMinutes, (v) => update((d) => void (d.phone.slotMinutes = v)))}
            {text('appointments.hours', t.setup.phone.hours, draft.phone.hours, (v) => update((d) => void (d.phone.hours = v)), true)}
            <div>
              {text('appointments.perSlot', t.setup.phone.perSlot, draft.phone.perSlot, (v) => update((d) => void (d.phone.perSlot = v)))}
              {text('appointments.activePerPerson', t.setup.phone.activePerPerson, draft.phone.activePerPerson, (v) => update((d) => void (d.phone.activePerPerson = v)))}
            </div>
            <h3 className="span-all">{t.setup.phone.noShowTitle}</h3>
            <div className="grid thirds span-all">
              {text('appointments.noShow.withinDays', t.setup.phone.noShowWithinDays, draft.phone.noShowWithinDays, (v) => update((d) => void (d.phone.noShowWithinDays = v)))}
              {text('appointments.noShow.count', t.setup.phone.noShowCount, draft.phone.noShowCount, (v) => update((d) => void (d.phone.noShowCount = v)))}
              {text('appointments.noShow.blockDays', t.setup.phone.noShowBlockDays, draft.phone.noShowBlockDays, (v) => update((d) => void (d.phone.noShowBlockDays = v)))}
            </div>
            <p className="note span-all" data-testid="no-show-rule">
              {t.setup.phone.noShowRule(draft.phone.noShowWithinDays.trim(), draft.phone.noShowCount.trim(), draft.phone.noShowBlockDays.trim())}
            </p>
          </div>
        )}
        {step === 'review' && (
          <>
            <p>{t.setup.review(draft.departments.length, draft.items.length, draft.windows.length, draft.clerks.length)}</p>
            {bookedAhead.length > 0 && (
              <p className="notice" role="alert" data-testid="booked-ahead">
                {t.setup.bookedAhead(bookedAhead)}
              </p>
            )}
            {unserved.length > 0 && (
              <p className="notice" role="status" data-testid="unserved-items">
                {t.setup.unserved(unserved)}
              </p>
            )}
            {inTheWay.length > 0 && (
              <div className="problems" role="alert">
                <p>{t.setup.inTheWay(inTheWay.join('、'))}</p>
                <button onClick={() => void save(true)}>{t.setup.applyAtDayEnd}</button>
              </div>
            )}
            <button onClick={() => void save()} data-testid="save-setup">
              {t.setup.save}
            </button>
          </>
        )}
      </section>
      <div className="row">
        {STEPS.indexOf(step) > 0 && (
          <button className="ghost" onClick={() => setStep(STEPS[STEPS.indexOf(step) - 1]!)}>
            {t.setup.back}
          </button>
        )}
        {STEPS.indexOf(step) < STEPS.length - 1 && <button onClick={() => setStep(STEPS[STEPS.indexOf(step) + 1]!)}>{t.setup.next}</button>}
      </div>
    </>
  );
}

import { memo, useMemo, useState, type ReactNode } from 'react';
import type { Problem } from '../api';
import type { Strings } from '../i18n';
import { DEVICES, findItems, ITEMS_PAGE, itemMatches, type ItemForm, type WindowForm } from '../setup-form';

/**
 * The items and windows steps of the setup wizard, for a municipal centre's 1,000 to 2,000 items
 * and 100 windows: the items are rows to search and page through with one opened for editing, and
 * a window's items are chosen from a search, not from every item as a checkbox. A keystroke redraws
 * the item or window typed in, not the others (each row is memoised and its callbacks are stable).
 */

type Say = (p: Problem) => string;

/** The problems whose path is `key` or lies under it. */
export const problemsUnder = (problems: readonly Problem[], key: string) =>
  problems.filter((p) => {
    const at = (p.path ?? []).join('.');
    return at === key || at.startsWith(`${key}.`);
  });

/** Problems grouped by the item or window they name (items.12…, windows.3…), for the rows to take their own. */
export function problemsBy(problems: readonly Problem[], list: 'items' | 'windows'): Map<number, Problem[]> {
  const by = new Map<number, Problem[]>();
  for (const p of problems)
    if (p.path?.[0] === list && typeof p.path[1] === 'number') {
      const i = p.path[1];
      by.set(i, [...(by.get(i) ?? []), p]);
    }
  return by;
}

const NONE: Problem[] = [];

function Field({ name, label, problems, say, children }: { name: string; label: string; problems: readonly Problem[]; say: Say; children: ReactNode }) {
  const here = problemsUnder(problems, name);
  return (
    <label className={here.length ? 'invalid' : ''}>
      {label}
      {children}
      {here.map((p, i) => (
        <span className="problem" key={i} data-problem={name}>
          {say(p)}
        </span>
      ))}
    </label>
  );
}

function Text(props: { name: string; label: string; value: string; set: (v: string) => void; problems: readonly Problem[]; say: Say; multi?: boolean }) {
  const { name, value, set, multi } = props;
  return (
    <Field {...props}>
      {multi ? <textarea name={name} value={value} onChange={(e) => set(e.target.value)} rows={3} /> : <input name={name} value={value} onChange={(e) => set(e.target.value)} />}
    </Field>
  );
}

function Department(props: { name: string; label: string; value: string; set: (v: string) => void; departments: readonly string[]; allowNone?: boolean; none: string; problems: readonly Problem[]; say: Say }) {
  const { name, value, set, departments, allowNone, none } = props;
  return (
    <Field {...props}>
      <select name={name} value={value} onChange={(e) => set(e.target.value)}>
        {(allowNone || !departments.includes(value)) && <option value="">{none}</option>}
        {departments.map((d) => (
          <option key={d} value={d}>
            {d}
          </option>
        ))}
      </select>
    </Field>
  );
}

export interface ItemsStepProps {
  items: ItemForm[];
  departments: readonly string[];
  problems: readonly Problem[];
  t: Strings;
  say: Say;
  /** The item opened for editing (its place in the form), -1 for none. */
  open: number;
  setOpen: (i: number) => void;
  query: string;
  setQuery: (q: string) => void;
  page: number;
  setPage: (p: number) => void;
  setItem: (i: number, change: Partial<ItemForm>) => void;
  removeItem: (i: number) => void;
  addItem: () => void;
}

export function ItemsStep(props: ItemsStepProps) {
  const { items, departments, problems, t, say, open, setOpen, query, setQuery, page, setPage, setItem, removeItem, addItem } = props;
  const found = useMemo(() => findItems(items, query), [items, query]);
  const byItem = useMemo(() => problemsBy(problems, 'items'), [problems]);
  const pages = Math.max(1, Math.ceil(found.length / ITEMS_PAGE));
  const shown = Math.min(page, pages - 1);
  const rows = found.slice(shown * ITEMS_PAGE, (shown + 1) * ITEMS_PAGE);
  const toFix = [...byItem.keys()].sort((a, b) => a - b);
  const goTo = (i: number) => {
    setQuery('');
    setPage(Math.floor(i / ITEMS_PAGE));
    setOpen(i);
  };
  return (
    <div data-testid="setup-items">
      {toFix.length > 0 && (
        <div className="problems items-to-fix" data-testid="items-to-fix">
          <p>{t.setup.itemsToFix(toFix.length)}</p>
          <div className="chips">
            {toFix.slice(0, 30).map((i) => (
              <button key={i} type="button" className="ghost" onClick={() => goTo(i)}>
                {t.setup.itemNumber(i + 1)} {items[i]?.code} {items[i]?.name}
                <span className="badge">{byItem.get(i)!.length}</span>
              </button>
            ))}
          </div>
        </div>
      )}
      <div className="list-tools">
        <label htmlFor="items-find">{t.setup.findItem}</label>
        <div className="row">
          <input
            id="items-find"
            className="grow"
            type="search"
            name="items.find"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setPage(0);
            }}
          />
          <span className="count" role="status">
            {t.setup.found(found.length, items.length)}
          </span>
        </div>
      </div>
      <ul className="item-rows">
        {rows.map((i) => (
          <ItemRow
            key={i}
            index={i}
            item={items[i]!}
            opened={i === open}
            problems={byItem.get(i) ?? NONE}
            departments={departments}
            t={t}
            say={say}
            setOpen={setOpen}
            setItem={setItem}
            removeItem={removeItem}
          />
        ))}
      </ul>
      <div className="row spread">
        <button className="ghost" onClick={addItem}>
          {t.setup.add}
        </button>
        {pages > 1 && (
          <nav className="row" aria-label={t.setup.pages}>
            <button className="ghost" disabled={shown === 0} onClick={() => setPage(shown - 1)}>
              {t.setup.prevPage}
            </button>
            <span>{t.setup.page(shown + 1, pages)}</span>
            <button className="ghost" disabled={shown >= pages - 1} onClick={() => setPage(shown + 1)}>
              {t.setup.nextPage}
            </button>
          </nav>
        )}
      </div>
    </div>
  );
}

interface ItemRowProps {
  index: number;
  item: ItemForm;
  opened: boolean;
  problems: Problem[];
  departments: readonly string[];
  t: Strings;
  say: Say;
  setOpen: (i: number) => void;
  setItem: (i: number, change: Partial<ItemForm>) => void;
  removeItem: (i: number) => void;
}

/** One item: a row of its code, name and department, opened below it for editing. */
const ItemRow = memo(function ItemRow({ index: i, item, opened, problems, departments, t, say, setOpen, setItem, removeItem }: ItemRowProps) {
  const editor = `item-editor-${i}`;
  const text = (key: keyof ItemForm & string, multi = false) => (
    <Text name={`items.${i}.${key}`} label={t.setup.item[key as keyof Strings['setup']['item']]} value={String(item[key] ?? '')} set={(v) => setItem(i, { [key]: v })} problems={problems} say={say} multi={multi} />
  );
  return (
    <li className={`item-row${opened ? ' opened' : ''}${problems.length ? ' invalid' : ''}`} data-item={i}>
      <button type="button" className="item-head" aria-expanded={opened} aria-controls={opened ? editor : undefined} onClick={() => setOpen(opened ? -1 : i)}>
        <span className="no">{t.setup.itemNumber(i + 1)}</span>
        <span className="code">{item.code || '—'}</span>
        <span className="name">{item.name || t.setup.unnamed}</span>
        <span className="dep">{item.department}</span>
        <span className="prefix">{item.prefix}</span>
        {problems.length > 0 && <span className="badge">{problems.length}</span>}
      </button>
      {opened && (
        <fieldset className="item" id={editor}>
          <legend>
            {item.prefix ? `${item.prefix} · ` : ''}
            {item.name || item.code || t.setup.itemNumber(i + 1)}
          </legend>
          <div className="grid four">
            {text('code')}
            {text('name')}
            <Department name={`items.${i}.department`} label={t.setup.item.department} value={item.department} set={(v) => setItem(i, { department: v })} departments={departments} none={t.setup.none} problems={problems} say={say} />
            {text('prefix')}
            {text('dailyQuota')}
            {text('legalLimitDays')}
            {text('promisedLimitDays')}
            {text('fees')}
          </div>
          <div className="grid four">
            {text('issuingHours', true)}
            {text('conditions', true)}
            {text('materials', true)}
            {text('steps', true)}
          </div>
          <div className="grid four">
            {text('onlineUrl')}
            {text('slotQuota')}
            <button className="ghost" onClick={() => removeItem(i)}>
              {t.setup.remove}
            </button>
          </div>
        </fieldset>
      )}
    </li>
  );
});

/** What a window's search shows at most: more, and the administrator types more of the name. */
const CANDIDATES = 12;

export interface WindowsStepProps {
  windows: WindowForm[];
  items: ItemForm[];
  departments: readonly string[];
  problems: readonly Problem[];
  t: Strings;
  say: Say;
  setWindow: (i: number, change: Partial<WindowForm>) => void;
  removeWindow: (i: number) => void;
  addWindow: () => void;
}

export function WindowsStep({ windows, items, departments, problems, t, say, setWindow, removeWindow, addWindow }: WindowsStepProps) {
  const byWindow = useMemo(() => problemsBy(problems, 'windows'), [problems]);
  // The items a window can be given: those with a code, by it.
  const catalogue = useMemo(() => items.filter((x) => x.code.trim() !== ''), [items]);
  return (
    <>
      {windows.map((w, i) => (
        <WindowCard key={i} index={i} window={w} catalogue={catalogue} departments={departments} problems={byWindow.get(i) ?? NONE} t={t} say={say} setWindow={setWindow} removeWindow={removeWindow} />
      ))}
      <button className="ghost" onClick={addWindow}>
        {t.setup.add}
      </button>
    </>
  );
}

interface WindowCardProps {
  index: number;
  window: WindowForm;
  catalogue: ItemForm[];
  departments: readonly string[];
  problems: Problem[];
  t: Strings;
  say: Say;
  setWindow: (i: number, change: Partial<WindowForm>) => void;
  removeWindow: (i: number) => void;
}

/** One window: its number, name and department, the items it serves as a short list, and a search to give it more. */
const WindowCard = memo(function WindowCard({ index: i, window: w, catalogue, departments, problems, t, say, setWindow, removeWindow }: WindowCardProps) {
  const [query, setQuery] = useState('');
  const byCode = useMemo(() => new Map(catalogue.map((x) => [x.code.trim(), x])), [catalogue]);
  const chosen = new Set(w.serves);
  const open = catalogue.filter((x) => !chosen.has(x.code.trim()));
  // A hall of a few items shows them all, as before; a big hall shows what the search finds.
  const matching = query.trim() === '' && open.length > CANDIDATES ? [] : open.filter((x) => itemMatches(x, query));
  // Matches already ticked have moved up to the chosen ones: the search says so rather than that none match.
  const chosenMatching = query.trim() === '' || matching.length > 0 ? 0 : catalogue.filter((x) => chosen.has(x.code.trim()) && itemMatches(x, query)).length;
  const serves = problemsUnder(problems, `windows.${i}.serves`);
  const number = w.number.trim() || String(i + 1);
  const labelId = `window-${i}-serves`;
  return (
    <fieldset className="item" data-window={i}>
      <legend>{t.setup.window.heading(w.number, w.name)}</legend>
      <div className="grid four">
        <Text name={`windows.${i}.number`} label={t.setup.window.number} value={w.number} set={(v) => setWindow(i, { number: v })} problems={problems} say={say} />
        <Text name={`windows.${i}.name`} label={t.setup.window.name} value={w.name} set={(v) => setWindow(i, { name: v })} problems={problems} say={say} />
        <Department name={`windows.${i}.department`} label={t.setup.window.department} value={w.department} set={(v) => setWindow(i, { department: v })} departments={departments} allowNone none={t.setup.none} problems={problems} say={say} />
        <button className="ghost" onClick={() => removeWindow(i)}>
          {t.setup.remove}
        </button>
      </div>
      <div className={`group${serves.length ? ' invalid' : ''}`} role="group" aria-labelledby={labelId}>
        <span className="group-label" id={labelId}>
          {t.setup.window.serves}（{t.setup.window.chosen(w.serves.length)}）
        </span>
        <div className="chips" data-testid={`window-${i}-chosen`}>
          {w.serves.length === 0 && <span className="small">{t.setup.window.noneChosen}</span>}
          {w.serves.map((code) => (
            <label key={code} className="chip on">
              <input type="checkbox" name={`windows.${i}.serves.${code}`} checked onChange={() => setWindow(i, { serves: w.serves.filter((x) => x !== code) })} />
              {code} {byCode.get(code)?.name}
            </label>
          ))}
        </div>
        <input
          type="search"
          name={`windows.${i}.find`}
          className="find"
          aria-label={t.setup.window.find(number)}
          placeholder={t.setup.window.findHint(open.length)}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        {matching.length > 0 && (
          <div className="chips" data-testid={`window-${i}-found`}>
            {matching.slice(0, CANDIDATES).map((x) => (
              <label key={x.code} className="chip">
                <input type="checkbox" name={`windows.${i}.serves.${x.code.trim()}`} checked={false} onChange={() => setWindow(i, { serves: [...w.serves, x.code.trim()] })} />
                {x.code} {x.name}
                <span className="small">{x.department}</span>
              </label>
            ))}
          </div>
        )}
        {query.trim() !== '' && matching.length === 0 && (
          <span className="small" data-testid={`window-${i}-none-found`}>
            {chosenMatching > 0 ? t.setup.window.allChosen(chosenMatching) : t.setup.window.noneFound}
          </span>
        )}
        {matching.length > CANDIDATES && <span className="small">{t.setup.window.more(matching.length - CANDIDATES)}</span>}
        {serves.map((p, k) => (
          <span className="problem" key={k} data-problem={`windows.${i}.serves`}>
            {say(p)}
          </span>
        ))}
      </div>
      <Field name={`windows.${i}.devices`} label={t.setup.window.devices} problems={problems} say={say}>
        <div className="chips">
          {DEVICES.map((dev) => (
            <label key={dev} className="chip">
              <input
                type="checkbox"
                checked={w.devices.includes(dev)}
                onChange={(e) => setWindow(i, { devices: e.target.checked ? [...w.devices, dev] : w.devices.filter((x) => x !== dev) })}
              />
              {t.setup.devices[dev]}
            </label>
          ))}
        </div>
      </Field>
    </fieldset>
  );
});

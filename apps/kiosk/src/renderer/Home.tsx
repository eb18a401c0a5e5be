import { useMemo, useState } from 'react';
import type { Home, ItemCard, Lang } from '../shared/api';
import { searchItems } from '../shared/search';
import { periodsText, waitText } from '../shared/strings';
import { nameIn, type T } from './bridge';
import { CheckIcon, SearchIcon } from './icons';
import { Keyboard } from './Keyboard';

interface HomeProps {
  t: T;
  lang: Lang;
  elderly: boolean;
  home?: Home;
  onItem(code: string): void;
  onCheckIn(): void;
  onQuery(): void;
  onHome(): void;
}

/** The wait of a ticket taken now, from the queue policy itself (H-09): never "0 minutes" behind others. */
export function WaitLine({ t, lang, item }: { t: T; lang: Lang; item: Pick<ItemCard, 'ahead' | 'wait'> }) {
  if (item.wait.kind === 'no-window') return <span className="wait closed" data-testid="wait">{waitText(lang, item.wait)}</span>;
  if (item.wait.kind === 'next') return <span className="wait none" data-testid="wait">{t('home.noWait')}</span>;
  return (
    <span className="wait" data-testid="wait">
      <b>{t('home.waiting', { n: item.ahead })}</b>
      <span className="dot">·</span>
      {waitText(lang, item.wait)}
    </span>
  );
}

/** What a card says under the item's name: closed today, no number now (its quota taken, or outside its hours), or the wait (and 较忙 where `busy` is shown). */
function ItemFoot({ t, lang, item, showBusy = true }: { t: T; lang: Lang; item: ItemCard; showBusy?: boolean }) {
  if (item.closedNotice)
    return (
      <span className="wait closed" data-testid={`closed-${item.code}`}>
        <span className="badge busy">{t('home.closedToday')}</span> {item.closedNotice}
      </span>
    );
  if (item.notIssuing)
    return (
      <span className="wait closed" data-testid={`not-issuing-${item.code}`}>
        <span className="badge busy">{item.notIssuing === 'full' ? t('home.full') : t('home.outsideHours')}</span>{' '}
        {item.notIssuing === 'full' ? t('home.fullHint') : t('home.hoursToday', { hours: periodsText(lang, item.issuingHours ?? []) })}
      </span>
    );
  return (
    <>
      <WaitLine t={t} lang={lang} item={item} />
      {showBusy && item.busy && <span className="badge busy">{t('home.busyBadge')}</span>}
    </>
  );
}

function ItemButton({ t, lang, item, onItem }: { t: T; lang: Lang; item: ItemCard; onItem(code: string): void }) {
  return (
    <button type="button" className={`item${item.busy ? ' busy' : ''}`} data-testid={`item-${item.code}`} onClick={() => onItem(item.code)}>
      <span className="item-name">{nameIn(lang, item)}</span>
      <span className="item-foot">
        <ItemFoot t={t} lang={lang} item={item} />
      </span>
    </button>
  );
}

function Actions({ t, onCheckIn, onQuery }: Pick<HomeProps, 't' | 'onCheckIn' | 'onQuery'>) {
  return (
    <div className="actions">
      <button type="button" className="action" data-testid="check-in" onClick={onCheckIn}>
        <span className="action-icon" aria-hidden>
          <CheckIcon />
        </span>
        {t('action.checkIn')}
      </button>
      <button type="button" className="action" data-testid="query" onClick={onQuery}>
        <span className="action-icon" aria-hidden>
          <SearchIcon />
        </span>
        {t('action.query')}
      </button>
    </div>
  );
}

export function HomeScreen(props: HomeProps) {
  return props.elderly ? <ElderlyHome {...props} /> : <StandardHome {...props} />;
}

/** Items on one page of the home screen: every item is a page turn away, none hidden below the fold. */
export const PAGE_SIZE = 10;
/** 长辈模式: departments (two columns) and items (one column, larger) that fit whole above its help and its actions. */
export const ELDERLY_DEPARTMENTS_PAGE = 10;
export const ELDERLY_ITEMS_PAGE = 5;

/** One page of `list` (the page asked for, or the last one when the list has shrunk) and the number of pages. */
function pageOf<T>(list: readonly T[], page: number, size: number): { shown: number; pages: number; onPage: T[] } {
  const pages = Math.max(1, Math.ceil(list.length / size));
  const shown = Math.min(page, pages - 1);
  return { shown, pages, onPage: list.slice(shown * size, (shown + 1) * size) };
}

/** The page turns under a list longer than a screen; nothing when it fits on one. */
function Pager({ t, shown, pages, label, onPage }: { t: T; shown: number; pages: number; label: string; onPage(page: number): void }) {
  if (pages <= 1) return null;
  return (
    <div className="pager" data-testid="pager">
      <button type="button" className="page-turn" data-testid="page-prev" disabled={shown === 0} onClick={() => onPage(shown - 1)}>
        ‹ {t('home.pagePrev')}
      </button>
      <span className="page-of" data-testid="page-of">
        {label}
      </span>
      <button type="button" className="page-turn next" data-testid="page-next" disabled={shown >= pages - 1} onClick={() => onPage(shown + 1)}>
        {t('home.pageNext')} ›
      </button>
    </div>
  );
}

function StandardHome({ t, lang, home, onItem, onCheckIn, onQuery }: HomeProps) {
  const [department, setDepartment] = useState<string | undefined>();
  const [query, setQuery] = useState('');
  const [typing, setTyping] = useState(false);
  const [page, setPage] = useState(0);
  const items = useMemo(() => {
    const all = home?.items ?? [];
    if (query.trim() !== '') return searchItems(all, query);
    return department ? all.filter((i) => i.department === department) : all;
  }, [home, query, department]);
  const { shown, pages, onPage } = pageOf(items, page, PAGE_SIZE);
  const filter = (next: string | undefined) => {
    setDepartment(next);
    setPage(0);
  };

  return (
    <div className="home">
      <h2 className="greeting">{t('home.greeting')}</h2>
      {home?.busy && (
        <div className="notice busy" data-testid="busy-banner">
          {t('home.busyBanner')}
        </div>
      )}
      <div className="search">
        <span className="search-icon" aria-hidden>
          <SearchIcon />
        </span>
        <input
          data-testid="search"
          aria-label={t('home.search')}
          value={query}
          placeholder={t('home.search')}
          inputMode="none"
          onFocus={() => setTyping(true)}
          onChange={(e) => (setQuery(e.target.value), setPage(0))}
        />
        {query && (
          <button type="button" className="search-clear" aria-label={t('home.clearSearch')} onClick={() => (setQuery(''), setPage(0))}>
            ×
          </button>
        )}
      </div>
      {!query && (
        <div className="departments" role="tablist">
          <button type="button" className={`chip${department === undefined ? ' on' : ''}`} onClick={() => filter(undefined)}>
            {t('home.allDepartments')}
          </button>
          {(home?.departments ?? []).map((d) => (
            <button type="button" key={d.name} className={`chip${department === d.name ? ' on' : ''}`} onClick={() => filter(d.name)}>
              {nameIn(lang, d)}
            </button>
          ))}
        </div>
      )}
      <div className="items" data-testid="items" data-page={shown + 1} data-pages={pages}>
        {onPage.map((item) => (
          <ItemButton key={item.code} t={t} lang={lang} item={item} onItem={onItem} />
        ))}
        {home && items.length === 0 && <p className="empty">{t('home.noResult')}</p>}
      </div>
      <Pager t={t} shown={shown} pages={pages} label={t('home.pageOf', { page: shown + 1, pages, n: items.length })} onPage={setPage} />
      {typing ? (
        <div className="keyboard-dock">
          <Keyboard t={t} digits={false} onKey={(k) => setQuery((q) => q + k.toLowerCase())} onDelete={() => setQuery((q) => q.slice(0, -1))} onClear={() => setQuery('')} />
          <button type="button" className="dock-close" aria-label={t('keyboard.close')} onClick={() => setTyping(false)}>
            ✓
          </button>
        </div>
      ) : (
        <Actions t={t} onCheckIn={onCheckIn} onQuery={onQuery} />
      )}
    </div>
  );
}

/** 适老化: fewer choices at a time, larger and higher in contrast: first the department, then its items. */
function ElderlyHome({ t, lang, home, onItem, onCheckIn, onQuery }: HomeProps) {
  const [department, setDepartment] = useState<string | undefined>();
  const [departmentPage, setDepartmentPage] = useState(0);
  const [itemPage, setItemPage] = useState(0);
  const departments = pageOf(home?.departments ?? [], departmentPage, ELDERLY_DEPARTMENTS_PAGE);
  const all = (home?.items ?? []).filter((i) => i.department === department);
  const items = pageOf(all, itemPage, ELDERLY_ITEMS_PAGE);
  const choose = (next: string | undefined) => {
    setDepartment(next);
    setItemPage(0);
  };
  return (
    <div className="home elderly-home">
      {department === undefined ? (
        <>
          <h2 className="greeting">{t('home.chooseDepartment')}</h2>
          <div className="big-list two fit">
            {departments.onPage.map((d) => (
              <button type="button" key={d.name} className="big-choice" onClick={() => choose(d.name)}>
                {nameIn(lang, d)}
              </button>
            ))}
          </div>
          <Pager
            t={t}
            shown={departments.shown}
            pages={departments.pages}
            label={t('home.departmentPageOf', { page: departments.shown + 1, pages: departments.pages, n: home?.departments.length ?? 0 })}
            onPage={setDepartmentPage}
          />
          <div className="elderly-help">
            <p>{t('elderly.priority')}</p>
            <p>{t('elderly.help')}</p>
          </div>
        </>
      ) : (
        <>
          <div className="screen-head">
            <button type="button" className="back" onClick={() => choose(undefined)}>
              ← {t('action.back')}
            </button>
            <h2>{nameIn(lang, home?.departments.find((d) => d.name === department) ?? { name: department })}</h2>
          </div>
          <div className="big-list">
            {items.onPage.map((item) => (
              <button type="button" key={item.code} className="big-choice item-choice" data-testid={`item-${item.code}`} onClick={() => onItem(item.code)}>
                <span>{nameIn(lang, item)}</span>
                <ItemFoot t={t} lang={lang} item={item} showBusy={false} />
              </button>
            ))}
          </div>
          <Pager t={t} shown={items.shown} pages={items.pages} label={t('home.pageOf', { page: items.shown + 1, pages: items.pages, n: all.length })} onPage={setItemPage} />
        </>
      )}
      <Actions t={t} onCheckIn={onCheckIn} onQuery={onQuery} />
    </div>
  );
}

import { connectBridge, hubClock, useHubNow, useNow } from '@servicehall/agent/renderer';
import type { ConnectionState } from '@servicehall/protocol';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode, type Ref } from 'react';
import type { Announcing, Board, HallDisplayShape, VoicePlan } from '../shared/api';
import { stringsFor, type DisplayStrings } from '../shared/strings';
import { PageTurner, pageShown, pageStarts } from './paging';
import { findZhVoice, ScreenVoice } from './voice';

const bridge = connectBridge<HallDisplayShape>();

function useTopic<K extends keyof HallDisplayShape['topics'] & string>(topic: K): HallDisplayShape['topics'][K] | undefined {
  const [value, setValue] = useState<HallDisplayShape['topics'][K]>();
  useEffect(() => bridge.on(topic, (v) => setValue(() => v)), [topic]);
  return value;
}

/** The screen's language and how long each page of the waiting list and the notices stays, from the agent. */
function useHello(): [DisplayStrings, string, number] {
  const [language, setLanguage] = useState<string>('zh-CN');
  const [pageMs, setPageMs] = useState(8000);
  useEffect(() => {
    bridge.call('hello').then(
      (h) => {
        setLanguage(h.language);
        setPageMs(h.pageMs);
      },
      () => undefined,
    );
  }, []);
  return [stringsFor(language), language, pageMs];
}

/** The voice on the screen's side: finds the platform's zh-CN voice, tells the agent, runs the queue if the plan says so. */
function useScreenVoice(): Announcing | null {
  const [caption, setCaption] = useState<Announcing | null>(null);
  useEffect(() => {
    let stopped = false;
    const stops: (() => void)[] = [];
    void findZhVoice().then((voice) => {
      if (stopped) return;
      const screen = new ScreenVoice(bridge, voice, hubClock(bridge).now, setCaption);
      stops.push(bridge.on('voice', (plan) => screen.setPlan(plan)));
      stops.push(bridge.on('board', (board) => screen.setBoard(board)));
      // Said again after the agent restarts: its plan starts from "deciding".
      stops.push(
        bridge.on('voice', (plan) => {
          if (plan.mode === 'deciding') void bridge.call('screenVoice', { zhVoice: voice?.name }).catch(() => undefined);
        }),
      );
    });
    return () => {
      stopped = true;
      stops.forEach((s) => s());
    };
  }, []);
  return caption;
}

export function App() {
  const [t, language, pageMs] = useHello();
  const board = useTopic('board');
  const link = useTopic('link');
  const plan = useTopic('voice');
  const agentCaption = useTopic('announcing');
  const screenCaption = useScreenVoice();
  const caption = plan?.runsIn === 'agent' ? agentCaption : screenCaption;
  // The hall's time: the hub's clock (this PC's may be minutes off), shown in the hall's zone.
  const now = new Date(useNow(useHubNow(bridge)));
  return (
    <main className={`board lang-${language}`} lang={language} data-voice={plan?.mode ?? 'deciding'} data-seq={board?.seq ?? 0}>
      <header>
        <h1>{(language === 'en' ? board?.hallNameEn : undefined) ?? board?.hallName ?? t.defaultHallName}</h1>
        <div className="header-right">
          <VoiceBadge plan={plan} t={t} />
          <time data-testid="clock">{now.toLocaleString(language === 'en' ? 'en-GB' : 'zh-CN', { timeZone: board?.timeZone ?? 'Asia/Shanghai', hourCycle: 'h23', dateStyle: 'medium', timeStyle: 'medium' })}</time>
        </div>
      </header>
      <Latest board={board} caption={caption ?? null} t={t} />
      <Recent board={board} t={t} />
      <Waiting board={board} pageMs={pageMs} t={t} />
      <Complaint board={board} t={t} />
      <Notices board={board} pageMs={pageMs} t={t} />
      <footer>
        <span>{t.privacyNote}</span>
        <LinkBadge link={link} t={t} />
      </footer>
    </main>
  );
}

function VoiceBadge({ plan, t }: { plan?: VoicePlan; t: DisplayStrings }) {
  const mode = plan?.mode ?? 'deciding';
  return (
    <span className={`voice-badge voice-${mode}`} data-testid="voice">
      {t.voice[mode]}
    </span>
  );
}

function LinkBadge({ link, t }: { link?: ConnectionState; t: DisplayStrings }) {
  if (!link || link.status === 'online') return <span className="link-ok" data-testid="link" data-status="online" />;
  const key = link.status === 'offline' && (link.reason === 'unauthorised' || link.reason === 'unconfigured') ? link.reason : link.status;
  return (
    <span className={`link-badge link-${link.status}`} data-testid="link" data-status={link.status} role="status">
      {t.link[key]}
    </span>
  );
}

/**
 * The newest call, large, and the caption under it. The caption shows the newest call too, for as
 * long as the voice is announcing: the ordered voice queue may lag behind a burst of calls, the
 * text never does. The 重呼 mark sits above the number, never between 请到 and the window.
 */
function Latest({ board, caption, t }: { board?: Board; caption: Announcing | null; t: DisplayStrings }) {
  const latest = board?.calls[0];
  const shown = caption && latest ? latest : caption;
  const ticket = useRef<HTMLDivElement>(null);
  // The widest number the catalogue allows (WW00009), or one with 手机取号 beside it, is set smaller to fit, never cut.
  useLayoutEffect(() => {
    const el = ticket.current;
    if (el) fitWidth(el, el.parentElement!.clientWidth - LATEST_MARGIN_PX, LATEST_MIN_PX);
  });
  return (
    <section className={`latest${caption ? ' calling' : ''}`} data-testid="latest-call">
      {latest ? (
        <div className="latest-call">
          <div className={`recall-line${latest.recall ? '' : ' none'}`}>{latest.recall ? <span className="recall" data-testid="recall-mark">{t.recallMark}</span> : null}</div>
          <div className="ticket" ref={ticket}>
            {latest.ticket}
            {latest.remote && (
              <span className="remote" data-testid="remote-mark">
                {t.remoteMark}
              </span>
            )}
          </div>
          <div className="go-to" data-testid="go-to">
            <span className="arrow">{t.pleaseGoTo}</span>
            <span className="window">{t.windowLabel(latest.window)}</span>
          </div>
        </div>
      ) : (
        <div className="idle">{t.idle}</div>
      )}
      <div className="caption" data-testid="caption">
        {shown ? (
          <>
            <span className="caption-label">{t.announcing}</span>
            <span data-testid="caption-text">{t.ticketCall(shown.ticket, shown.window)}</span>
          </>
        ) : null}
      </div>
    </section>
  );
}

/** The smallest a recent call is set to fit its column: the widest the catalogue allows (ZZ99999 at Window 999) needs about 32 px. */
const RECENT_MIN_PX = 28;

/** The latest call's number is kept this far from its panel's edges, and never set smaller than this. */
const LATEST_MARGIN_PX = 48;
const LATEST_MIN_PX = 120;

/** An element wider than `room` is set smaller as a whole (its parts' sizes are in em), never cut; `minPx` at the least. */
function fitWidth(el: HTMLElement, room: number, minPx: number): void {
  el.style.fontSize = '';
  // Again after a first try: spacing set in px (letter-spacing, margins) does not shrink with the font.
  for (let tries = 0; tries < 3 && el.scrollWidth > room; tries++) {
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size <= minPx) return;
    el.style.fontSize = `${Math.max(minPx, Math.floor((size * room) / el.scrollWidth))}px`;
  }
}

/** A call wider than its column is set smaller as a whole, never cut. */
const fitCall = (li: HTMLElement): void => fitWidth(li, li.clientWidth, RECENT_MIN_PX);

/** The newest 8 calls before the latest; older ones are not shown (the hall moved on). */
function Recent({ board, t }: { board?: Board; t: DisplayStrings }) {
  const recent = (board?.calls ?? []).slice(1, 9);
  const list = useRef<HTMLOListElement>(null);
  useLayoutEffect(() => {
    for (const li of list.current?.children ?? []) fitCall(li as HTMLElement);
  });
  return (
    <section className="recent panel" data-testid="recent-calls">
      <h2>{t.recentCalls}</h2>
      {recent.length === 0 ? (
        <p className="empty">{t.noRecentCalls}</p>
      ) : (
        <ol ref={list}>
          {recent.map((c) => (
            <li key={`${c.ticket}-${c.seq}-${c.at}`}>
              <span className="ticket">
                {c.ticket}
                {c.remote && <span className="remote">{t.remoteMark}</span>}
              </span>
              <span className="window">{t.windowLabel(c.window)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/**
 * A panel whose list is shown a page at a time (the waiting list, the notices): the whole list is laid
 * out in an unseen copy of the panel in its place and each row measured (a long name or notice makes its
 * line taller), and a page takes the lines that fit. The page turns every pageMs, with 第 1/3 页 beside the
 * title; a new list keeps the page shown unless it no longer exists. `fit` sets each copy's rows up before
 * they are measured.
 */
function PagedPanel({ area, title, testid, count, pageMs, t, fit, list }: {
  area: string;
  title: string;
  testid: string;
  count: number;
  pageMs: number;
  t: DisplayStrings;
  fit?: (panel: HTMLElement) => void;
  /** The rows from..to, in a ul (or what the panel shows when there are none). */
  list: (from: number, to: number) => ReactNode;
}) {
  const shown = useRef<HTMLElement>(null);
  const measure = useRef<HTMLElement>(null);
  const [starts, setStarts] = useState<number[]>([0]);
  const [page, setPage] = useState(0);
  const [turner] = useState(() => new PageTurner(pageMs, setPage));
  useLayoutEffect(() => {
    for (const panel of [shown.current, measure.current]) if (panel) fit?.(panel);
    const all = measure.current?.querySelector<HTMLElement>('.rows > ul');
    const room = shown.current?.querySelector<HTMLElement>('.rows')?.clientHeight ?? 0;
    // No rows (an empty list) is one page.
    const heights = all ? [...all.children].map((li) => li.getBoundingClientRect().height) : [];
    // A grid's columns, or one for a plain list ("none").
    const next = pageStarts(heights, all ? getComputedStyle(all).gridTemplateColumns.split(' ').length : 1, room);
    setStarts((was) => (was.join() === next.join() ? was : next));
  });
  useLayoutEffect(() => turner.setCount(starts.length), [turner, starts.length]);
  useEffect(() => turner.setEveryMs(pageMs), [turner, pageMs]);
  useEffect(() => () => turner.stop(), [turner]);
  const { at, from, to } = pageShown(starts, page, count);
  const panel = (ref: Ref<HTMLElement>, rows: ReactNode, pageOf?: ReactNode, hidden?: boolean) => (
    <section className={`${area} paged panel${hidden ? ' measure' : ''}`} data-testid={hidden ? undefined : testid} aria-hidden={hidden || undefined} ref={ref}>
      <div className="panel-head">
        <h2>{title}</h2>
        {pageOf}
      </div>
      <div className="rows">{rows}</div>
    </section>
  );
  return (
    <>
      {panel(
        shown,
        list(from, to),
        starts.length > 1 && (
          <span className="page-of" data-testid={`${testid}-page`}>
            {t.pageOf(at + 1, starts.length)}
          </span>
        ),
      )}
      {panel(measure, list(0, count), undefined, true)}
    </>
  );
}

/** A name too long for its line at the row's size is set smaller, on up to two lines, and only then ends in an ellipsis. */
function markLongNames(panel: HTMLElement): void {
  for (const name of panel.querySelectorAll<HTMLElement>('.name')) {
    name.classList.remove('long');
    if (name.scrollWidth > name.clientWidth) name.classList.add('long');
  }
}

/** Every item with people waiting, in the hub's order, a page at a time. */
function Waiting({ board, pageMs, t }: { board?: Board; pageMs: number; t: DisplayStrings }) {
  const rows = board?.waiting ?? [];
  return (
    <PagedPanel
      area="waiting"
      title={t.waitingTitle}
      testid="waiting"
      count={rows.length}
      pageMs={pageMs}
      t={t}
      fit={markLongNames}
      list={(from, to) =>
        rows.length === 0 ? (
          <p className="empty">{t.waitingNone}</p>
        ) : (
          <ul>
            {rows.slice(from, to).map((w) => (
              <li key={w.code} data-code={w.code}>
                <span className="name">{w.name}</span>
                <span className="figures">{t.waitingRow(w.waiting, w.wait)}</span>
              </li>
            ))}
          </ul>
        )
      }
    />
  );
}

/** Every notice, in the order the hall gave them (the most urgent first), a page at a time. */
function Notices({ board, pageMs, t }: { board?: Board; pageMs: number; t: DisplayStrings }) {
  const notices = board?.notices ?? t.defaultNotices;
  return (
    <PagedPanel
      area="notices"
      title={t.noticesTitle}
      testid="notices"
      count={notices.length}
      pageMs={pageMs}
      t={t}
      list={(from, to) => (
        <ul>
          {notices.slice(from, to).map((n, i) => (
            <li key={from + i}>
              <span>{n}</span>
            </li>
          ))}
        </ul>
      )}
    />
  );
}

function Complaint({ board, t }: { board?: Board; t: DisplayStrings }) {
  const c = board?.complaint;
  return (
    <section className="complaint panel" data-testid="complaint">
      <h2>{t.complaintTitle}</h2>
      <p>
        <span className="label">{t.complaintPhone}</span>
        <span className="value">{c?.phone ?? '12345'}</span>
      </p>
      {c?.window && (
        <p>
          <span className="label">{t.complaintWindow}</span>
          <span className="value">{complaintWindowName(c.window, t)}</span>
        </p>
      )}
      <p className="note">{t.complaintNote}</p>
    </section>
  );
}

/** 15号窗口 综合咨询台 in Chinese; in English only "Window 15", as the window's own name is Chinese. */
function complaintWindowName(w: { number: number; name: string }, t: DisplayStrings): string {
  if (t !== stringsFor('zh-CN')) return t.windowLabel(w.number);
  return w.name.startsWith(`${w.number}号`) ? w.name : `${t.windowLabel(w.number)} ${w.name}`;
}

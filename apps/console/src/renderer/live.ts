import { applyEvent, fromSnapshot, OutOfStep, type DeviceReport, type HallEvent, type HallSnapshot, type HallView, type TerminalPresence } from '@servicehall/core';
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, feedSaysSignedOut } from './api';
import { feedRetryMs, networkError, refusedFeed, type FeedLink } from './feed-link';

export interface TerminalRow {
  id: string;
  role: string;
  terminal: string;
  window?: number;
  createdAt: number;
  createdBy: string;
  expiresAt: number;
  revokedAt?: number;
  lastSeen?: number;
  version?: string;
  address?: string;
  state: 'online' | 'offline' | 'revoked' | 'expired';
  onlineSince?: number;
  devices: DeviceReport[];
}

export interface TerminalList {
  terminals: TerminalRow[];
  /** Linked with the hall token itself: linked now (since), or remembered offline with when they were last heard. */
  hallToken: { terminal: string; role: string; window?: number; online: boolean; since?: number; lastSeen: number; devices: DeviceReport[] }[];
  /** How long the hub remembers one of those after it was last heard. */
  hallTokenKeptDays: number;
  /** Each name once: its newest request, and how many links ask under it. */
  waiting: { role: string; terminal: string; window?: number; at: number; expiresAt: number; address?: string; version?: string; links: number }[];
  /** Every terminal the hall expects, linked or not: what the board and the alerts read. */
  presence: TerminalPresence[];
}

/** The hubs as the hub says them (its HubHealth): in charge, its standby's link, its last backup. */
export interface HubHealth {
  inCharge: boolean;
  epoch: number;
  /** Absent: no standby configured. */
  standby?: { state: 'in-step' | 'behind' | 'none'; behindEvents: number };
  /** Absent: no scheduled backups. */
  backup?: { lastAt?: number; failures: number };
}

export interface Live {
  view?: HallView;
  /** Changes with every event, so that pages showing the view render again. */
  seq: number;
  /** Changes when a follow-up, complaint, case route or delivery changed: their pages read them again. */
  casework: number;
  terminals?: TerminalList;
  hubs?: HubHealth;
  online: boolean;
  /** What the corner says of the feed. */
  link: FeedLink;
  /** When the feed stopped being live (performance.now()): the view is the hall as it was then. Absent while linked. */
  lostAt?: number;
}

/** The live state with the feed's link now `link`: the moment it stopped being live kept until it is live again. */
const linkNow = (l: Live, link: FeedLink): Live => ({
  ...l,
  online: link === 'linked',
  link,
  lostAt: link === 'linked' ? undefined : l.link === 'linked' ? performance.now() : l.lostAt,
});

/**
 * The hall as the hub pushes it to the console (Server-Sent Events): a snapshot, then every event
 * folded in by the same rules the terminals use, and the terminal list when it changes. Never polled;
 * EventSource reconnects by itself after a network loss and the hub sends a fresh snapshot. A feed the
 * hub refused (429, 503) EventSource gives up for good: the page asks for it again itself, later each
 * time in a row, and takes the hall afresh from the snapshot (a page's unsaved form stays as it is).
 */
export function useLive(enabled: boolean): Live {
  const [live, setLive] = useState<Live>({ seq: 0, casework: 0, online: false, link: 'linking' });
  const [generation, setGeneration] = useState(0);
  /** Feeds refused in a row (reset when one opens): each asked for again later than the one before. */
  const refusals = useRef(0);
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let again: ReturnType<typeof setTimeout> | undefined;
    const source = new EventSource('/api/console/stream', { withCredentials: true });
    const say = (link: FeedLink) => setLive((l) => linkNow(l, link));
    // Signed in again after the session ended: linking anew, not still ended.
    setLive((l) => (l.link === 'ended' ? { ...l, link: 'linking' } : l));
    let view: HallView | undefined;
    source.addEventListener('snapshot', (e) => {
      view = fromSnapshot(JSON.parse((e as MessageEvent).data) as HallSnapshot);
      setLive((l) => ({ ...linkNow(l, 'linked'), view, seq: view!.seq }));
    });
    source.addEventListener('events', (e) => {
      if (!view) return;
      let casework = 0;
      try {
        for (const event of JSON.parse((e as MessageEvent).data) as HallEvent[]) {
          if (event.seq <= view.seq) continue;
          applyEvent(view, event);
          if (/^(followUp|complaint|caseRoute|delivery)\./.test(event.type)) casework += 1;
        }
      } catch (error) {
        if (!(error instanceof OutOfStep)) throw error;
        // Out of step: start again from a fresh snapshot.
        source.close();
        setGeneration((g) => g + 1);
        return;
      }
      setLive((l) => ({ ...l, view, seq: view!.seq, casework: l.casework + casework }));
    });
    source.addEventListener('terminals', (e) => {
      const terminals = JSON.parse((e as MessageEvent).data) as TerminalList;
      setLive((l) => ({ ...l, terminals }));
    });
    source.addEventListener('hubs', (e) => {
      const hubs = JSON.parse((e as MessageEvent).data) as HubHealth;
      setLive((l) => ({ ...l, hubs }));
    });
    // The session ended (signed out elsewhere, account disabled, password reset): the hub ends the feed saying so, and the
    // console goes to its sign-in page as when a request finds it ended, a page with changes saying first that they are not kept.
    source.addEventListener('ended', () => {
      stopped = true;
      source.close();
      say('ended');
      feedSaysSignedOut();
    });
    source.onerror = () => {
      if (stopped) return;
      // Lost: EventSource asks again by itself. Refused (it then gives up, telling nothing): a request says why, a session ended
      // going to sign-in, and the feed is asked for again after the hub's Retry-After, twice that after a second refusal, and so on.
      if (source.readyState !== EventSource.CLOSED) return setLive((l) => linkNow(l, networkError(l.link)));
      source.close();
      void api('GET', '/api/console/session')
        .then(
          () => ({ link: refusedFeed('signed-in'), retryAfterMs: undefined }),
          (error: unknown) =>
            error instanceof ApiError
              ? { link: refusedFeed(error), retryAfterMs: error.retryAfterSeconds ? error.retryAfterSeconds * 1000 : undefined }
              : { link: refusedFeed({ status: 0 }), retryAfterMs: undefined },
        )
        .then(({ link, retryAfterMs }) => {
          if (stopped) return;
          say(link);
          if (link === 'ended') return;
          again = setTimeout(() => setGeneration((g) => g + 1), feedRetryMs((refusals.current += 1), retryAfterMs, Math.random()));
        });
    };
    source.onopen = () => {
      refusals.current = 0;
      say('linked');
    };
    return () => {
      stopped = true;
      clearTimeout(again);
      source.close();
    };
  }, [enabled, generation]);
  return live;
}

import { applyEvent, fromSnapshot, OutOfStep, type DeviceReport, type HallEvent, type HallSnapshot, type HallView, type TerminalPresence } from '@servicehall/core';
import { useEffect, useState } from 'react';
import { api, feedSaysSignedOut } from './api';

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
}

/**
 * The hall as the hub pushes it to the console (Server-Sent Events): a snapshot, then every event
 * folded in by the same rules the terminals use, and the terminal list when it changes. Never polled;
 * EventSource reconnects by itself and the hub sends a fresh snapshot.
 */
export function useLive(enabled: boolean): Live {
  const [live, setLive] = useState<Live>({ seq: 0, casework: 0, online: false });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource('/api/console/stream', { withCredentials: true });
    let view: HallView | undefined;
    source.addEventListener('snapshot', (e) => {
      view = fromSnapshot(JSON.parse((e as MessageEvent).data) as HallSnapshot);
      setLive((l) => ({ ...l, view, seq: view!.seq, online: true }));
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
      source.close();
      setLive((l) => ({ ...l, online: false }));
      feedSaysSignedOut();
    });
    source.onerror = () => {
      setLive((l) => ({ ...l, online: false }));
      // Refused when it came back (EventSource then gives up, telling nothing): a request says why, and a session ended goes to sign-in.
      if (source.readyState === EventSource.CLOSED) void api('GET', '/api/console/session').catch(() => undefined);
    };
    source.onopen = () => setLive((l) => ({ ...l, online: true }));
    return () => source.close();
  }, [enabled, generation]);
  return live;
}

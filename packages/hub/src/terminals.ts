import { isConfigured, mayCommand, type Actor } from '@servicehall/core';
import { linkKey } from '@servicehall/protocol/node';
import {
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  TerminalMessageSchema,
  parseMessage,
  type Hello,
  type HubMessage,
} from '@servicehall/protocol';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { GroupCommit } from './commit';
import type { Pairings, PairingRequest, TerminalCredentials } from './enrolment';
import type { HallStore } from './store';

/** A terminal further behind than this gets a snapshot instead of the events it missed. */
export const MAX_CATCH_UP_EVENTS = 500;
/** A terminal that cannot keep up with this much unsent data is dropped; it reconnects and catches up. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

interface Session {
  ws: WebSocket;
  actor?: Actor;
  /** The credential the terminal said hello with (none for the hall token). */
  credentialId?: string;
  pairing?: PairingRequest;
  address?: string;
  since: number;
  subscribed: boolean;
  alive: boolean;
}

/** A terminal on its link now, for the console's terminal list. */
export interface LinkedTerminal {
  terminal: string;
  role: string;
  window?: number;
  credentialId?: string;
  since: number;
  address?: string;
}

export interface TerminalLinks {
  count(): number;
  /** Who is linked now. */
  linked(): LinkedTerminal[];
  /** Ends the links that said hello with this credential (it was revoked). */
  dropCredential(id: string): void;
  close(): void;
}

export interface TerminalAccess {
  credentials: TerminalCredentials;
  pairings: Pairings;
  /** Something changed in who is linked or waiting to pair (the console's terminal page listens). */
  changed(): void;
  clock: () => number;
}

export function tokensMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function actorOf(hello: Hello): Actor | string {
  switch (hello.role) {
    case 'kiosk':
    case 'display':
    case 'admin':
      return { role: hello.role, terminal: hello.terminal };
    case 'window':
    case 'rating-pad':
      if (hello.window === undefined) return `a ${hello.role} terminal must say its window number`;
      return { role: hello.role, terminal: hello.terminal, window: hello.window };
  }
}

/**
 * The terminals' WebSocket endpoint: a terminal says who it is with its token, gets a snapshot or
 * the events it missed, then every new event as it is appended; its commands get answers.
 * Whatever arrives, the answer is a message: nothing a terminal sends can stop the hub.
 */
export function serveTerminals(wss: WebSocketServer, store: HallStore, commits: GroupCommit, token: string, access: TerminalAccess): TerminalLinks {
  const sessions = new Set<Session>();
  const links = linkKey(token);

  const send = (s: Session, message: HubMessage | string) => {
    if (s.ws.readyState !== s.ws.OPEN) return;
    if (s.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      s.ws.terminate();
      return;
    }
    s.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  };

  const unsubscribe = store.onEvents((events) => {
    const text = JSON.stringify({ type: 'events', events } satisfies HubMessage);
    for (const s of sessions) if (s.subscribed) send(s, text);
  });

  const catchUp = (s: Session, since: number | undefined) => {
    const seq = store.seq;
    if (since === undefined || since > seq || seq - since > MAX_CATCH_UP_EVENTS) {
      send(s, { type: 'snapshot', snapshot: store.snapshot() });
    } else if (since < seq) {
      send(s, { type: 'events', events: store.eventsSince(since, MAX_CATCH_UP_EVENTS) });
    }
    s.subscribed = true;
  };


  const onMessage = (s: Session, text: string) => {
    const parsed = parseMessage(TerminalMessageSchema, text);
    if (!parsed.ok) return send(s, { type: 'error', code: 'bad-request', message: parsed.message });
    const message = parsed.value;
    switch (message.type) {
      case 'hello': {
        const actor = actorOf(message);
        if (typeof actor === 'string') return send(s, { type: 'error', code: 'bad-request', message: actor });
        // The hall token opens any role; a terminal's credential only the identity it was enrolled as.
        const now = access.clock();
        if (!tokensMatch(message.token, token)) {
          const check = message.role === 'admin' ? undefined : access.credentials.verify(message.token, { role: message.role, terminal: message.terminal, window: message.window }, now);
          if (!check?.ok) {
            const why = check && !check.ok && check.reason !== 'unknown' ? ` (${check.reason === 'other-terminal' ? 'it belongs to another terminal' : `it is ${check.reason}`})` : '';
            return send(s, { type: 'error', code: 'unauthorised', message: `the token is neither this hall’s nor this terminal’s${why}: enrol the terminal again` });
          }
          s.credentialId = check.credential.id;
          access.credentials.seen(check.credential.id, now, { version: message.version, address: s.address });
        }
        if (!isConfigured(store.view.catalogue) && message.role !== 'admin')
          return send(s, { type: 'error', code: 'unconfigured', message: 'the hall is not set up yet: an administrator sets it up in the console (/console)' });
        s.actor = actor;
        access.changed();
        send(s, { type: 'welcome', protocol: PROTOCOL_VERSION, terminal: message.terminal, role: message.role, seq: store.seq, hubTime: store.now(), linkKey: links });
        return catchUp(s, message.since);
      }
      case 'pair': {
        if (s.actor) return send(s, { type: 'error', code: 'bad-request', message: 'this link is enrolled already' });
        if ((message.role === 'window' || message.role === 'rating-pad') && message.window === undefined)
          return send(s, { type: 'error', code: 'bad-request', message: `a ${message.role} terminal must say its window number` });
        if (s.pairing) access.pairings.withdraw(s.pairing);
        const request = access.pairings.request({
          role: message.role,
          terminal: message.terminal,
          ...(message.window !== undefined ? { window: message.window } : {}),
          at: access.clock(),
          ...(s.address ? { address: s.address } : {}),
          ...(message.version ? { version: message.version } : {}),
          deliver: (credentialToken, credential) => {
            s.pairing = undefined;
            send(s, { type: 'paired', token: credentialToken, role: credential.role, terminal: credential.terminal, window: credential.window, expiresAt: credential.expiresAt });
          },
        });
        s.pairing = request;
        access.changed();
        return send(s, { type: 'pairing', code: request.code, expiresAt: request.expiresAt });
      }
      case 'subscribe':
        if (!s.actor) return send(s, { type: 'error', code: 'unauthorised', message: 'say hello with the hall token first' });
        return catchUp(s, message.since);
      case 'ping':
        return send(s, { type: 'pong', t: message.t, hubTime: store.now() });
      case 'command': {
        const command = message.command;
        if (!s.actor) return send(s, { type: 'error', code: 'unauthorised', message: 'say hello with the hall token first', commandId: command.id });
        if (!mayCommand(s.actor, command))
          return send(s, {
            type: 'answer',
            commandId: command.id,
            answer: { ok: false, code: 'forbidden', message: `a ${s.actor.role} terminal may not ${command.type}` },
          });
        // Commands that arrive in the same turn of the event loop are committed together (group commit).
        void commits.submit(command, s.actor).then(({ answer }) => send(s, { type: 'answer', commandId: command.id, answer }));
        return;
      }
    }
  };

  wss.on('connection', (ws, req: IncomingMessage) => {
    const s: Session = { ws, subscribed: false, alive: true, since: Date.now(), ...(req?.socket?.remoteAddress ? { address: req.socket.remoteAddress } : {}) };
    sessions.add(s);
    ws.on('pong', () => (s.alive = true));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return send(s, { type: 'error', code: 'bad-request', message: 'messages are JSON text' });
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
      if (size > MAX_MESSAGE_BYTES) return send(s, { type: 'error', code: 'too-large', message: `a message may hold at most ${MAX_MESSAGE_BYTES} bytes` });
      try {
        onMessage(s, data.toString());
      } catch (error) {
        console.error('terminal message failed', error);
        send(s, { type: 'error', code: 'internal', message: 'the hub could not handle this message' });
      }
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      sessions.delete(s);
      if (s.pairing) access.pairings.withdraw(s.pairing);
      if (s.credentialId) access.credentials.seen(s.credentialId, access.clock());
      if (s.actor || s.pairing) access.changed();
    });
  });

  const heartbeat = setInterval(() => {
    for (const s of sessions) {
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    count: () => sessions.size,
    linked: () =>
      [...sessions]
        .filter((s) => s.actor)
        .map((s) => ({
          terminal: s.actor!.terminal,
          role: s.actor!.role,
          ...('window' in s.actor! ? { window: s.actor!.window } : {}),
          ...(s.credentialId ? { credentialId: s.credentialId } : {}),
          since: s.since,
          ...(s.address ? { address: s.address } : {}),
        })),
    dropCredential(id) {
      for (const s of sessions)
        if (s.credentialId === id) {
          send(s, { type: 'error', code: 'unauthorised', message: 'this terminal’s credential was revoked: enrol it again' });
          s.ws.close();
        }
    },
    close() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const s of sessions) s.ws.terminate();
    },
  };
}

import { BRIDGE_GLOBAL, type Bridge, type BridgeReply, type BridgeShape, type ExposedBridge } from './contract';

/** A call the agent refused or could not make; `code` maps to a polite sentence in the renderer. */
export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The renderer's side of the bridge: the preload's in Electron, else a WebSocket to the agent that
 * served this page (browser mode), reconnecting whenever the agent restarts.
 */
export function connectBridge<S extends BridgeShape>(): Bridge<S> {
  const exposed = (globalThis as unknown as Record<string, ExposedBridge | undefined>)[BRIDGE_GLOBAL];
  if (exposed) return fromExposed<S>(exposed);
  return overWebSocket<S>(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/bridge`);
}

/** The bridge secret the agent put in the page it served (browser mode); the bridge refuses connections without it. */
function pageSecret(): string {
  return document.querySelector('meta[name="servicehall-bridge"]')?.getAttribute('content') ?? '';
}

/** The secret of the agent now running: after the agent restarts, the page it serves again carries a new one. */
async function freshSecret(): Promise<string> {
  try {
    const html = await (await fetch(location.pathname, { cache: 'no-store' })).text();
    return /<meta name="servicehall-bridge" content="([\w-]+)"/.exec(html)?.[1] ?? pageSecret();
  } catch {
    return pageSecret();
  }
}

function fromExposed<S extends BridgeShape>(exposed: ExposedBridge): Bridge<S> {
  return {
    async call(name, ...arg) {
      const r = await exposed.call(name, arg[0]);
      if (!r.ok) throw new BridgeError(r.error.code, r.error.message);
      return r.value as never;
    },
    on: (topic, listener) => exposed.on(topic, listener as (p: unknown) => void),
  };
}

function overWebSocket<S extends BridgeShape>(url: string): Bridge<S> {
  let ws: WebSocket | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void; frame: string }>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const last = new Map<string, unknown>();
  let delay = 200;
  let secret = pageSecret();
  let opened = true;

  const open = async () => {
    // A connection that closed without ever opening may have met a restarted agent with a new secret.
    if (!opened) secret = await freshSecret();
    opened = false;
    const socket = new WebSocket(`${url}?s=${encodeURIComponent(secret)}`);
    ws = socket;
    socket.onopen = () => {
      delay = 200;
      opened = true;
      for (const p of pending.values()) socket.send(p.frame);
    };
    socket.onmessage = (e) => {
      let m: BridgeReply;
      try {
        m = JSON.parse(String(e.data)) as BridgeReply;
      } catch {
        return;
      }
      if (m.type === 'push') {
        // The agent went back to showing a pairing code (its credential was revoked): show that page.
        if (m.topic === 'pairing' && (m.payload as { status?: string } | null)?.status !== 'paired') return location.reload();
        last.set(m.topic, m.payload);
        for (const l of listeners.get(m.topic) ?? []) l(m.payload);
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value as never);
      else p.reject(new BridgeError(m.error.code, m.error.message));
    };
    socket.onclose = () => {
      ws = undefined;
      setTimeout(() => void open(), delay);
      delay = Math.min(delay * 2, 3000);
    };
  };
  opened = true;
  void open();

  return {
    call(name, ...arg) {
      const id = nextId++;
      const frame = JSON.stringify({ type: 'call', id, name, arg: arg[0] });
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, frame });
        if (ws?.readyState === WebSocket.OPEN) ws.send(frame);
      });
    },
    on(topic, listener) {
      const set = listeners.get(topic) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(topic, set);
      if (last.has(topic)) (listener as (p: unknown) => void)(last.get(topic));
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
}

export { HubClock, hubClock, onEachTick, useHubNow, useNow, type HubTimeBridge } from './hub-clock';

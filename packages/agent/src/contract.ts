/**
 * The bridge between a terminal's renderer and its agent. One contract, two transports: Electron
 * IPC through the preload, or a local WebSocket in browser mode. The renderer cannot tell which.
 * This file is shared by both sides: no Node, no DOM.
 */

import type { ConnectionState } from '@servicehall/protocol';

/** Every terminal's screen can show its link to the hub (topic "link"). */
export interface LinkTopic {
  link: ConnectionState;
}

/**
 * Every terminal's screen can ask the hall's time (call "hubTime"): the hub's clock as the agent's link knows
 * it. The screen counts and shows times by it, never by its PC's own clock, which may be minutes off.
 */
export interface HubTimeCall {
  hubTime(): number;
}

/** An app's bridge: the calls its renderer may make and the topics its agent pushes. */
export interface BridgeShape {
  calls: object;
  topics: object;
}

type Fn = (...args: never[]) => unknown;
export type CallName<S extends BridgeShape> = { [K in keyof S['calls']]: S['calls'][K] extends Fn ? K : never }[keyof S['calls']] & string;
type CallFn<S extends BridgeShape, K extends CallName<S>> = S['calls'][K] extends Fn ? S['calls'][K] : never;
export type CallArg<S extends BridgeShape, K extends CallName<S>> = Parameters<CallFn<S, K>>[0];
export type CallResult<S extends BridgeShape, K extends CallName<S>> = Awaited<ReturnType<CallFn<S, K>>>;
export type TopicName<S extends BridgeShape> = keyof S['topics'] & string;
export type TopicPayload<S extends BridgeShape, K extends TopicName<S>> = S['topics'][K];

export interface Bridge<S extends BridgeShape> {
  call<K extends CallName<S>>(name: K, ...arg: Parameters<CallFn<S, K>>): Promise<CallResult<S, K>>;
  on<K extends TopicName<S>>(topic: K, listener: (payload: TopicPayload<S, K>) => void): () => void;
}

/** What the agent's side implements: a handler per call. */
export type BridgeHandlers<S extends BridgeShape> = {
  [K in CallName<S>]: (...arg: Parameters<CallFn<S, K>>) => Promise<CallResult<S, K>> | CallResult<S, K>;
};

/** Wire messages of the browser-mode transport (JSON over a local WebSocket at /bridge). */
export type BridgeRequest = { type: 'call'; id: number; name: string; arg?: unknown };
export type BridgeReply =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: { code: string; message: string } }
  | { type: 'push'; topic: string; payload: unknown };

/** The name under which an Electron preload exposes the bridge on `window`. */
export const BRIDGE_GLOBAL = 'servicehall';
export const IPC_CALL = 'servicehall:call';
export const IPC_PUSH = 'servicehall:push';

/** What the preload exposes: untyped on the wire, typed by `Bridge<S>` in the renderer. */
export interface ExposedBridge {
  call(name: string, arg?: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }>;
  on(topic: string, listener: (payload: unknown) => void): () => void;
}

import type { ChannelConfig } from '../config';
import type { Notice } from '../notices';
import type { Reason } from '../strings';

/** One notice on its way to one channel (and, for SMS, one phone). */
export interface OutgoingMessage {
  notice: Notice;
  /** E.164, for SMS only. */
  recipient?: string;
  /** When the notice was raised; robot messages show it. */
  at: number;
}

/** The request a provider would send: built without I/O, so that tests can check every byte. */
export interface PreparedRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

export type AttemptOutcome = 'delivered' | 'retry' | 'rate-limited' | 'rejected';

export interface ProviderAnswer {
  outcome: AttemptOutcome;
  reason: Reason;
  /** HTTP status, when an answer came. */
  status?: number;
  /** The provider's answer as it came (cut to 2,000 characters). */
  answer?: string;
  /** For the audit page: "errcode 45009 api freq out of limit". */
  detail: string;
  /** Try this one again no sooner than this (a provider's per-number limit). */
  retryAfterMs?: number;
  /** The whole channel waits this long (a rate-limit answer). */
  pauseChannelMs?: number;
  /** No answer, but the request had gone: the provider may have sent the message (see afterAttempt). */
  maybeSent?: boolean;
}

/** A notification provider: a channel's configuration plus the two halves of sending. */
export interface Provider {
  readonly channel: ChannelConfig;
  /** Builds the request for `message` at time `now` (signatures included). Throws PrepareError when it cannot be sent. */
  prepare(message: OutgoingMessage, now: number): PreparedRequest;
  /** Sends it and says what became of it; never throws for the provider's or the network's faults. */
  deliver(request: PreparedRequest, signal: AbortSignal): Promise<ProviderAnswer>;
}

/** The message cannot be sent on this channel as configured (no template for it, say): a dead letter at once. */
export class PrepareError extends Error {
  override readonly name = 'PrepareError';
}

export interface NotifyLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const consoleLogger: NotifyLogger = {
  info: (message, fields) => console.log(`[notify] ${message}`, ...(fields ? [JSON.stringify(fields)] : [])),
  warn: (message, fields) => console.warn(`[notify] ${message}`, ...(fields ? [JSON.stringify(fields)] : [])),
};

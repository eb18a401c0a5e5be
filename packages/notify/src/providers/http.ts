import http from 'node:http';
import https from 'node:https';
import type { PreparedRequest, ProviderAnswer } from './types';

export const ANSWER_KEEP = 2_000;

/**
 * The most of an answer read: a robot's or an SMS gateway's is a few hundred bytes. A webhook that
 * answers without end (a misconfigured proxy, a hostile host) would otherwise be held in memory until
 * the timeout, gigabytes on a fast network, and end the hub.
 */
export const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * `sent`: the connection was made and the whole request written to it, so the provider may have
 * acted on it (a timeout or a cut after that leaves the result unknown); false: nothing reached it.
 */
export type HttpResult = { kind: 'answer'; status: number; text: string } | { kind: 'timeout'; sent: boolean } | { kind: 'network'; message: string; sent: boolean };

/**
 * Sends a prepared request; a timeout (the signal) and a network failure are values, not throws.
 * node:http rather than fetch, to know whether the request had left when it failed: fetch says
 * the same for a connection refused and for an answer that never came.
 */
export function send(request: PreparedRequest, signal: AbortSignal): Promise<HttpResult> {
  return new Promise((resolve) => {
    let connected = false;
    let written = false;
    let settled = false;
    const done = (result: HttpResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const failed = (error: unknown) => {
      const sent = connected && written;
      if (signal.aborted) return done({ kind: 'timeout', sent });
      const e = error as { code?: string; message?: string };
      done({ kind: 'network', message: e.code ?? e.message ?? String(error), sent });
    };
    let url: URL;
    try {
      url = new URL(request.url);
    } catch (error) {
      return failed(error);
    }
    const secure = url.protocol === 'https:';
    const body = Buffer.from(request.body, 'utf8');
    const req = (secure ? https : http).request(url, { method: request.method, headers: { ...request.headers, 'Content-Length': String(body.length) }, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_ANSWER_BYTES) return void chunks.push(c);
        // The request went and was answered: it may have been acted on, as after an answer cut off.
        failed(new Error(`the answer ran past ${MAX_ANSWER_BYTES} bytes`));
        req.destroy();
      });
      res.on('end', () => done({ kind: 'answer', status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', failed);
      res.on('close', () => {
        if (!res.complete) failed(new Error('the answer was cut off'));
      });
    });
    req.on('socket', (socket) => {
      // A socket kept alive from an earlier request is connected already.
      if (!socket.connecting) connected = true;
      else socket.once(secure ? 'secureConnect' : 'connect', () => (connected = true));
    });
    req.on('finish', () => (written = true));
    req.on('error', failed);
    req.end(body);
  });
}

/**
 * What a timeout, a network failure or a non-JSON or unexpected HTTP answer means for any provider.
 * One that failed after the request had gone may have been acted on: `maybeSent` (see afterAttempt).
 */
export function transportAnswer(result: HttpResult): ProviderAnswer | undefined {
  if (result.kind === 'timeout') return { outcome: 'retry', reason: 'timeout', detail: result.sent ? 'no answer in time' : 'no connection in time: nothing was sent', ...(result.sent ? { maybeSent: true } : {}) };
  if (result.kind === 'network') return { outcome: 'retry', reason: 'network', detail: result.sent ? `${result.message} after the request was sent` : result.message, ...(result.sent ? { maybeSent: true } : {}) };
  const answer = result.text.slice(0, ANSWER_KEEP);
  if (result.status === 429) return { outcome: 'rate-limited', reason: 'rate-limited', status: result.status, answer, detail: 'HTTP 429' };
  if (result.status >= 500) return { outcome: 'retry', reason: 'server-error', status: result.status, answer, detail: `HTTP ${result.status}` };
  if (result.status !== 200) return { outcome: 'rejected', reason: 'rejected', status: result.status, answer, detail: `HTTP ${result.status}` };
  return undefined;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Cuts text to at most `max` UTF-8 bytes at a character boundary, marking the cut. */
export function cutToBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch + '…', 'utf8') > max) break;
    out += ch;
  }
  return out + '…';
}

import type { PreparedRequest, ProviderAnswer } from './types';

export const ANSWER_KEEP = 2_000;

export type HttpResult = { kind: 'answer'; status: number; text: string } | { kind: 'timeout' } | { kind: 'network'; message: string };

/** Sends a prepared request; a timeout (the signal's TimeoutError) and a network failure are values, not throws. */
export async function send(request: PreparedRequest, signal: AbortSignal): Promise<HttpResult> {
  try {
    const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal, redirect: 'error' });
    const text = await response.text();
    return { kind: 'answer', status: response.status, text };
  } catch (error) {
    if (signal.aborted) return { kind: 'timeout' };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { kind: 'network', message: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}

/** What a timeout, a network failure or a non-JSON or unexpected HTTP answer means for any provider. */
export function transportAnswer(result: HttpResult): ProviderAnswer | undefined {
  if (result.kind === 'timeout') return { outcome: 'retry', reason: 'timeout', detail: 'no answer in time' };
  if (result.kind === 'network') return { outcome: 'retry', reason: 'network', detail: result.message };
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

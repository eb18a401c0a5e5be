import { PHONE_SESSION_HEADER } from '@servicehall/protocol/phone-session';
import type { Lang } from '../shared/strings';

/** A refusal from the hub, with the hall's own polite sentence. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly text: string | undefined,
    readonly retryAfterSeconds?: number,
    /** The hub sent this phone a code within the minute (a refused second ask): that code holds. */
    readonly codeSent = false,
  ) {
    super(`${status} ${code ?? ''}`);
  }
}

export interface Session {
  token: string;
  phone: string;
  expiresAt: number;
}

let language: Lang = 'zh-CN';
export function useLanguage(lang: Lang): void {
  language = lang;
}

/**
 * A fresh key per press, for the hub's Idempotency-Key: a retry of the same press is answered once.
 * Its time comes first, then 80 random bits: the hub adds keys that follow the clock at the end of
 * the index it keeps answers by (see newCommandId in the protocol package).
 */
export function pressKey(): string {
  const bytes = new Uint8Array(10);
  (globalThis.crypto ?? (window as unknown as { msCrypto: Crypto }).msCrypto).getRandomValues(bytes);
  return `phone-${Date.now().toString(16).padStart(12, '0')}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** One call to the hub's phone API; a refusal throws ApiError with its sentence. */
export async function api<T>(method: 'GET' | 'POST', path: string, options: { body?: unknown; session?: Session; key?: string; signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': language };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.session) headers[PHONE_SESSION_HEADER] = options.session.token;
  if (options.key) headers['idempotency-key'] = options.key;
  const res = await fetch(`/api/phone${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: 'omit',
    cache: 'no-store',
    signal: options.signal,
  });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const b = (body ?? {}) as { code?: string; text?: string; codeSent?: boolean };
    const retry = Number(res.headers.get('retry-after'));
    throw new ApiError(res.status, b.code, b.text, Number.isFinite(retry) && retry > 0 ? retry : undefined, b.codeSent === true);
  }
  return body as T;
}

/** A store that never throws: in-app browsers in private mode may refuse localStorage. */
export const storage = {
  getItem(key: string): string | null {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  setItem(key: string, value: string): void {
    try {
      window.localStorage.setItem(key, value);
    } catch {
      // Kept for this visit only.
    }
  },
  removeItem(key: string): void {
    try {
      window.localStorage.removeItem(key);
    } catch {
      // Nothing kept.
    }
  },
};

export function savedSession(now = Date.now()): Session | undefined {
  try {
    const s = JSON.parse(storage.getItem('sh.session') ?? 'null') as Session | null;
    return s && typeof s.token === 'string' && s.expiresAt > now ? s : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session | undefined): void {
  if (s) storage.setItem('sh.session', JSON.stringify(s));
  else storage.removeItem('sh.session');
}

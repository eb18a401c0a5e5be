import type { Language } from './i18n';

/** A refusal from the hub: its code, its message, the polite text, and what it names (form problems, tickets in the way). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly text: string,
    readonly problems: Problem[] = [],
    readonly tickets: string[] = [],
    readonly retryAfterSeconds?: number,
    /** The whole answer, for what only one page reads (the changes a stale setup form missed). */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Problem {
  path?: (string | number)[];
  code?: string;
  message: string;
  /** The hub's sentence for it in the page's language, where it has one (a period of an item's issuing hours). */
  text?: string;
  sheet?: string;
  row?: number;
  column?: string;
}

let csrf = '';
let language: Language = 'zh-CN';
let signedOut: () => void = () => undefined;

export const setCsrf = (token: string) => void (csrf = token);
export const setApiLanguage = (l: Language) => void (language = l);
/** What the console does when the hub says its session has ended, whichever page asked: every request comes through here. */
export const whenSignedOut = (then: () => void) => void (signedOut = then);

/** The live feed ended by the hub because the session has ended: the same as a request refused for it. */
export const feedSaysSignedOut = () => signedOut();

/** The hub's refusal of a request whose session has ended (signed out, idle, password reset): not a wrong password, which has no reason. */
const sessionEnded = (status: number, json: Record<string, unknown>) => status === 401 && json.reason === 'signed-out';

/** The one way the console's pages speak to the hub: the session cookie rides along, every change carries the CSRF token. */
export async function api<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'accept-language': language === 'en' ? 'en' : 'zh-CN' };
  let payload: BodyInit | undefined;
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    payload = body;
    headers['content-type'] = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'offline', 'the hub cannot be reached', language === 'en' ? 'The hub cannot be reached just now. Please check the network and try again.' : '暂时无法连接大厅服务器，请检查网络后重试。');
  }
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (sessionEnded(res.status, json)) signedOut();
  if (!res.ok || json.ok === false)
    throw new ApiError(
      res.status,
      String(json.code ?? 'internal'),
      String(json.message ?? res.statusText),
      String(json.text ?? json.message ?? ''),
      (json.problems as Problem[]) ?? [],
      (json.tickets as string[]) ?? [],
      // A standby waiting for its primary says when to ask again in the header alone.
      (json.retryAfterSeconds as number | undefined) ?? (Number(res.headers.get('retry-after')) || undefined),
      json,
    );
  return json as T;
}

/** Downloads a file the hub makes (the catalogue workbook) under its own name. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await fetch(path, { credentials: 'same-origin', headers: { 'accept-language': language } });
  if (!res.ok) throw new ApiError(res.status, 'internal', res.statusText, res.statusText);
  const blob = await res.blob();
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name ? decodeURIComponent(name) : fallbackName;
  a.click();
  URL.revokeObjectURL(a.href);
}

/** Sends a file as it is (a step's evidence): the hub stores it by its hash and answers its reference. */
export async function upload<T = Record<string, unknown>>(path: string, file: Blob): Promise<T> {
  const headers: Record<string, string> = { 'accept-language': language === 'en' ? 'en' : 'zh-CN', 'content-type': 'application/octet-stream', 'x-csrf-token': csrf };
  const res = await fetch(path, { method: 'POST', headers, body: file, credentials: 'same-origin' });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (sessionEnded(res.status, json)) signedOut();
  if (!res.ok || json.ok === false) throw new ApiError(res.status, String(json.code ?? 'internal'), String(json.message ?? res.statusText), String(json.text ?? json.message ?? ''));
  return json as T;
}

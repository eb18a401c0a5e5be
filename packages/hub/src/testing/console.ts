import type { Catalogue, HallSnapshot } from '@servicehall/core';

/**
 * A console user for tests: signs in like the browser does and keeps the session cookie and the
 * CSRF token, sending both on every change.
 */
export class TestConsole {
  cookie = '';
  csrf = '';

  constructor(readonly base: string) {}

  async request<T = Record<string, unknown>>(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    let payload: BodyInit | undefined;
    if (body instanceof Uint8Array) {
      payload = body as BodyInit;
      h['content-type'] ??= 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] = 'application/json';
    }
    const res = await fetch(this.base + route, { method, headers: h, body: payload });
    const type = res.headers.get('content-type') ?? '';
    const parsed = type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer());
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async login(id: string, password: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
    const r = await this.request('POST', '/api/console/login', { id, password });
    if (r.status === 200) {
      this.cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
      this.csrf = String(r.body.csrf);
    }
    return r;
  }
}

/** A staff member made by `by` (an administrator), signed in with a password of their own: a console as that person. */
export async function staffMember(base: string, by: TestConsole, id: string, name: string, role: string): Promise<TestConsole> {
  const made = await by.request('POST', '/api/staff', { id, name, role });
  if (made.status !== 201) throw new Error(`staff ${id} was not made: ${made.status} ${JSON.stringify(made.body)}`);
  const c = new TestConsole(base);
  await c.login(id, String(made.body.password));
  const own = await c.request('POST', '/api/console/password', { current: made.body.password, next: `${id}-own-pass-9` });
  if (own.status !== 200) throw new Error(`staff ${id} could not set a password: ${own.status}`);
  return c;
}

/** What the setup wizard loads its form from: the console's live feed's first snapshot (the catalogue and the sequence it stands at). */
export async function openWizard(base: string, c: TestConsole): Promise<{ catalogue: Catalogue; basedOnSeq: number }> {
  const res = await fetch(`${base}/api/console/stream`, { headers: { cookie: c.cookie } });
  const reader = res.body!.getReader();
  let text = '';
  while (!/event: snapshot\ndata: .*\n\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the feed ended before its snapshot');
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  const snapshot = JSON.parse(/event: snapshot\ndata: (.*)\n\n/.exec(text)![1]!) as HallSnapshot;
  return { catalogue: snapshot.catalogue, basedOnSeq: snapshot.seq };
}

/** The hall's first administrator (王管理), made with the hub's setup code and signed in, the hall then set up with `catalogue`. */
export async function firstAdmin(hub: { url: string; setupCode?: string }, catalogue: unknown): Promise<TestConsole> {
  const a = new TestConsole(hub.url);
  const made = await a.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' });
  if (made.status !== 201) throw new Error(`the first administrator was not made: ${made.status} ${JSON.stringify(made.body)}`);
  if ((await a.login('admin', 'first-admin-pass-1')).status !== 200) throw new Error('the first administrator could not sign in');
  const set = await a.request('POST', '/api/setup', { catalogue });
  if (set.status !== 200) throw new Error(`the hall was not set up: ${set.status} ${JSON.stringify(set.body)}`);
  return a;
}


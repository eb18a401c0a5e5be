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

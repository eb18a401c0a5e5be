import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How a stand-in fails its next request, on demand. */
export type Failure =
  /** An HTTP error status (a gateway in trouble). */
  | { kind: 'status'; status: number }
  /** Takes the request and never answers. */
  | { kind: 'timeout' }
  /** Acts on the request (the message goes out) but its answer never comes: a gateway that hangs after the work. */
  | { kind: 'late' }
  /** Drops the connection without a word. */
  | { kind: 'reset' }
  /** HTTP 200 with a body that is not JSON. */
  | { kind: 'garbage' }
  /** The provider's own error answer: an errcode (robots) or an error code (Tencent). */
  | { kind: 'error'; code: number | string; message: string }
  /** The provider's documented rate-limit answer. */
  | { kind: 'rate-limit' };

export interface Received {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
  json?: unknown;
  /** What the stand-in answered; none for a timeout or a reset. */
  answer?: { status: number; body: string };
  /** The provider would have posted the message to the group or the phone. */
  accepted: boolean;
  /** The failure played on this request, if any. */
  failure?: Failure['kind'];
}

export interface Answer {
  status: number;
  body: unknown;
  accepted: boolean;
}

/**
 * A provider's side of the conversation on 127.0.0.1, port 0: it checks each request as the
 * provider documents it, answers as the provider does, records everything, and fails on demand.
 */
export abstract class StandIn {
  readonly received: Received[] = [];
  private readonly failures: Failure[] = [];
  private readonly server: http.Server;
  private readonly held = new Set<http.ServerResponse>();
  private readonly listeners = new Set<() => void>();
  private port = 0;

  protected constructor(protected readonly clock: () => number) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.onRequest(req, res, Buffer.concat(chunks).toString('utf8')));
    });
  }

  protected async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The next `times` requests fail this way (in order, after failures already queued). */
  failNext(failure: Failure, times = 1): this {
    for (let i = 0; i < times; i++) this.failures.push(failure);
    return this;
  }

  get accepted(): Received[] {
    return this.received.filter((r) => r.accepted);
  }

  /** Resolves once `condition` holds, checked after every request; rejects after `ms`. */
  waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`stand-in: condition not met after ${ms} ms (${this.received.length} requests)`));
      }, ms);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
    });
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The provider's answer to a well-formed request, or to a failure it was told to play. */
  protected abstract handle(request: Received): Answer;
  protected abstract failureAnswer(failure: Extract<Failure, { kind: 'error' | 'rate-limit' }>): unknown;

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', this.origin);
    const received: Received = {
      at: this.clock(),
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      accepted: false,
    };
    try {
      received.json = JSON.parse(body);
    } catch {
      // left undefined: the handler answers as the provider would
    }
    this.received.push(received);
    const failure = this.failures.shift();
    if (failure) {
      received.failure = failure.kind;
      if (failure.kind === 'late') received.accepted = this.handle(received).accepted;
      if (failure.kind === 'timeout' || failure.kind === 'late') {
        this.held.add(res);
        res.on('close', () => this.held.delete(res));
      } else if (failure.kind === 'reset') req.socket.destroy();
      else if (failure.kind === 'status') this.answer(res, received, { status: failure.status, body: '<html>Bad Gateway</html>', accepted: false });
      else if (failure.kind === 'garbage') this.answer(res, received, { status: 200, body: 'upstream said: ok?', accepted: false });
      else this.answer(res, received, { status: 200, body: this.failureAnswer(failure), accepted: false });
    } else {
      this.answer(res, received, this.handle(received));
    }
    for (const listener of [...this.listeners]) listener();
  }

  private answer(res: http.ServerResponse, received: Received, answer: Answer): void {
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    received.answer = { status: answer.status, body: text };
    received.accepted = answer.accepted;
    res.writeHead(answer.status, { 'Content-Type': typeof answer.body === 'string' ? 'text/html' : 'application/json; charset=utf-8' });
    res.end(text);
  }
}

/** Requests accepted in the last `windowMs` before `now` for which `same` holds. */
export function acceptedWithin(received: readonly Received[], now: number, windowMs: number, same: (r: Received) => boolean): number {
  return received.filter((r) => r.accepted && r.at > now - windowMs && same(r)).length;
}

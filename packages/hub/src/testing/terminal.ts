import type { CommandBody, HallEvent, HallSnapshot } from '@servicehall/core';
import { newCommandId, type Answer, type Hello, type HubMessage } from '@servicehall/protocol';
import WebSocket from 'ws';

/**
 * A bare terminal for the hub's own tests: raw messages in and out, commands matched to answers
 * by id. The terminals' real link (reconnects, outbox, view) is packages/client.
 */
export class TestTerminal {
  readonly messages: HubMessage[] = [];
  readonly events: HallEvent[] = [];
  snapshot?: HallSnapshot;
  private readonly pending = new Map<string, (a: Answer) => void>();
  private waiters: { match: (m: HubMessage) => boolean; resolve: (m: HubMessage) => void }[] = [];

  private constructor(
    readonly ws: WebSocket,
    private readonly parseEvents = true,
  ) {
    ws.on('message', (data) => {
      const text = data.toString();
      // A load test's many listeners need not read every event; they only need their answers.
      if (!this.parseEvents && text.startsWith('{"type":"events"')) return;
      const m = JSON.parse(text) as HubMessage;
      this.messages.push(m);
      if (m.type === 'answer') this.pending.get(m.commandId)?.(m.answer);
      if (m.type === 'events') this.events.push(...m.events);
      if (m.type === 'snapshot') this.snapshot = m.snapshot;
      this.waiters = this.waiters.filter((w) => (w.match(m) ? (w.resolve(m), false) : true));
    });
  }

  static async open(url: string, parseEvents = true): Promise<TestTerminal> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestTerminal(ws, parseEvents);
  }

  static async connect(url: string, hello: Omit<Hello, 'type' | 'protocol'>, parseEvents = true): Promise<TestTerminal> {
    const t = await TestTerminal.open(url, parseEvents);
    const welcome = t.next((m) => m.type === 'welcome' || m.type === 'error');
    t.send({ type: 'hello', protocol: 1, ...hello });
    const m = await welcome;
    if (m.type === 'error') throw new Error(`hello refused: ${m.message}`);
    return t;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  next(match: (m: HubMessage) => boolean = () => true, timeoutMs = 5000): Promise<HubMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching message from the hub in time')), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  command(body: CommandBody, id: string = newCommandId()): Promise<Answer> {
    return new Promise((resolve) => {
      this.pending.set(id, (a) => {
        this.pending.delete(id);
        resolve(a);
      });
      this.send({ type: 'command', command: { ...body, id } });
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

import type { CommandBody, HallEvent, HallSnapshot } from '@servicehall/core';
import { newCommandId, type Answer, type Hello, type HubMessage } from '@servicehall/protocol';
import WebSocket from 'ws';
import { isEventsMessage } from './event-arrivals';

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

  /**
   * `records`: every message is read and kept (messages, events), for a test to look at. A load's
   * terminal (false) reads only what is not an events message (told from its first bytes, nothing
   * decoded) and keeps nothing: a bench's sixty of them share the hub's processors, and a load's
   * hundreds of thousands of answers, and each terminal's snapshot, need not stay in the bench's heap.
   */
  private constructor(
    readonly ws: WebSocket,
    private readonly records = true,
  ) {
    ws.on('message', (data: Buffer) => {
      if (!this.records && isEventsMessage(data)) return;
      const m = JSON.parse(data.toString()) as HubMessage;
      if (m.type === 'answer') this.pending.get(m.commandId)?.(m.answer);
      if (this.records) {
        this.messages.push(m);
        if (m.type === 'events') this.events.push(...m.events);
        if (m.type === 'snapshot') this.snapshot = m.snapshot;
      }
      if (this.waiters.length > 0) this.waiters = this.waiters.filter((w) => (w.match(m) ? (w.resolve(m), false) : true));
    });
  }

  static async open(url: string, records = true): Promise<TestTerminal> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestTerminal(ws, records);
  }

  static async connect(url: string, hello: Omit<Hello, 'type' | 'protocol'>, records = true): Promise<TestTerminal> {
    const t = await TestTerminal.open(url, records);
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

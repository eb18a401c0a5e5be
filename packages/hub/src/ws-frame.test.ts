import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { textFrame } from './ws-frame';

let server: WebSocketServer | undefined;
afterEach(() => server?.close());

describe('a text message framed once for many terminals', () => {
  it('reaches a WebSocket client as the text, whatever its length (a length in 7, 16 and 64 bits)', async () => {
    const texts = ['', 'x', '叫号 A012 请到 3 号窗口', 'a'.repeat(125), 'b'.repeat(126), '事'.repeat(30_000), 'c'.repeat(65_535), 'd'.repeat(65_536), 'e'.repeat(200_000)];
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    // The frames written as they are on the connection under the WebSocket, between two of ws's own.
    server.on('connection', (ws, req) => {
      ws.send('first');
      for (const text of texts) req.socket.write(textFrame(text));
      ws.send('last');
    });
    await new Promise((resolve) => server!.once('listening', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const heard: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client.on('message', (data, isBinary) => {
        expect(isBinary).toBe(false);
        heard.push(data.toString());
        if (heard.length === texts.length + 2) resolve();
      });
      client.on('error', reject);
    });
    client.close();
    expect(heard).toEqual(['first', ...texts, 'last']);
  });
});

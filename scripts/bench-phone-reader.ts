/**
 * The bench's phones (bench-phones.ts): thousands of server-sent-event streams read in a process of
 * their own, as phones are other machines in a hall, so that reading them does not delay the bench's
 * terminals and their measured latencies. Told by IPC whom to follow; answers with each phone's frames,
 * their arrival in milliseconds of the system's monotonic clock (process.hrtime), the same clock in
 * every process of the machine. Not the wall clock: a virtual machine's is set again after a pause,
 * and a run once measured every phone 13.4 s late from that alone.
 */
import http from 'node:http';

export interface ReaderFrame {
  at: number;
  version: number;
  called: boolean;
  ahead: number;
  issued: boolean;
}

export type ToReader = { kind: 'follow'; host: string; port: string; phones: { ticketId: string; ref: string }[] } | { kind: 'reset' } | { kind: 'report' } | { kind: 'close' };
export type FromReader =
  | { kind: 'following'; answered: number }
  | { kind: 'report'; phones: { ticketId: string; frames: ReaderFrame[]; ended: boolean }[]; cpuSeconds: number }
  | { kind: 'failed'; message: string };

interface Phone {
  ticketId: string;
  frames: ReaderFrame[];
  req: http.ClientRequest;
}

const phones: Phone[] = [];
const send = (m: FromReader) => process.send!(m);

/**
 * The phones' own addresses: phones are other machines, and the hub holds one address's streams to its
 * share of the connections (limits.ts, addressShare). Linux answers every 127.x.y.z on its loopback.
 */
const PHONE_ADDRESSES = Array.from({ length: 16 }, (_, i) => `127.0.1.${i + 1}`);

/** One phone: an EventSource's request, read by hand (Node has no EventSource), from one of the phones' addresses. */
function follow(host: string, port: string, ticketId: string, ref: string, agent: http.Agent, localAddress: string): Promise<Phone> {
  return new Promise((resolve, reject) => {
    const phone = { ticketId, frames: [] as ReaderFrame[] } as Phone;
    phone.req = http.get({ host, port, localAddress, path: `/api/phone/tickets/${ref}/watch`, agent, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`phone stream answered ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const at = Number(process.hrtime.bigint()) / 1e6;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!block.startsWith('id: ')) continue;
          const version = Number(block.slice(4, block.indexOf('\n')));
          phone.frames.push({ at, version, called: block.includes('"state":"called"'), issued: block.includes('"state":"issued"'), ahead: Number(/"ahead":(\d+)/.exec(block)?.[1] ?? '0') });
        }
      });
      resolve(phone);
    });
    phone.req.on('error', reject);
  });
}

let agent: http.Agent | undefined;
process.on('message', async (m: ToReader) => {
  try {
    if (m.kind === 'follow') {
      agent = new http.Agent({ keepAlive: true, maxSockets: m.phones.length + 16 });
      for (let i = 0; i < m.phones.length; i += 100) phones.push(...(await Promise.all(m.phones.slice(i, i + 100).map((p, k) => follow(m.host, m.port, p.ticketId, p.ref, agent!, PHONE_ADDRESSES[(i + k) % PHONE_ADDRESSES.length]!)))));
      await new Promise((r) => setTimeout(r, 2000));
      send({ kind: 'following', answered: phones.filter((p) => p.frames.length > 0).length });
    } else if (m.kind === 'reset') for (const p of phones) p.frames.length = 0;
    else if (m.kind === 'report') {
      const cpu = process.cpuUsage();
      send({ kind: 'report', phones: phones.map((p) => ({ ticketId: p.ticketId, frames: p.frames, ended: p.req.destroyed })), cpuSeconds: (cpu.user + cpu.system) / 1e6 });
    } else if (m.kind === 'close') {
      for (const p of phones) p.req.destroy();
      agent?.destroy();
      process.disconnect();
    }
  } catch (error) {
    send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));

import { pathToFileURL } from 'node:url';
import {
  acceptanceNotice,
  correctionNotice,
  encodeDocument,
  oneTimeNotice,
  PROFILES,
  rejectionNotice,
  ticket,
  TicketPrinter,
  type PrintDocument,
} from '@servicehall/escpos-printer';
import { SerialTransport } from '@servicehall/serial';
import { decodeReceipt, PrinterSimulator, SAMPLE_ITEM, startPtyPair } from '@servicehall/fixtures/devices';
import { RatingKeyDecoder, keyFrame } from '@servicehall/rating-keys';

const BITS_PER_BYTE = 10; // 8N1: start bit, 8 data bits, stop bit

function sendMs(bytes: number, baud: number): number {
  return (bytes * BITS_PER_BYTE * 1000) / baud;
}

function documents(): Array<[string, PrintDocument]> {
  const ctx = { hallName: '滨江区政务服务中心', date: '2024-05-06', window: '3号窗口', clerkNumber: '0307' };
  return [
    [
      'ticket (Chinese, with QR)',
      ticket({
        hallName: '滨江区政务服务中心',
        number: 'A012',
        itemName: '不动产登记',
        waitingAhead: 5,
        expectedWaitMinutes: 15,
        issuedAt: { iso: '2024-05-06T01:12:00Z', timeZone: 'Asia/Shanghai' },
        qrUrl: 'https://hall.example.gov.cn/q/A012?d=20240506',
      }),
    ],
    ['一次性告知单', oneTimeNotice({ ...ctx, item: SAMPLE_ITEM })],
    [
      '补正材料告知书',
      correctionNotice({ ...ctx, item: SAMPLE_ITEM, caseNumber: 'BJ20240506-0012', deadline: '2024-05-20', missing: [{ material: SAMPLE_ITEM.materials[2]!, reason: '租赁合同未经登记备案' }] }),
    ],
    ['受理通知书', acceptanceNotice({ ...ctx, item: SAMPLE_ITEM, caseNumber: 'BJ20240506-0013', acceptedOn: '2024-05-06', dueDate: '2024-05-13', trackUrl: 'https://zwfw.example.gov.cn/case/BJ20240506-0013' })],
    ['不予受理通知书', rejectionNotice({ ...ctx, item: SAMPLE_ITEM, caseNumber: 'BJ20240506-0014', reason: '申请事项不属于本机关职权范围，请向户籍所在地公安派出所申请。' })],
  ];
}

function timeIt(runs: number, fn: () => void): number {
  fn();
  const start = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return ((performance.now() - start) * 1000) / runs;
}

export async function runDeviceBench(): Promise<void> {
  console.log('devices: bytes per document and time on the wire (8N1, 10 bits per byte, computed)');
  const rows: Array<Record<string, string | number>> = [];
  for (const [name, doc] of documents()) {
    for (const profile of [PROFILES['generic-58'], PROFILES['generic-80']]) {
      const bytes = encodeDocument(doc, profile).length;
      rows.push({ document: name, paper: `${profile.paperWidthMm} mm`, bytes, 'ms @ 9600': sendMs(bytes, 9600).toFixed(0), 'ms @ 115200': sendMs(bytes, 115200).toFixed(1) });
    }
  }
  console.table(rows);
  const statusBytes = 12 + 4;
  console.log(`status check (DLE EOT 1-4 and replies): ${statusBytes} bytes, ${sendMs(statusBytes, 9600).toFixed(1)} ms @ 9600 each, asked twice per job`);

  const [, ticketDoc] = documents()[0]!;
  const ticketBytes = encodeDocument(ticketDoc, PROFILES['generic-80']);
  console.log(`encode a ticket: ${timeIt(2000, () => encodeDocument(ticketDoc, PROFILES['generic-80'])).toFixed(1)} µs`);
  console.log(`decode a ticket (simulator): ${timeIt(2000, () => decodeReceipt(ticketBytes)).toFixed(1)} µs`);
  const frames = Buffer.concat(Array.from({ length: 1000 }, (_, i) => keyFrame(1 + (i % 200), 'satisfied', i & 0xff)));
  console.log(`rating-key decoder: ${(timeIt(200, () => new RatingKeyDecoder().push(frames)) / 1000).toFixed(3)} µs per frame`);

  try {
    const pair = await startPtyPair();
    const sim = await PrinterSimulator.open(pair.device);
    const transport = await SerialTransport.open(pair.host, 115200);
    const printer = new TicketPrinter(transport, PROFILES['generic-80'], { timeoutMs: 1000 });
    const runs = 50;
    const start = performance.now();
    for (let i = 0; i < runs; i++) await printer.print(ticketDoc);
    const perTicket = (performance.now() - start) / runs;
    console.log(`print a ticket over a socat pty (status, bytes, status; ptys ignore the baud rate): ${perTicket.toFixed(2)} ms, ${sim.device.receipts.length} receipts`);
    await transport.close();
    await sim.close();
    await pair.close();
  } catch (err) {
    console.log(`pty round trip skipped: ${(err as Error).message}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runDeviceBench();
}

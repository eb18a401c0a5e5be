import { workbookToCatalogue } from '@servicehall/workbook';
import { parentPort, workerData } from 'node:worker_threads';

// The catalogue workbook read on a thread of its own (workbook-import.ts): its problems go back as they are; a
// catalogue goes back as the JSON the console is answered with, written here, not on the hub's thread.
const { data, base } = workerData as { data: Uint8Array; base: Parameters<typeof workbookToCatalogue>[1] };
const read = await workbookToCatalogue(Buffer.from(data.buffer, data.byteOffset, data.byteLength), base);
if (read.ok) {
  const json = new TextEncoder().encode(JSON.stringify({ ok: true, catalogue: read.catalogue }));
  parentPort!.postMessage({ ok: true, json }, [json.buffer]);
} else parentPort!.postMessage(read);

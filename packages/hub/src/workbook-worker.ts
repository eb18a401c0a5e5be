import { workbookToCatalogue } from '@servicehall/workbook';

// The catalogue workbook read in a process of its own (workbook-import.ts): the workbook comes as the
// first message; its problems go back as they are; a catalogue goes back as the JSON the console is
// answered with, written here, not on the hub's thread. The process ends once it has answered.
process.once('message', async ({ data, base }: { data: Uint8Array; base: Parameters<typeof workbookToCatalogue>[1] }) => {
  const read = await workbookToCatalogue(Buffer.from(data.buffer, data.byteOffset, data.byteLength), base);
  const answer = read.ok ? { ok: true, json: new TextEncoder().encode(JSON.stringify({ ok: true, catalogue: read.catalogue })) } : read;
  process.send!(answer, () => process.disconnect());
});

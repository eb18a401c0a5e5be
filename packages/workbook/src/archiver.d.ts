// archiver (exceljs's own zip writer) ships no types: what the tests use of it, to write ZIP64 workbooks.
declare module 'archiver' {
  import type { Readable } from 'node:stream';
  interface Archive extends Readable {
    append(source: Buffer | string, data: { name: string }): this;
    finalize(): Promise<void>;
  }
  export default function archiver(format: 'zip', options?: { forceZip64?: boolean; zlib?: { level?: number } }): Archive;
}

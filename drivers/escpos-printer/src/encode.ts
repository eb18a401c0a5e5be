import { CharacterSet, PrinterTypes, ThermalPrinter } from 'node-thermal-printer';
import type { Block, PrintDocument } from './documents';
import type { PrinterProfile } from './profiles';
import { columns, encodeText, wrap } from './text';

const ESC = 0x1b;
const FS = 0x1c;
const GS = 0x1d;

/** FS & : double-byte (GBK) character mode; node-thermal-printer never sends it. */
export const CHINESE_MODE_ON = Buffer.from([FS, 0x26]);

/**
 * GS ( k QR code: model 2, module size, error correction M, store, print.
 * Written here because node-thermal-printer counts the length in UTF-16 units, not bytes.
 */
export function qrCommand(data: string, moduleSize: number): Buffer {
  const payload = Buffer.from(data, 'utf8');
  const len = payload.length + 3;
  return Buffer.concat([
    Buffer.from([GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]),
    Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, moduleSize]),
    Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31]),
    Buffer.from([GS, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, 0x50, 0x30]),
    payload,
    Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30]),
  ]);
}

/** GS V: feed n lines and cut (function B), without the ESC @ that node-thermal-printer's cut() appends. */
export function cutCommand(profile: PrinterProfile): Buffer {
  if (profile.cut === 'none') return Buffer.from([ESC, 0x64, profile.feedBeforeCut]);
  return Buffer.from([GS, 0x56, profile.cut === 'full' ? 65 : 66, profile.feedBeforeCut * 24]);
}

/** Why a document cannot be printed on a profile, found before anything is sent. */
export const DOCUMENT_CODES = ['no-chinese', 'qr-too-long', 'too-wide'] as const;
export type DocumentCode = (typeof DOCUMENT_CODES)[number];

export class EncodeError extends Error {
  constructor(
    readonly code: DocumentCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Turns a document into the bytes for one printer profile. Layout (wrapping, sizes, centring) is
 * done here by display columns; node-thermal-printer composes the mode commands.
 */
export function encodeDocument(doc: PrintDocument, profile: PrinterProfile): Buffer {
  const p = new ThermalPrinter({
    type: PrinterTypes.EPSON,
    // Composing only: we take getBuffer() and send it through our own transport.
    interface: { execute: async () => '', isPrinterConnected: async () => true } as unknown as string,
    width: profile.charsPerLine,
    characterSet: CharacterSet.CHINA,
  });
  p.clear();
  p.setBuffer(Buffer.alloc(0));
  p.add(Buffer.from([ESC, 0x40]));
  if (profile.chineseMode === 'fs-and') p.add(CHINESE_MODE_ON);
  p.setCharacterSet(CharacterSet.CHINA);
  let align: 'left' | 'center' | 'right' = 'left';
  const setAlign = (a: typeof align) => {
    if (a === align) return;
    align = a;
    if (a === 'center') p.alignCenter();
    else if (a === 'right') p.alignRight();
    else p.alignLeft();
  };
  const setSize = (n: number) => {
    // node-thermal-printer's setTextSize(h, w) writes h into the high nibble, which GS ! reads as the width.
    p.setTextSize(n - 1, n - 1);
  };
  for (const block of doc.blocks) {
    encodeBlock(block);
  }
  function encodeBlock(block: Block) {
    switch (block.kind) {
      case 'text': {
        let size = block.size === 'ticket-number' ? profile.numberSize : (block.size ?? 1);
        if (profile.chineseMode === 'none' && /[^\x00-\x7f]/.test(block.text)) {
          throw new EncodeError('no-chinese', `profile ${profile.id} cannot print Chinese text`);
        }
        const words = block.fit === 'shrink';
        const linesAt = (s: number) => wrap(block.text, Math.floor(profile.charsPerLine / s), block.indent ?? '', { words });
        // A large line that would break steps down in size instead, while a smaller size holds it on one line.
        if (words) while (size > 1 && linesAt(size).length > 1) size--;
        setAlign(block.align ?? 'left');
        if (size !== 1) setSize(size);
        if (block.bold) p.bold(true);
        const width = Math.floor(profile.charsPerLine / size);
        const lines = linesAt(size);
        for (const line of lines) {
          if (columns(line) > width) throw new EncodeError('too-wide', `line does not fit ${width} columns: ${line}`);
          p.add(encodeText(line));
          p.newLine();
        }
        if (block.bold) p.bold(false);
        if (size !== 1) setSize(1);
        break;
      }
      case 'qr':
        if (!profile.qr) {
          if (block.instead) encodeBlock({ kind: 'text', text: block.instead, align: 'center' });
          break;
        }
        if (Buffer.byteLength(block.data) > 400) throw new EncodeError('qr-too-long', 'QR payload over 400 bytes');
        setAlign('center');
        p.add(qrCommand(block.data, profile.qrModule));
        p.newLine();
        if (block.caption) encodeBlock({ kind: 'text', text: block.caption, align: 'center' });
        break;
      case 'rule':
        setAlign('left');
        p.add(encodeText('-'.repeat(profile.charsPerLine)));
        p.newLine();
        break;
      case 'feed':
        for (let i = 0; i < block.lines; i++) p.newLine();
        break;
    }
  }
  p.add(cutCommand(profile));
  return Buffer.from(p.getBuffer());
}

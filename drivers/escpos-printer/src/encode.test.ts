import { CharacterSet, PrinterTypes, ThermalPrinter } from 'node-thermal-printer';
import { describe, expect, it } from 'vitest';
import { decodeReceipt } from '@servicehall/fixtures/devices';
import { qrCommand } from './encode';

// These pin the node-thermal-printer 4.6.1 faults that TOOLCHAIN.md lists and encode.ts works around;
// if an upgrade fixes one, its test fails and the workaround can go.
function composer(): ThermalPrinter {
  const p = new ThermalPrinter({ type: PrinterTypes.EPSON, interface: { execute: async () => '' } as unknown as string, characterSet: CharacterSet.CHINA });
  p.setBuffer(Buffer.alloc(0));
  return p;
}

describe('node-thermal-printer 4.6.1, as found', () => {
  it('garbles a non-ASCII QR payload, which qrCommand keeps whole', () => {
    const url = 'https://例子.中国/q';
    const theirs = composer();
    theirs.printQR(url);
    expect(decodeReceipt(theirs.getBuffer()).receipt.qrCodes).not.toEqual([url]);
    expect(decodeReceipt(qrCommand(url, 4)).receipt.qrCodes).toEqual([url]);
  });

  it('puts the height of setTextSize(h, w) where GS ! reads the width', () => {
    const p = composer();
    p.setTextSize(1, 0);
    p.println('X');
    const [line] = decodeReceipt(p.getBuffer()).receipt.items;
    expect(line).toMatchObject({ kind: 'line', width: 2, height: 1 });
  });

  it('ends cut() with ESC @, which leaves Chinese mode', () => {
    const p = composer();
    p.cut();
    expect([...p.getBuffer().subarray(-2)]).toEqual([0x1b, 0x40]);
  });

  it('never sends FS &, and prints a character outside GBK as "?" (its EUC-CN is really GBK)', () => {
    const p = composer();
    p.println('喆𠀀');
    const bytes = p.getBuffer();
    expect(bytes.includes(Buffer.from([0x1c, 0x26]))).toBe(false);
    // TOOLCHAIN.md says GB2312 only; measured: iconv-lite maps EUC-CN to cp936, so 喆 (GBK, not GB2312) survives.
    expect(bytes.includes(Buffer.from([0x86, 0xb4]))).toBe(true);
    expect(bytes.includes(Buffer.from('?'))).toBe(true);
  });
});

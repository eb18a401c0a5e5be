import { Sender } from 'ws';

declare module 'ws' {
  // ws's own framing, public in ws (lib/sender.js) but not in its type declarations.
  export const Sender: {
    frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[];
  };
}

const TEXT = 0x1;

/**
 * A text message as the hub sends it on a terminal's WebSocket (final, unmasked, no extension), framed
 * once by ws's own framing (RFC 6455, section 5.2): bytes to write as they are to every terminal
 * given the same message.
 */
export function textFrame(text: string): Buffer {
  return Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, opcode: TEXT, mask: false, readOnly: true, rsv1: false }));
}

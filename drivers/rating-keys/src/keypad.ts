import { SerialTransport } from '@servicehall/escpos-printer';
import { RatingKeyDecoder, type DecoderStats, type KeyPress } from './decoder';

/** The byte pipe the driver needs; serial ports and the other drivers' transports fit it. */
export interface ByteLink {
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (chunk: Buffer) => void): () => void;
  close(): Promise<void>;
  /** Hears the line go away (a cable pulled, a USB adapter unplugged), where the link can tell. */
  onClose?(listener: () => void): () => void;
}

/** Opens a serial port at 9600 8N1 as a ByteLink; it closes by itself when the pad goes away under it. */
export function openSerialLink(path: string, baudRate = 9600): Promise<ByteLink> {
  return SerialTransport.open(path, baudRate);
}

/** A rating key pad on a link: reports each new press once and acknowledges every good frame. */
export class RatingKeyPad {
  private decoder = new RatingKeyDecoder();
  private unsubscribe: () => void;
  private unwatch: () => void;

  /** `onLost` hears the line go away: the key pad is dead until it is opened again. */
  constructor(
    private link: ByteLink,
    onPress: (press: KeyPress) => void,
    onError: (err: unknown) => void = () => {},
    onLost: () => void = () => {},
  ) {
    this.unsubscribe = link.onData((chunk) => {
      const { presses, acks } = this.decoder.push(chunk);
      if (acks.length > 0) link.write(Buffer.concat(acks)).catch(onError);
      for (const p of presses) onPress(p);
    });
    this.unwatch = link.onClose?.(onLost) ?? (() => {});
  }

  get stats(): DecoderStats {
    return this.decoder.stats;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    this.unwatch();
    await this.link.close();
  }
}

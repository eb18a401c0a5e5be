import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'sealed1:';

/**
 * Applicant data at rest: AES-256-GCM under a key derived from the hall key (kept apart from the
 * database), each value bound to the row it belongs to, so that a copied hall.db reveals no name or
 * ID number and a sealed value moved to another case does not open.
 */
export class Sealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the sealing key must be 32 bytes');
  }

  static isSealed(text: string): boolean {
    return text.startsWith(PREFIX);
  }

  seal(plain: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plain text; throws when the value was not sealed with this key for this row. */
  open(sealed: string, boundTo: string): string {
    if (!Sealer.isSealed(sealed)) throw new Error('the value is not sealed');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(boundTo, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** A fingerprint of the key, stored with the database, to tell at start whether the key file fits it. */
  fingerprint(): string {
    return createHmac('sha256', this.key).update('servicehall:key-check').digest('hex').slice(0, 32);
  }
}

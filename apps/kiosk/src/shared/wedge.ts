/**
 * A barcode or QR scanner that works as a keyboard wedge types what it reads much faster than a
 * hand can, and presses Enter. This tells such a burst from a person's typing: the kiosk's scan
 * path for a booking's QR code (the code itself, as if keyed in).
 */
export interface WedgeOptions {
  /** A longer pause between two keys starts the burst again. */
  maxGapMs: number;
  /** What a scan has at least. */
  minLength: number;
}

// Scanners send a character every few milliseconds; a quick typist needs well over 100.
export const WEDGE_DEFAULTS: WedgeOptions = { maxGapMs: 100, minLength: 4 };

export class WedgeReader {
  private text = '';
  private last = -Infinity;

  constructor(private readonly options: WedgeOptions = WEDGE_DEFAULTS) {}

  /** One key (its `key` as the browser names it) at `at` ms; answers the text scanned when Enter ends a burst. */
  key(key: string, at: number): string | undefined {
    const gap = at - this.last;
    this.last = at;
    if (key === 'Enter') {
      const text = this.text;
      this.text = '';
      return gap <= this.options.maxGapMs && text.length >= this.options.minLength ? text : undefined;
    }
    if (key.length !== 1) return undefined;
    this.text = gap <= this.options.maxGapMs ? this.text + key : key;
    if (this.text.length > 200) this.text = '';
    return undefined;
  }
}

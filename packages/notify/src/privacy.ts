/** A mainland China mobile number in E.164 (+8613800001111), or undefined when `text` is not one. */
export function normalizePhone(text: string): string | undefined {
  // As a phone's keyboard may give it: full-width (１３９, ＋８６) from a Chinese input method, dashes of any kind, brackets.
  const digits = text.normalize('NFKC').replace(/[\s\-\u2010-\u2015()]/g, '');
  const m = /^(?:\+?86|0086)?(1[3-9]\d{9})$/.exec(digits);
  return m ? `+86${m[1]}` : undefined;
}

/** 138****1111: enough for a clerk to recognise, too little to call (H-19). */
export function maskPhone(phone: string): string {
  const m = /(1[3-9]\d)\d{4}(\d{4})$/.exec(phone.replace(/\D/g, ''));
  return m ? `${m[1]}****${m[2]}` : '****';
}

const PERSONAL_PATTERNS: readonly { what: string; pattern: RegExp }[] = [
  { what: 'id-number', pattern: /(?<!\d)\d{17}[\dXx](?![\dXx])/ },
  { what: 'id-number', pattern: /(?<!\d)\d{15}(?!\d)/ },
  { what: 'phone', pattern: /(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)/ },
];

/** Kinds of personal data (ID numbers, mobile numbers) that `text` seems to hold (H-19). */
export function personalDataIn(text: string): string[] {
  return [...new Set(PERSONAL_PATTERNS.filter((p) => p.pattern.test(text)).map((p) => p.what))];
}

/**
 * Replaces secrets and personal values wherever they appear in text kept for the audit page or the
 * log: credentials become ***, a phone number its masked form, a one-time code its length in stars.
 */
export class Redactor {
  private readonly pairs: [string, string][] = [];

  constructor(pairs: Iterable<readonly [string | undefined, string]> = []) {
    for (const [value, replacement] of pairs) this.add(value, replacement);
  }

  add(value: string | undefined, replacement = '***'): this {
    if (!value || value.length < 3) return this;
    this.pairs.push([value, replacement]);
    // URL-encoded forms too: a secret can sit in a query string.
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.pairs.push([encoded, replacement]);
    this.pairs.sort((a, b) => b[0].length - a[0].length);
    return this;
  }

  apply(text: string): string {
    let out = text;
    for (const [value, replacement] of this.pairs) out = out.split(value).join(replacement);
    return out;
  }
}

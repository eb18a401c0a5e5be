/**
 * The one-time code as the citizen typed or pasted it: full-width digits (１２３４５６) from a Chinese
 * input method, spaces (123 456), or the whole SMS pasted (验证码：123456，5分钟内有效): its six digits.
 */
export function typedCode(text: string): string {
  const plain = text.normalize('NFKC');
  return (/(?<!\d)\d{6}(?!\d)/.exec(plain)?.[0] ?? plain.replace(/\D/g, '')).slice(0, 6);
}

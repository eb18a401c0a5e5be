import { createHash, createHmac } from 'node:crypto';

// Tencent Cloud API 3.0 signature, TC3-HMAC-SHA256, step by step as its "Signature v3" page
// describes it: canonical request, string to sign, the derived key, the Authorization header.

export interface Tc3Request {
  method: 'GET' | 'POST';
  /** The host the request goes to, as in its Host header (with the port when not the default). */
  host: string;
  /** The query string after `?`, already URL-encoded; empty for POST. */
  query: string;
  contentType: string;
  payload: string;
  /** The product, e.g. sms or cvm. */
  service: string;
  /** Seconds since the epoch, the X-TC-Timestamp header. */
  timestamp: number;
}

export interface Tc3Signature {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  authorization: string;
  /** The UTC date of the timestamp, yyyy-mm-dd. */
  date: string;
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();

export function tc3Sign(request: Tc3Request, secretId: string, secretKey: string): Tc3Signature {
  const date = new Date(request.timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = 'content-type;host';
  const canonicalHeaders = `content-type:${request.contentType.trim().toLowerCase()}\nhost:${request.host.trim().toLowerCase()}\n`;
  const canonicalRequest = [request.method, '/', request.query, canonicalHeaders, signedHeaders, sha256Hex(request.payload)].join('\n');
  const scope = `${date}/${request.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(request.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${secretKey}`, date), request.service), 'tc3_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  const authorization = `TC3-HMAC-SHA256 Credential=${secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, signature, authorization, date };
}

/** The parts of an Authorization header, for the stand-in server that checks what it is sent. */
export function parseTc3Authorization(header: string): { secretId: string; date: string; service: string; signedHeaders: string; signature: string } | undefined {
  const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(header);
  return m ? { secretId: m[1]!, date: m[2]!, service: m[3]!, signedHeaders: m[4]!, signature: m[5]! } : undefined;
}

import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { HubRefusal } from './files';
import { opsText } from './ops-strings';

/** The hall's own certificate authority and the hub's certificate, in `<data>/tls` (made by `hub init-tls`, see init-tls.ts). */
export const TLS_DIR = 'tls';
export const CA_CERT = 'ca.crt';
export const CA_KEY = 'ca.key';
export const HUB_CERT = 'hub.crt';
export const HUB_KEY = 'hub.key';

export interface TlsFiles {
  cert: string;
  key: string;
}

/** The hub's certificate and key from files, read and checked before the hub listens. */
export function loadTls(files: TlsFiles): { cert: string; key: string } {
  // A file named wrongly (or not readable by the hub's account) cannot be mended by a restart: refused, not a crash.
  const read = (file: string, what: { 'zh-CN': string; en: string }) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new HubRefusal(opsText('tlsUnreadable', { what, file, problem: (error as NodeJS.ErrnoException).code ?? (error as Error).message }));
    }
  };
  const loaded = { cert: read(files.cert, { 'zh-CN': '证书', en: 'certificate' }), key: read(files.key, { 'zh-CN': '私钥', en: 'key' }) };
  try {
    // What HTTPS would find wrong only once the database is open: not PEM, or a key not of this certificate.
    tls.createSecureContext(loaded);
  } catch (error) {
    throw new HubRefusal(opsText('tlsFiles', { cert: files.cert, key: files.key, problem: (error as Error).message }));
  }
  return loaded;
}

/** The TLS files in `<data>/tls` if init-tls made them. */
export function tlsFilesIn(dataDir: string): TlsFiles | undefined {
  const cert = path.join(dataDir, TLS_DIR, HUB_CERT);
  const key = path.join(dataDir, TLS_DIR, HUB_KEY);
  return fs.existsSync(cert) && fs.existsSync(key) ? { cert, key } : undefined;
}

import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { giveToFolderOwner, HubRefusal, makeFolder } from './files';
import { opsText } from './ops-strings';
import { CA_CERT, CA_KEY, HUB_CERT, HUB_KEY, TLS_DIR } from './tls';
import { isHostOrAddress } from './setting';

// @peculiar/x509 (a maintained library; no hand-written ASN.1) over Node's WebCrypto.
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** The names a hub is reached by when none are given: this machine's name, its addresses, and loopback. */
export function defaultHubNames(): string[] {
  const addresses = Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a && a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
  return [...new Set([os.hostname(), 'localhost', '127.0.0.1', ...addresses])];
}

async function pemKeys(keys: CryptoKeyPair): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  return (await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decode(pem)[0]!, ALGORITHM, true, ['sign'])) as unknown as CryptoKey;
}

/**
 * `hub init-tls`: makes the hall's own certificate authority (once; kept and reused) and a
 * certificate for the hub signed by it, for the names and addresses the terminals use. Terminals
 * trust this CA only (`hubCa` in their configuration). Keys are written owner-only.
 */
export async function initTls(
  dataDir: string,
  options: { names?: string[]; hallName?: string; days?: number; now?: Date } = {},
): Promise<{ dir: string; caCreated: boolean; names: string[]; caFingerprint: { sha1: string; sha256: string } }> {
  const dir = path.join(dataDir, TLS_DIR);
  const names = options.names && options.names.length > 0 ? options.names : defaultHubNames();
  for (const n of names) if (!isHostOrAddress(n)) throw new HubRefusal(opsText('initTlsName', { name: n }));
  try {
    makeFolder(dir, 0o700);
  } catch (error) {
    throw new HubRefusal(opsText('dataFolder', { dir: path.resolve(dataDir), problem: (error as Error).message }));
  }
  const now = options.now ?? new Date();

  const caCertFile = path.join(dir, CA_CERT);
  const caKeyFile = path.join(dir, CA_KEY);
  let caCert: x509.X509Certificate;
  let caKey: CryptoKey;
  const caCreated = !fs.existsSync(caCertFile);
  if (caCreated) {
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
    caCert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
      name: `CN=${(options.hallName ?? 'ServiceHall').replace(/[,=+<>#;"\\]/g, ' ')} hall CA, O=ServiceHall`,
      notBefore: new Date(now.getTime() - DAY),
      notAfter: new Date(now.getTime() + 10 * 365 * DAY),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    fs.writeFileSync(caKeyFile, await pemKeys(keys), { mode: 0o600 });
    fs.writeFileSync(caCertFile, caCert.toString('pem') + '\n', { mode: 0o644 });
    caKey = keys.privateKey;
  } else {
    // A CA damaged or replaced by hand is said before anything is written: the hub's certificate and key stay as they were.
    const unusable = (file: string, error: unknown) =>
      new HubRefusal(opsText('initTlsCa', { file, dir, problem: (error as NodeJS.ErrnoException).code ?? (error as Error).message }));
    try {
      caCert = new x509.X509Certificate(fs.readFileSync(caCertFile, 'utf8'));
    } catch (error) {
      throw unusable(caCertFile, error);
    }
    try {
      caKey = await importKey(fs.readFileSync(caKeyFile, 'utf8'));
    } catch (error) {
      throw unusable(caKeyFile, error);
    }
  }

  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const hubCert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    subject: `CN=${names[0]}, O=ServiceHall`,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + (options.days ?? 825) * DAY),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((n) => (net.isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  fs.writeFileSync(path.join(dir, HUB_KEY), await pemKeys(keys), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, HUB_CERT), hubCert.toString('pem') + '\n' + caCert.toString('pem') + '\n', { mode: 0o644 });
  // Run again by root (sudo, a new address) in the service account's data folder: the hub reads its key as that account.
  giveToFolderOwner(dataDir, dir);
  // What an office PC checks before it trusts ca.crt: Windows' certificate window shows SHA-1 (指纹), Chromium's both.
  const pem = new X509Certificate(caCert.toString('pem'));
  return { dir, caCreated, names, caFingerprint: { sha1: pem.fingerprint, sha256: pem.fingerprint256 } };
}


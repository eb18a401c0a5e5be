import { listPackage } from '@electron/asar';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Checks each app's packaging configuration without Electron's download: electron-builder packs a
 * Linux folder around a stand-in Electron (a file named `electron`), then the archive is read
 * back. Never ship what this makes: the stand-in is not Electron.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface PackedApp {
  app: string;
  asar: string;
  files: string[];
  main: string;
  /** The packed executable (the stand-in, with its fuses as electron-builder flipped them). */
  executable: string;
}

/** Electron's fuse wire: a sentinel, a version byte, a length byte, then one byte per fuse ('0' off, '1' on). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
export const FUSE_NAMES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;
/** The fuses as Electron ships them, for the stand-in. */
const ELECTRON_DEFAULT_FUSES = '10110001';

/** The fuses of an Electron binary, by name: true on, false off. */
export function fusesOf(executable: string): Record<(typeof FUSE_NAMES)[number], boolean> {
  const bytes = fs.readFileSync(executable);
  const at = bytes.indexOf(FUSE_SENTINEL);
  if (at < 0) throw new Error(`${executable} holds no fuse wire`);
  const wire = bytes.subarray(at + FUSE_SENTINEL.length + 2, at + FUSE_SENTINEL.length + 2 + bytes[at + FUSE_SENTINEL.length + 1]!);
  return Object.fromEntries(FUSE_NAMES.map((name, i) => [name, wire[i] === 0x31])) as Record<(typeof FUSE_NAMES)[number], boolean>;
}

export function packApp(app: string): PackedApp {
  const dir = path.join(root, 'apps', app);
  const stand = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-electron-stand-in-'));
  // A stand-in that carries Electron's fuse wire, so that electron-builder flips the fuses in it as it would in Electron.
  fs.writeFileSync(path.join(stand, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\necho "stand-in for Electron: not for use"\nexit 1\n'), Buffer.from(FUSE_SENTINEL), Buffer.from([1, ELECTRON_DEFAULT_FUSES.length]), Buffer.from(ELECTRON_DEFAULT_FUSES)]), { mode: 0o755 });
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `servicehall-pack-${app}-`));
  try {
    execFileSync(process.execPath, [path.join(root, 'node_modules/electron-builder/cli.js'), '--projectDir', dir, '--linux', 'dir', `-c.electronDist=${stand}`, `-c.directories.output=${out}`], {
      cwd: dir,
      stdio: 'pipe',
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
    });
    const asar = path.join(out, 'linux-unpacked', 'resources', 'app.asar');
    const files = listPackage(asar, { isPack: false });
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { main: string };
    const name = /executableName:\s*(\S+)/.exec(fs.readFileSync(path.join(dir, 'electron-builder.yml'), 'utf8'))?.[1] ?? app;
    return { app, asar, files, main: pkg.main, executable: path.join(out, 'linux-unpacked', name) };
  } finally {
    fs.rmSync(stand, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const apps = fs.readdirSync(path.join(root, 'apps')).filter((a) => fs.existsSync(path.join(root, 'apps', a, 'electron-builder.yml')));
  for (const app of apps) {
    const p = packApp(app);
    const own = p.files.filter((f) => !f.includes('node_modules'));
    const fuses = fusesOf(p.executable);
    console.log(`${app}: ${own.length} files of its own, ${p.files.length - own.length} in node_modules, main ${p.main}; fuses on: ${Object.keys(fuses).filter((f) => fuses[f as keyof typeof fuses]).join(', ')}`);
  }
}

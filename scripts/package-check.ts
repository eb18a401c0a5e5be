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
}

export function packApp(app: string): PackedApp {
  const dir = path.join(root, 'apps', app);
  const stand = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-electron-stand-in-'));
  fs.writeFileSync(path.join(stand, 'electron'), '#!/bin/sh\necho "stand-in for Electron: not for use"\n', { mode: 0o755 });
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
    return { app, asar, files, main: pkg.main };
  } finally {
    fs.rmSync(stand, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const apps = fs.readdirSync(path.join(root, 'apps')).filter((a) => fs.existsSync(path.join(root, 'apps', a, 'electron-builder.yml')));
  for (const app of apps) {
    const p = packApp(app);
    const own = p.files.filter((f) => !f.includes('node_modules'));
    console.log(`${app}: ${own.length} files of its own, ${p.files.length - own.length} in node_modules, main ${p.main}`);
  }
}

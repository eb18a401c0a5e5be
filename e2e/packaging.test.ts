import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fusesOf, packApp } from '../scripts/package-check';

const root = path.resolve(import.meta.dirname, '..');
const apps = fs.readdirSync(path.join(root, 'apps')).filter((a) => fs.existsSync(path.join(root, 'apps', a, 'src/main/electron.ts')));

describe('packaging (electron-builder with a stand-in Electron)', () => {
  it('has a package description for every app', () => {
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) expect(fs.existsSync(path.join(root, 'apps', app, 'electron-builder.yml')), `apps/${app}/electron-builder.yml`).toBe(true);
  });

  it.each(apps)('packs %s with its main, preload and renderer, for AppImage and NSIS', (app) => {
    const config = fs.readFileSync(path.join(root, 'apps', app, 'electron-builder.yml'), 'utf8');
    expect(config).toMatch(/extends: \.\.\/\.\.\/electron-builder\.yml/);
    expect(config).toMatch(/appId: cn\.servicehall\./);
    const base = fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    expect(base).toMatch(/target: \[AppImage\]/);
    expect(base).toMatch(/target: \[nsis\]/);
    const packed = packApp(app);
    expect(packed.files).toContain(`/${packed.main}`);
    expect(packed.files).toContain('/dist/preload/index.cjs');
    expect(packed.files).toContain('/dist/renderer/index.html');
    // The fuses electron-builder flipped in the packed binary: no Node mode, no NODE_OPTIONS or --inspect, the app from its asar only.
    expect(fusesOf(packed.executable)).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: false,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: true,
    });
  }, 120_000);

  it('names a supported Electron major, the same in the packaging and in the installed package', () => {
    const base = fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    const packaged = /electronVersion: (\d+)\.\d+\.\d+/.exec(base)?.[1];
    const installed = (JSON.parse(fs.readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version.split('.')[0];
    const declared = /(\d+)\./.exec((JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.electron!)?.[1];
    expect(new Set([packaged, installed, declared])).toEqual(new Set([packaged]));
    // Electron supports its latest three majors; the README says which those are and when to move on.
    expect(Number(packaged)).toBeGreaterThanOrEqual(43);
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(`Electron ${packaged}`);
  });
});

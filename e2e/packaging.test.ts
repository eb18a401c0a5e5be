import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packApp } from '../scripts/package-check';

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
  }, 120_000);
});

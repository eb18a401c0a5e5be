import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { _electron } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HALL_TOKEN, startTestHall, type TestHall } from './harness';

/**
 * Electron's binary, where the install could fetch it; undefined where its download was skipped.
 * Read from the package's path.txt and dist/ rather than by requiring "electron": since Electron 43
 * its index.js tries to download a missing binary, and nothing here may download at run time.
 */
function electronBinary(): string | undefined {
  try {
    const dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const file = path.join(dir, 'dist', fs.readFileSync(path.join(dir, 'path.txt'), 'utf8'));
    return fs.existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
const root = path.resolve(import.meta.dirname, '..');
const apps = fs.readdirSync(path.join(root, 'apps')).filter((a) => fs.existsSync(path.join(root, 'apps', a, 'dist/main/electron.cjs')));
const reason = 'Electron smoke test skipped: no Electron binary on this machine (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1; its download comes from GitHub). The apps run in Chromium in browser mode instead.';

if (!binary) console.warn(reason);

describe.skipIf(!binary)(binary ? 'the apps in Electron' : reason, () => {
  let hall: TestHall;
  beforeAll(async () => {
    hall = await startTestHall();
  });
  afterAll(async () => hall?.close());

  it.each(apps)('%s opens its window with the preload bridge and no Node in the page', async (app) => {
    const electron = await _electron.launch({
      executablePath: binary!,
      args: [path.join(root, 'apps', app, 'dist/main/electron.cjs'), '--no-sandbox'],
      env: { ...process.env, SERVICEHALL_HUB_URL: hall.hub.wsUrl, SERVICEHALL_TOKEN: HALL_TOKEN, SERVICEHALL_WINDOW: '1', SERVICEHALL_TERMINAL_DATA: hall.terminalDir(app) },
    });
    try {
      const page = await electron.firstWindow();
      expect(await page.evaluate(() => typeof (window as unknown as { servicehall?: unknown }).servicehall)).toBe('object');
      expect(await page.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined');
    } finally {
      await electron.close();
    }
  });
});

import { bigHallCatalogue } from '@servicehall/fixtures';
import { startHub } from '@servicehall/hub';
import { TestConsole } from '@servicehall/hub/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../e2e/harness';

/**
 * `npx tsx scripts/bench-setup.ts` (after `npm run build`): the console's setup wizard on a
 * municipal centre of 2,000 items and 100 windows, in Chromium, and what a save of such a hall
 * costs the hub: the request, its event, the terminals' snapshot. Not part of `npm run bench`
 * (it needs the built console and Chromium).
 */
export async function runSetupBench(size = { items: Number(process.env.BENCH_SETUP_ITEMS ?? 2000), windows: Number(process.env.BENCH_SETUP_WINDOWS ?? 100) }): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-bench-setup-'));
  const hub = await startHub({ dataDir: dir, token: 'bench-setup-hall-token' });
  const browser = await launchChromium();
  try {
    const admin = new TestConsole(hub.url);
    await admin.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password: 'bench-admin-pass-1' });
    await admin.login('admin', 'bench-admin-pass-1');
    const catalogue = bigHallCatalogue(size);
    const body = JSON.stringify({ catalogue });
    let t = performance.now();
    const saved = await admin.request('POST', '/api/setup', { catalogue });
    const apiSave = performance.now() - t;
    if (saved.status !== 200) throw new Error(`the setup was refused: ${saved.status} ${JSON.stringify(saved.body).slice(0, 300)}`);
    const event = hub.store.eventsSince(Math.max(0, hub.store.seq - 5), 10).find((e) => e.type === 'catalogue.replaced');
    const snapshot = JSON.stringify(hub.store.snapshot());
    console.log(`A hall of ${size.items} items and ${size.windows} windows (bigHallCatalogue: the demo's guides, about ${Math.round(Buffer.byteLength(body) / size.items)} bytes an item)`);
    console.log(`  the setup's save as sent: ${mb(Buffer.byteLength(body))}; the hub takes it in ${ms(apiSave)} (POST /api/setup, over HTTP)`);
    console.log(`  its catalogue.replaced event in the log: ${event ? mb(Buffer.byteLength(JSON.stringify(event))) : '?'} (each save appends one)`);
    console.log(`  a terminal's snapshot of the hall: ${mb(Buffer.byteLength(snapshot))}, of which the catalogue ${mb(Buffer.byteLength(JSON.stringify(hub.store.view.catalogue)))}`);

    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    // The wizard as it was took minutes on such a hall: the figures are measured, not bounded.
    page.setDefaultTimeout(900_000);
    await page.goto(`${hub.url}/console/`);
    await page.locator('[name=id]').fill('admin');
    await page.locator('[name=password]').fill('bench-admin-pass-1');
    await page.locator('button[type=submit]').click();
    await page.getByRole('link', { name: '大厅设置' }).click();
    await page.locator('[name="hall.name"]').waitFor();
    // Each figure ends when the browser has laid out and painted what it shows.
    const painted = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    t = performance.now();
    await page.locator('[data-step=items]').click();
    await page.locator('[name="items.0.name"]').waitFor();
    await painted();
    const openItems = performance.now() - t;
    const name = page.locator('[name="items.0.name"]');
    await name.focus();
    const keys: number[] = [];
    for (const key of ['改', '一', '下']) {
      t = performance.now();
      await page.keyboard.insertText(key);
      await painted();
      keys.push(performance.now() - t);
    }
    t = performance.now();
    await page.locator('[data-step=windows]').click();
    await page.locator(`[name="windows.${size.windows - 1}.name"]`).waitFor();
    await painted();
    const openWindows = performance.now() - t;
    await page.locator('[data-step=review]').click();
    t = performance.now();
    await page.locator('[data-testid=save-setup]').click();
    await page.getByText('设置已保存，已生效').waitFor({ timeout: 300_000 });
    await painted();
    const save = performance.now() - t;
    console.log(`  the console's setup wizard in Chromium (1920×1080):`);
    console.log(`    open the items step: ${ms(openItems)}`);
    console.log(`    a keystroke in an item's name: ${keys.map(ms).join(', ')}`);
    console.log(`    open the windows step: ${ms(openWindows)}`);
    console.log(`    save (from the click to 设置已保存): ${ms(save)}`);
  } finally {
    await browser.close();
    await hub.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
const mb = (x: number) => `${(x / 1024 / 1024).toFixed(2)} MB`;

if (process.argv[1] === fileURLToPath(import.meta.url)) await runSetupBench();

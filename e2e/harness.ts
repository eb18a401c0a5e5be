import { demoCatalogue } from '@servicehall/fixtures';
import { startHub, type HubOptions, type RunningHub } from '@servicehall/hub';
import { TestConsole } from '@servicehall/hub/testing';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where screenshots go: test-results/screenshots, or docs/screenshots with `npm run screenshots`. */
export const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR ?? 'test-results/screenshots');

export const HALL_TOKEN = 'e2e-hall-token-of-the-test-hall';

export interface TestHall {
  hub: RunningHub;
  dir: string;
  /** Calls the hub's HTTP API with the hall token. */
  api<T = unknown>(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  /** A terminal's data folder inside the hall's temporary folder. */
  terminalDir(name: string): string;
  close(): Promise<void>;
}

/** A hall for a test: the hub on a temporary database with the demo catalogue, issuing at any hour. */
export async function startTestHall(options: Partial<HubOptions> = {}): Promise<TestHall> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-e2e-'));
  const hub = await startHub({ dataDir: path.join(dir, 'hub'), token: HALL_TOKEN, seed: demoCatalogue({ allDay: true }), ...options });
  return {
    hub,
    dir,
    async api(method, route, body, headers = {}) {
      const res = await fetch(hub.url + route, {
        method,
        headers: { authorization: `Bearer ${HALL_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as never };
    },
    terminalDir: (name) => path.join(dir, 'terminals', name),
    async close() {
      await hub.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The phone's network between a page and the hub: a TCP relay to the hub's port. `cut()` drops every
 * connection through it at once (the phone out of range a moment; Chromium's offline mode leaves an
 * open stream alone); the page's next connections go through again.
 */
export async function startRelay(port: number): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((phone) => {
    const hub = net.connect(port, '127.0.0.1');
    for (const s of [phone, hub]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    phone.on('close', () => hub.destroy());
    hub.on('close', () => phone.destroy());
    phone.pipe(hub).pipe(phone);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut,
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        server.close(() => resolve());
      }),
  };
}

/** The environment a terminal agent reads its configuration from, for a terminal of `hall`. */
export function terminalEnv(hall: TestHall, terminal: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    SERVICEHALL_HUB_URL: hall.hub.wsUrl,
    SERVICEHALL_TOKEN: HALL_TOKEN,
    SERVICEHALL_TERMINAL: terminal,
    SERVICEHALL_TERMINAL_DATA: hall.terminalDir(terminal),
    ...extra,
  };
}

/** Debian's Chromium, headless, as the terminals' screen (Playwright's own browser download is not reachable). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`Chromium is not installed at ${executablePath}: run ./scripts/install.sh --for-tests`);
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * A page of `url` in a fresh context, in the hall's zone unless `timezoneId` says the screen's computer is set
 * to another; `clockOffMs`, how far that computer's own clock is off (its clock then runs on from there).
 */
export async function openScreen(browser: Browser, url: string, size: { width: number; height: number }, options: { locale?: string; timezoneId?: string; clockOffMs?: number } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: size, locale: options.locale ?? 'zh-CN', timezoneId: options.timezoneId ?? 'Asia/Shanghai' });
  const page = await context.newPage();
  if (options.clockOffMs !== undefined) await page.clock.install({ time: Date.now() + options.clockOffMs });
  page.on('pageerror', (error) => console.error(`page error at ${url}: ${error.message}`));
  await page.goto(url);
  return page;
}

/** The hall's first administrator (admin, 王管理), made with the hub's setup code and signed in to the console on a new page. */
export async function consoleAsFirstAdmin(hall: TestHall, browser: Browser, size: { width: number; height: number }, options: Parameters<typeof openScreen>[3] = {}): Promise<Page> {
  const admin = new TestConsole(hall.hub.url);
  const made = await admin.request('POST', '/api/console/first-admin', { setupCode: hall.hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' });
  if (made.status !== 201) throw new Error(`the first administrator was not made: ${made.status}`);
  const page = await openScreen(browser, `${hall.hub.url}/console/`, size, options);
  await page.locator('[name=id]').fill('admin');
  await page.locator('[name=password]').fill('first-admin-pass-1');
  await page.locator('button[type=submit]').click();
  await page.locator('.shell').waitFor();
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** What the hall's clock shows (HH:MM) from a minute ago to a minute on: a run may cross a minute. */
export const hallMinutesNow = (timeZone = 'Asia/Shanghai') =>
  [-60_000, 0, 60_000].map((d) => new Date(Date.now() + d).toLocaleTimeString('zh-CN', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }));

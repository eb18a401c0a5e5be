import { hallSetupWarnings } from '@servicehall/core';
import { startHub, type RunningHub } from '@servicehall/hub';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PrinterSimulator } from '@servicehall/fixtures/devices';
import { DISPLAY_PROFILES } from '@servicehall/number-display';
import { hubOptionsFromEnv } from '../packages/hub/src/cli';

/**
 * The demo hall on this machine: the hub on 127.0.0.1 (database in ./data, seeded with
 * 滨江区政务服务中心 on first start) and one agent per demo terminal in browser mode, each with its
 * simulated devices on socat pty pairs, so that what a real device would get goes over a line.
 * Open the printed addresses in a browser. Tickets printed by the kiosk's simulated printer are
 * saved as HTML in ./data/receipts.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_PIN = '123456';
/** The demo's administrator in the console (demo only; a real hall makes its own with the setup code or create-admin). */
const DEMO_ADMIN = { id: 'admin', password: 'demo-admin-2026' };

interface Stoppable {
  stop(): Promise<void> | void;
}

interface Terminal {
  title: string;
  url: string;
  note?: string;
}

const hasSocat = (() => {
  try {
    execFileSync('socat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function loadApp<T>(app: string, fn: string): Promise<T | undefined> {
  const entry = path.join(root, 'apps', app, 'src/main/browser.ts');
  if (!fs.existsSync(entry) || !fs.existsSync(path.join(root, 'apps', app, 'dist/renderer/index.html'))) return undefined;
  const mod = (await import(entry)) as Record<string, unknown>;
  return mod[fn] as T | undefined;
}

type RunInBrowserMode = (configFile: string | undefined, env: NodeJS.ProcessEnv) => Promise<{ screen: { url: string }; stop(): Promise<void> }>;

async function main() {
  const fromEnv = hubOptionsFromEnv({ SERVICEHALL_DEMO_ALL_DAY: '1', SERVICEHALL_SEED: 'demo', ...process.env });
  // The demo hall's SMS go to this log (one-time codes, near and called alerts), unless a channel is configured.
  const options = { ...fromEnv, demoPin: DEMO_PIN, notify: fromEnv.notify ?? { channels: [{ id: 'demo-sms', kind: 'log-sms' as const, signName: '滨江政务' }] } };
  const hub: RunningHub = await startHub(options);
  if (hub.setupCode) await hub.staff.firstAdmin(hub.setupCode, { id: DEMO_ADMIN.id, name: '演示管理员', password: DEMO_ADMIN.password });
  const stops: Stoppable[] = [{ stop: () => hub.close() }];
  const terminals: Terminal[] = [];
  const dataDir = path.resolve(options.dataDir);
  const envFor = (terminal: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    SERVICEHALL_HUB_URL: hub.wsUrl,
    SERVICEHALL_TOKEN: hub.token,
    SERVICEHALL_TERMINAL: terminal,
    SERVICEHALL_TERMINAL_DATA: path.join(dataDir, 'terminals', terminal),
    ...extra,
  });
  const devices = hasSocat ? await import('@servicehall/fixtures/devices') : undefined;

  /** A simulated serial device: a pty pair whose `host` end the terminal opens. */
  const pty = async () => {
    if (!devices) return undefined;
    const pair = await devices.startPtyPair();
    stops.push({ stop: () => pair.close() });
    return pair;
  };

  // Each terminal's screen on a port of its own next to the hub's, so that the addresses stay the same.
  const portFor = (offset: number) => String(options.port === 0 ? 0 : hub.port + offset);
  const run = async (app: string, fn: string, terminal: string, title: string, offset: number, extra: Record<string, string> = {}, note?: string) => {
    const start = await loadApp<RunInBrowserMode>(app, fn);
    if (!start) return;
    try {
      const t = await start(undefined, envFor(terminal, { SERVICEHALL_BRIDGE_PORT: portFor(offset), ...extra }));
      stops.push(t);
      terminals.push({ title, url: t.screen.url, note });
    } catch (error) {
      console.error(`  ${title} 没有启动 / could not start: ${error instanceof Error ? error.message : error}`);
    }
  };

  // Printed receipts are kept as HTML, as a citizen would take them from the printer.
  const receipts = path.join(dataDir, 'receipts');
  const keepReceipts = (printer: PrinterSimulator, name: string, charsPerLine: number) => {
    fs.mkdirSync(receipts, { recursive: true });
    let saved = 0;
    const keep = setInterval(() => {
      const done = printer.device.receipts;
      for (; saved < done.length; saved++)
        fs.writeFileSync(path.join(receipts, `${name}-${String(saved + 1).padStart(4, '0')}.html`), devices!.receiptToHtml(done[saved]!, { charsPerLine, title: `${name} ${saved + 1}` }));
    }, 500);
    stops.push({ stop: () => clearInterval(keep) });
  };
  /** A simulated receipt printer on its own line, its receipts kept under `name`. */
  const simulatedPrinter = async (name: string) => {
    const line = await pty();
    if (!line || !devices) return undefined;
    const printer = await devices.PrinterSimulator.open(line.device, {});
    stops.push({ stop: () => printer.close() });
    keepReceipts(printer, name, 48);
    return line;
  };
  const receiptsAt = path.relative(process.cwd(), receipts) || '.';

  // The kiosk, with its ticket printer.
  const printerLine = await simulatedPrinter('ticket');
  await run('kiosk', 'runKioskInBrowserMode', 'kiosk-1', '取号机 kiosk (1080×1920)', 1, printerLine ? { SERVICEHALL_PRINTER: printerLine.host } : {}, printerLine ? `tickets print to ${receiptsAt}` : 'no printer: numbers on screen');

  // Whom to sign in as at a window: its department's clerks (any clerk may, but one needs a number to type).
  const clerksAt = (n: number) => {
    const { windows, clerks } = hub.store.view.catalogue;
    const department = windows.find((w) => w.number === n)?.department;
    const own = clerks.filter((c) => c.department === department);
    return (own.length > 0 ? own : clerks).map((c) => c.number).join(', ');
  };
  // Three windows with their number displays and notice printers, and the rating pads of two of them.
  for (const n of [1, 3, 5]) {
    const line = await pty();
    if (line && devices) {
      const display = await devices.DisplaySimulator.open(line.device, DISPLAY_PROFILES['dm-d-chinese']).catch(() => undefined);
      if (display) stops.push({ stop: () => display.close() });
    }
    const noticePrinter = await simulatedPrinter(`window-${n}`);
    await run(
      'window',
      'runWindowInBrowserMode',
      `window-${n}`,
      `${n}号窗口 window ${n} (1920×1080)`,
      10 + n,
      { SERVICEHALL_WINDOW: String(n), ...(line ? { SERVICEHALL_DISPLAY: line.host } : {}), ...(noticePrinter ? { SERVICEHALL_PRINTER: noticePrinter.host } : {}) },
      `clerks ${clerksAt(n)} sign in with PIN ${DEMO_PIN}${noticePrinter ? `; notices print to ${receiptsAt}` : ''}`,
    );
  }
  // Window 5's pad also has a hardware key pad on a serial line (simulated, connected and acknowledging).
  for (const n of [1, 5]) {
    const line = n === 5 ? await pty() : undefined;
    if (line && devices) {
      const keypad = await devices.KeyPadSimulator.open(line.device, 1).catch(() => undefined);
      if (keypad) stops.push({ stop: () => keypad.close() });
    }
    await run('rating-pad', 'runRatingPadInBrowserMode', `pad-${n}`, `${n}号窗口评价器 rating pad (1280×800)`, 20 + n, { SERVICEHALL_WINDOW: String(n), ...(line ? { SERVICEHALL_KEYPAD: line.host } : {}) }, line ? 'with a key pad on a serial line' : undefined);
  }
  await run('hall-display', 'runHallDisplayInBrowserMode', 'hall-display', '大厅显示屏 hall screen (1920×1080)', 30);

  const hall = hub.store.view.catalogue;
  console.log(`\nServiceHall demo hall: ${hall.hall.name}`);
  console.log(`  ${hall.departments.length} departments, ${hall.items.length} service items, ${hall.windows.length} windows, ${hall.clerks.length} clerks (${hall.clerks[0]?.number} to ${hall.clerks.at(-1)?.number}, PIN ${DEMO_PIN})\n`);
  console.log(`  console       ${hub.url}/console/   (${DEMO_ADMIN.id} / ${DEMO_ADMIN.password}, demo only)`);
  console.log(`  hub API       ${hub.url}/api/   (OpenAPI ${hub.url}/api/openapi.json)`);
  console.log(`  terminals     ${hub.wsUrl}`);
  console.log(`  database      ${options.dataDir}/hall.db`);
  // The hall token is shown once, when it is made; after that it stays in its owner-only file.
  console.log(hub.tokenCreated ? `  token         ${hub.token}   (new: shown this once; stored in ${options.dataDir}/admin-token)` : `  token         in ${options.dataDir}/admin-token`);
  console.log(`  phones        ${hub.publicUrl()}/m/   (390×844; the door's poster to print: ${hub.publicUrl()}/m/door; SMS codes and alerts appear in this log)`);
  for (const warning of hallSetupWarnings(hall)) console.log(`  warning       ${warning}`);
  console.log('');
  for (const t of terminals) console.log(`  ${t.url.padEnd(26)} ${t.title}${t.note ? `  — ${t.note}` : ''}`);
  if (!hasSocat) console.log('\n  socat is not installed: the terminals run without simulated devices (apt-get install socat).');
  if (terminals.length === 0) console.log('  (no terminal apps are built yet: npm run build)');
  console.log('\n  Ctrl+C stops the hall; the database keeps everything for the next start.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const s of stops.reverse()) await Promise.resolve(s.stop()).catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(`演示大厅没有启动 / The demo hall could not start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});

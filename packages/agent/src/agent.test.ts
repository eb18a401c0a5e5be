import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serveBrowserMode } from './browser-mode';
import { CONFIG_EXIT_CODE, ConfigError, loadConfig, readConfigFile } from './config';
import { IPC_CALL, IPC_PUSH } from './contract';
import { serveOverIpc } from './electron-main';
import { Pushes } from './pushes';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-agent-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

const GOOD = { role: 'window', terminal: 'window-3', window: 3, hubUrl: 'ws://127.0.0.1:8600/ws', token: 'a-hall-token' };

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** The message a configuration file of `config` stops the terminal with: its Chinese half and its English half. */
function halvesOf(config: Record<string, unknown>): string[] {
  const file = path.join(tempDir(), 'terminal.json');
  fs.writeFileSync(file, JSON.stringify(config));
  let message = '';
  try {
    loadConfig(file, {});
  } catch (error) {
    message = (error as Error).message;
  }
  return message.split("the terminal's configuration is not usable:");
}

describe('terminal configuration', () => {
  it('reads a file, then the environment on top', () => {
    const file = path.join(tempDir(), 'terminal.json');
    fs.writeFileSync(file, JSON.stringify(GOOD));
    const c = loadConfig(file, { SERVICEHALL_WINDOW: '4', SERVICEHALL_PRINTER: '/dev/ttyUSB0' });
    expect(c).toMatchObject({ role: 'window', window: 4, dataDir: './data/terminal', language: 'zh-CN', devices: { printer: { transport: 'serial', path: '/dev/ttyUSB0', baudRate: 9600 } } });
  });

  it('stops on a data folder that is a file or lies under one, naming SERVICEHALL_TERMINAL_DATA or dataDir; one not made yet is made later', () => {
    const place = tempDir();
    const aFile = path.join(place, 'terminal');
    fs.writeFileSync(aFile, '');
    const file = path.join(place, 'terminal.json');
    fs.writeFileSync(file, JSON.stringify(GOOD));
    for (const dir of [aFile, path.join(aFile, 'data')]) {
      expect(problemsOf(() => loadConfig(file, { SERVICEHALL_TERMINAL_DATA: dir }))).toEqual([`SERVICEHALL_TERMINAL_DATA: the terminal's data folder ${dir} cannot be used, as it is not a folder or no file can be made in it (ENOTDIR). Name a folder the terminal's account may write (it holds the commands waiting for the hub and the terminal's credential)`]);
      expect(() => loadConfig(undefined, {}, { ...GOOD, dataDir: dir })).toThrow(new RegExp(`^终端配置有误[^]*  - dataDir：终端的数据文件夹 ${dir} 无法使用：它不是文件夹，或无法在其中写入文件（ENOTDIR）`));
    }
    expect(loadConfig(file, { SERVICEHALL_TERMINAL_DATA: path.join(place, 'not-yet', 'data') }).dataDir).toBe(path.join(place, 'not-yet', 'data'));
    expect(fs.readdirSync(place).sort()).toEqual(['terminal', 'terminal.json']);
  });

  it.each([
    [{ ...GOOD, hubUrl: 'http://hub:8600' }, 'hubUrl: a ws:// or wss:// address'],
    [{ ...GOOD, window: undefined }, 'window: a window terminal needs the number of its window'],
    [{ ...GOOD, token: 'short' }, 'token: at least 8 characters'],
    [{ ...GOOD, terminal: 'kiosk 1!' }, 'terminal: letters, digits'],
    [{ ...GOOD, role: 'printer' }, 'role:'],
    [{ ...GOOD, devices: { printer: { transport: 'usb', path: 'x' } } }, 'devices.printer'],
    [{ ...GOOD, devices: { printer: { transport: 'serial', path: '/dev/ttyUSB0', baudRate: 96000 } } }, 'devices.printer.baudRate: one of 1200, 2400, 4800, 9600,'],
    [{ ...GOOD, devices: { keypad: { transport: 'serial', path: '/dev/ttyS1', baudRate: 9601 } } }, 'devices.keypad.baudRate: one of'],
    [{ ...GOOD, devices: { keypad: { transport: 'serial', path: '/dev/ttyS1', address: 0 } } }, 'devices.keypad.address: 1 to 254'],
    [{ ...GOOD, devices: { keypad: { transport: 'serial', path: '/dev/ttyS1', address: 255 } } }, 'devices.keypad.address: 1 to 254'],
    [{ ...GOOD, hubUrl: 'ws://192.168.1.10:8600/ws' }, 'hubUrl: the hub is on another machine: use wss://'],
    [{ ...GOOD, hubUrl: 'wss://192.168.1.10:8600/ws' }, "hubCa: wss:// needs the hall CA's certificate file"],
    [{ ...GOOD, hubUrl: 'wss://192.168.1.10:8600/ws', hubCa: '/nowhere/ca.crt' }, 'hubCa: /nowhere/ca.crt cannot be read'],
    [{ ...GOOD, bridge: { host: '0.0.0.0', port: 8611 } }, 'bridge.host: 0.0.0.0 is not this machine'],
    [{ ...GOOD, standbyHubUrls: ['ws://192.168.1.11:8600/ws'] }, 'standbyHubUrls.0: the hub is on another machine: use wss://'],
    [{ ...GOOD, standbyHubUrls: ['http://standby:8600'] }, 'standbyHubUrls.0: a ws:// or wss:// address'],
    [{ ...GOOD, devices: { printr: { transport: 'serial', path: '/dev/ttyS0' } } }, 'devices: Unrecognized key: "printr"'],
    [{ ...GOOD, devices: { printer: { transport: 'serial', path: '/dev/ttyS0', baudrate: 19200 } } }, 'devices.printer: Unrecognized key: "baudrate"'],
  ])('stops on a bad field and names it: %j', (config, expected) => {
    const file = path.join(tempDir(), 'terminal.json');
    fs.writeFileSync(file, JSON.stringify(config));
    const problems = problemsOf(() => loadConfig(file, {}));
    expect(problems.join('\n')).toContain(expected);
  });

  it.each([
    [{ devices: { printer: { transport: 'serial', path: '/dev/ttyUSB0', baudRate: 96000 } } }, 'devices.printer.baudRate：串口速率应为 1200、2400、4800、9600、'],
    [{ devices: { printer: { transport: 'serial', path: '/dev/ttyUSB0', baudRate: '9600' } } }, 'devices.printer.baudRate：应为数字（不加引号）'],
    [{ devices: { printer: { transport: 'serial' } } }, 'devices.printer.path：缺少此项，必须填写'],
    [{ devices: { printer: { transport: 'usb', path: '/dev/usb/lp0' } } }, 'devices.printer.transport：应为 serial、tcp、file 之一'],
    [{ devices: { printer: { transport: 'serial', path: '/dev/ttyS0', baudrate: 19200 } } }, 'devices.printer：不认识的项：baudrate'],
    [{ devices: { keypad: { transport: 'serial', path: '/dev/ttyS1', address: 0 } } }, 'devices.keypad.address：按键器地址应为 1 到 254'],
    [{ devices: { display: { transport: 'tcp', host: 'led-3', port: 70000 } } }, 'devices.display.port：不能大于 65535'],
    [{ window: undefined }, 'window：窗口终端需要填写它所属的窗口号'],
  ])('says a bad device or field in Chinese first, then in English for the installer: %j', (fields, chinese) => {
    const [zh, en] = halvesOf({ ...GOOD, ...fields });
    expect(zh).toContain(`  - ${chinese}`);
    // The Chinese says what is wrong in Chinese, not zod's English again.
    expect(zh).not.toMatch(/Invalid|Unrecognized|expected|one of/);
    expect(en).toMatch(/\n {2}- \S+: /);
  });

  it('says in Chinese, then English, when the file is missing or not JSON', () => {
    const dir = tempDir();
    expect(() => loadConfig(path.join(dir, 'nope.json'), {})).toThrow(/^终端配置有误[^]*nope\.json：没有这个文件，请核对路径\nthe terminal's configuration is not usable:\n {2}- .*nope\.json: the file cannot be read$/);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{ "role": "window",');
    expect(() => loadConfig(path.join(dir, 'bad.json'), {})).toThrow(/bad\.json：不是有效的 JSON，第 1 行第 20 列：内容没有写完：到末尾还缺少 }（该行：\{ "role": "window",）\nthe terminal's/);
  });

  it('says where the file’s JSON goes wrong by line and column, with the line, not by a character offset', () => {
    const file = path.join(tempDir(), 'terminal.json');
    // As an installer edits it: a field added at the end, its comma left behind; a Windows path with single backslashes.
    fs.writeFileSync(file, '{\n  "role": "window",\n  "window": 3,\n  "hubUrl": "ws://127.0.0.1:8600/ws",\n}\n');
    expect(() => loadConfig(file, {})).toThrow(/terminal\.json：不是有效的 JSON，第 4 行第 37 列：最后一项后面多了一个逗号（JSON 不允许），请删去（该行："hubUrl": "ws:\/\/127\.0\.0\.1:8600\/ws",）\n[^]*terminal\.json: not valid JSON, line 4, column 37: a comma after the last item/);
    fs.writeFileSync(file, '{\r\n  "role": "window",\r\n  "hubCa": "C:\\servicehall\\ca.crt"\r\n}\r\n');
    expect(() => loadConfig(file, {})).toThrow(/第 3 行第 15 列：反斜杠 \\ 在引号里要写两个：Windows 路径写成 C:\\\\servicehall 或 C:\/servicehall（该行："hubCa": "C:\\servicehall\\ca\.crt"）/);
  });

  it('takes a hub on another machine over wss:// with the hall CA, or over ws:// only when told allowInsecure', () => {
    const dir = tempDir();
    const ca = path.join(dir, 'ca.crt');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const file = path.join(dir, 'terminal.json');
    fs.writeFileSync(file, JSON.stringify({ ...GOOD, hubUrl: 'wss://192.168.1.10:8600/ws', hubCa: ca }));
    expect(loadConfig(file, {})).toMatchObject({ hubUrl: 'wss://192.168.1.10:8600/ws', hubCa: ca, allowInsecure: false });
    fs.writeFileSync(file, JSON.stringify({ ...GOOD, hubUrl: 'ws://192.168.1.10:8600/ws', allowInsecure: true }));
    expect(loadConfig(file, {})).toMatchObject({ allowInsecure: true });
    expect(loadConfig(undefined, { SERVICEHALL_HUB_URL: 'ws://192.168.1.10:8600/ws', SERVICEHALL_ALLOW_INSECURE: '1' }, { ...GOOD, hubUrl: undefined })).toMatchObject({ allowInsecure: true });
    fs.writeFileSync(file, JSON.stringify({ ...GOOD, bridge: { host: '0.0.0.0', port: 8611, allowRemote: true } }));
    expect(loadConfig(file, {}).bridge).toEqual({ host: '0.0.0.0', port: 8611, allowRemote: true });
  });

  it.each([
    [{ SERVICEHALL_WINDOW: 'abc' }, '环境变量 SERVICEHALL_WINDOW=abc：应为数字', 'environment variable SERVICEHALL_WINDOW=abc: must be a number'],
    [{ SERVICEHALL_WINDOW: '0x10' }, '环境变量 SERVICEHALL_WINDOW=0x10：应为数字', 'environment variable SERVICEHALL_WINDOW=0x10: must be a number'],
    [{ SERVICEHALL_BRIDGE_PORT: '70000' }, '环境变量 SERVICEHALL_BRIDGE_PORT=70000：不能大于 65535', 'environment variable SERVICEHALL_BRIDGE_PORT=70000: Too big'],
    [{ SERVICEHALL_HUB_URL: 'http://127.0.0.1:8600/ws' }, '环境变量 SERVICEHALL_HUB_URL=http://127.0.0.1:8600/ws：应为以 /ws 结尾的 ws:// 或 wss:// 地址', 'environment variable SERVICEHALL_HUB_URL=http://127.0.0.1:8600/ws: a ws:// or wss:// address'],
    [{ SERVICEHALL_STANDBY_HUB_URLS: 'ws://127.0.0.1:8601/ws,standby' }, '环境变量 SERVICEHALL_STANDBY_HUB_URLS=ws://127.0.0.1:8601/ws,standby：应为以 /ws 结尾', 'environment variable SERVICEHALL_STANDBY_HUB_URLS=ws://127.0.0.1:8601/ws,standby: a ws://'],
    [{ SERVICEHALL_PRINTER: 'x', SERVICEHALL_ROLE: 'printer' }, '环境变量 SERVICEHALL_ROLE=printer：应为 kiosk、window、rating-pad、display 之一', 'environment variable SERVICEHALL_ROLE=printer:'],
    // The token is a secret: named, never repeated.
    [{ SERVICEHALL_TOKEN: 'short' }, '环境变量 SERVICEHALL_TOKEN：至少 8 个字符', 'environment variable SERVICEHALL_TOKEN: at least 8 characters'],
    [{ SERVICEHALL_HUB_URL: 'wss://127.0.0.1:8600/ws', SERVICEHALL_HUB_CA: '/nowhere/ca.crt' }, 'SERVICEHALL_HUB_CA：/nowhere/ca.crt 无法读取', 'SERVICEHALL_HUB_CA: /nowhere/ca.crt cannot be read'],
  ])('names the variable the installer set, not the file’s field: %j', (env, zh, en) => {
    // The file has the field right: the variable set over it is what is wrong.
    const file = path.join(tempDir(), 'terminal.json');
    fs.writeFileSync(file, JSON.stringify(GOOD));
    let error: unknown;
    try {
      loadConfig(file, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, problemsZh } = error as ConfigError;
    expect(problemsZh.join('\n')).toContain(zh);
    expect(problems.join('\n')).toContain(en);
    if ('SERVICEHALL_TOKEN' in env) expect((error as Error).message).not.toContain('short');
  });

  it.each([
    ['1', true], ['true', true], ['yes', true], ['on', true], ['YES', true], [' On ', true],
    ['0', false], ['false', false], ['no', false], ['off', false], ['OFF', false],
  ])('takes SERVICEHALL_ALLOW_INSECURE=%j as %s', (text, on) => {
    const env = { SERVICEHALL_HUB_URL: 'ws://192.168.1.10:8600/ws', SERVICEHALL_ALLOW_INSECURE: text };
    if (on) expect(loadConfig(undefined, env, GOOD).allowInsecure).toBe(true);
    else expect(problemsOf(() => loadConfig(undefined, env, GOOD))).toEqual([expect.stringMatching(/^environment variable SERVICEHALL_HUB_URL=ws:\/\/192\.168\.1\.10:8600\/ws: the hub is on another machine/)]);
  });

  it.each(['ja', 'y', '2', 'enabled'])('refuses SERVICEHALL_ALLOW_INSECURE=%j with the spellings it takes, rather than read it as off', (text) => {
    let error: unknown;
    try {
      loadConfig(undefined, { SERVICEHALL_HUB_URL: 'ws://127.0.0.1:8600/ws', SERVICEHALL_ALLOW_INSECURE: text }, GOOD);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problemsZh).toEqual([`SERVICEHALL_ALLOW_INSECURE 应为 1/true/yes/on（开）或 0/false/no/off（关），而不是“${text}”`]);
    expect((error as ConfigError).problems).toEqual([`SERVICEHALL_ALLOW_INSECURE is 1/true/yes/on (on) or 0/false/no/off (off), not "${text}"`]);
  });

  it('ends a browser-mode terminal with a wrong setting with exit code 78, its service not to start it again in a loop', () => {
    const script = `import { browserModeMain, loadConfig } from ${JSON.stringify(path.join(import.meta.dirname, 'index.ts'))};
browserModeMain('window terminal', async () => { loadConfig(undefined, process.env, { role: 'window', terminal: 'window-3' }); throw new Error('not reached'); });`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, SERVICEHALL_WINDOW: 'abc', SERVICEHALL_HUB_URL: 'ws://127.0.0.1:8600/ws' }, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toMatch(/^终端配置有误，终端没有启动。[^]*环境变量 SERVICEHALL_WINDOW=abc：应为数字/);
    expect(run.status).toBe(CONFIG_EXIT_CODE);
    expect(CONFIG_EXIT_CODE).toBe(78);
  }, 60_000);

  it('stops a terminal whose hub is on another machine over ws:// in Chinese first, then English, naming hubUrl, hubCa and allowInsecure, in its error box and its log', () => {
    const [zh, en] = halvesOf({ ...GOOD, hubUrl: 'ws://192.168.1.10:8600/ws', standbyHubUrls: ['ws://192.168.1.11:8600/ws'] });
    for (const field of ['hubUrl', 'standbyHubUrls.0'])
      expect(zh).toContain(`  - ${field}：主机在另一台机器上，ws:// 不加密：请把 hubUrl 改为 wss:// 地址，并用 hubCa 指定大厅 CA 证书（npm run hub -- init-tls 生成的 ca.crt）；只有在无他人使用的专用网络上，才可把 allowInsecure 设为 true，那样令牌和 PIN 会以明文在网络上传输（allowInsecure 也可用环境变量 SERVICEHALL_ALLOW_INSECURE=1 设置）`);
    expect(zh).not.toMatch(/another machine/);
    expect(en).toContain('  - hubUrl: the hub is on another machine: use wss:// with the hall CA (a wss:// hubUrl, and hubCa: the ca.crt from `npm run hub -- init-tls`), or set allowInsecure to true on a private network');
    // Browser mode prints it to its log (stderr) and ends with 78; the Electron app shows the same message in its error box.
    const script = `import { browserModeMain, loadConfig } from ${JSON.stringify(path.join(import.meta.dirname, 'index.ts'))};
browserModeMain('window terminal', async () => { loadConfig(undefined, process.env, { role: 'window', terminal: 'window-3', window: 3 }); throw new Error('not reached'); });`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, SERVICEHALL_HUB_URL: 'ws://192.168.1.10:8600/ws', SERVICEHALL_ALLOW_INSECURE: '' }, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toMatch(/^终端配置有误，终端没有启动。[^]*\n {2}- 环境变量 SERVICEHALL_HUB_URL=ws:\/\/192\.168\.1\.10:8600\/ws：主机在另一台机器上，ws:\/\/ 不加密：请把 hubUrl 改为 wss:\/\/ 地址，并用 hubCa [^]*allowInsecure 设为 true[^]*\nthe terminal's configuration is not usable:\n {2}- environment variable SERVICEHALL_HUB_URL=ws:\/\/192\.168\.1\.10:8600\/ws: the hub is on another machine: use wss:\/\/ [^]*hubCa[^]*allowInsecure/);
    expect(run.status).toBe(CONFIG_EXIT_CODE);
  }, 60_000);

  it('knows the hall’s standby hub from its file or the environment, so that it moves to whichever hub is in charge', () => {
    const file = path.join(tempDir(), 'terminal.json');
    fs.writeFileSync(file, JSON.stringify({ ...GOOD, standbyHubUrls: ['ws://127.0.0.1:8601/ws'] }));
    expect(loadConfig(file, {}).standbyHubUrls).toEqual(['ws://127.0.0.1:8601/ws']);
    expect(loadConfig(file, { SERVICEHALL_STANDBY_HUB_URLS: 'ws://127.0.0.1:8602/ws, ws://127.0.0.1:8603/ws' }).standbyHubUrls).toEqual(['ws://127.0.0.1:8602/ws', 'ws://127.0.0.1:8603/ws']);
    fs.writeFileSync(file, JSON.stringify(GOOD));
    expect(loadConfig(file, {}).standbyHubUrls).toEqual([]);
  });

  it('reads a file saved with a byte-order mark (Windows Notepad), its own part and the app’s', () => {
    const file = path.join(tempDir(), 'terminal.json');
    fs.writeFileSync(file, '\uFEFF' + JSON.stringify({ ...GOOD, language: 'en', windowTerminal: { correctionDays: 5 } }));
    expect(loadConfig(file, {})).toMatchObject({ role: 'window', language: 'en' });
    expect(readConfigFile(file)).toMatchObject({ windowTerminal: { correctionDays: 5 } });
  });

  it('says when the file is missing or not JSON', () => {
    const dir = tempDir();
    expect(problemsOf(() => loadConfig(path.join(dir, 'nope.json'), {}))[0]).toMatch(/cannot be read/);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{ role: window');
    expect(problemsOf(() => loadConfig(path.join(dir, 'bad.json'), {}))[0]).toMatch(/not valid JSON/);
    expect(() => loadConfig(path.join(dir, 'bad.json'), {})).toThrow(/^终端配置有误，终端没有启动。[^]*configuration is not usable:\n {2}- .*bad\.json: not valid JSON/);
    // 大厅 in GBK, as Notepad on a Chinese Windows saves "ANSI": refused, not shown on the hall's screens as mojibake.
    const [before, after] = JSON.stringify({ ...GOOD, hallDisplay: { notices: ['NOTICE'] } }).split('NOTICE') as [string, string];
    fs.writeFileSync(path.join(dir, 'gbk.json'), Buffer.concat([Buffer.from(before), Buffer.from([0xb4, 0xf3, 0xcc, 0xfc]), Buffer.from(after)]));
    expect(problemsOf(() => loadConfig(path.join(dir, 'gbk.json'), {}))[0]).toMatch(/not UTF-8 text/);
  });
});

/** The same handlers and pushes behind both transports must answer the same. */
function handlers() {
  return {
    add: ({ a, b }: { a: number; b: number }) => a + b,
    fail: () => {
      throw Object.assign(new Error('the printer is out of paper'), { code: 'paper-end' });
    },
  };
}

describe('one bridge, two transports', () => {
  it('in browser mode: serves the renderer, answers calls, reports failures as values and replays the latest push', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>终端</title>');
    const pushes = new Pushes();
    pushes.push('link', { status: 'online' });
    const mode = await serveBrowserMode({ handlers: handlers(), pushes, staticDir: dir });
    cleanups.push(() => mode.close());
    expect(await (await fetch(mode.url)).text()).toContain('终端');
    expect(await (await fetch(mode.url + 'any/deep/route')).text()).toContain('终端');
    expect((await fetch(mode.url + '..%2f..%2fetc/passwd')).status).not.toBe(200);
    // A malformed address is answered, and the agent goes on serving.
    expect((await fetch(mode.url + '%E0%A4%A')).status).toBe(400);
    expect((await fetch(mode.url)).status).toBe(200);

    const ws = new WebSocket(mode.url.replace('http', 'ws') + `bridge?s=${mode.secret}`);
    const messages: any[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    cleanups.push(() => ws.close());
    ws.send(JSON.stringify({ type: 'call', id: 1, name: 'add', arg: { a: 2, b: 3 } }));
    ws.send(JSON.stringify({ type: 'call', id: 2, name: 'fail' }));
    ws.send(JSON.stringify({ type: 'call', id: 3, name: 'nope' }));
    ws.send('garbage');
    pushes.push('board', { calls: 1 });
    await expect.poll(() => messages.length).toBeGreaterThanOrEqual(5);
    expect(messages).toContainEqual({ type: 'push', topic: 'link', payload: { status: 'online' } });
    expect(messages).toContainEqual({ type: 'result', id: 1, ok: true, value: 5 });
    expect(messages).toContainEqual({ type: 'result', id: 2, ok: false, error: { code: 'paper-end', message: 'the printer is out of paper' } });
    expect(messages).toContainEqual({ type: 'result', id: 3, ok: false, error: { code: 'bad-request', message: 'there is no call nope' } });
    expect(messages).toContainEqual({ type: 'push', topic: 'board', payload: { calls: 1 } });
  });

  it('over Electron IPC: the same answers and pushes, to the terminal’s own screen only', async () => {
    const invoke = new Map<string, (...a: unknown[]) => unknown>();
    const on = new Map<string, (...a: unknown[]) => void>();
    const sent: unknown[][] = [];
    const ipcMain = {
      handle: (ch: string, fn: (...a: unknown[]) => unknown) => invoke.set(ch, fn),
      on: (ch: string, fn: (...a: unknown[]) => void) => on.set(ch, fn),
      removeHandler: (ch: string) => invoke.delete(ch),
      removeListener: (ch: string) => on.delete(ch),
    };
    const window = { isDestroyed: () => false, webContents: { id: 7, send: (...a: unknown[]) => sent.push(a) } };
    const pushes = new Pushes();
    pushes.push('link', { status: 'online' });
    const screen = 'file:///opt/servicehall/resources/app.asar/dist/renderer/index.html';
    const logs: string[] = [];
    const stop = serveOverIpc(ipcMain as never, window as never, handlers(), pushes, screen, (m) => logs.push(m));
    const own = { sender: { id: 7 }, senderFrame: { url: `${screen}#/home`, parent: null } };
    expect(await invoke.get(IPC_CALL)!(own, 'add', { a: 2, b: 3 })).toEqual({ ok: true, value: 5 });
    expect(await invoke.get(IPC_CALL)!(own, 'fail')).toEqual({ ok: false, error: { code: 'paper-end', message: 'the printer is out of paper' } });
    // Another window, a frame inside the page, a page it navigated to, a frame that is gone: refused.
    const strangers = [
      { sender: { id: 8 }, senderFrame: { url: screen, parent: null } },
      { sender: { id: 7 }, senderFrame: { url: screen, parent: {} } },
      { sender: { id: 7 }, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: { id: 7 }, senderFrame: { url: 'file:///tmp/other.html', parent: null } },
      { sender: { id: 7 }, senderFrame: null },
    ];
    for (const e of strangers) expect(await invoke.get(IPC_CALL)!(e, 'add', { a: 2, b: 3 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(logs).toHaveLength(strangers.length);
    const replayed: unknown[][] = [];
    on.get(IPC_PUSH)!({ ...own, sender: { id: 7, send: (...a: unknown[]) => replayed.push(a) } }, 'link');
    on.get(IPC_PUSH)!({ sender: { id: 8, send: (...a: unknown[]) => replayed.push(a) }, senderFrame: { url: screen } }, 'link');
    expect(replayed).toEqual([[IPC_PUSH, 'link', { status: 'online' }]]);
    pushes.push('board', { calls: 1 });
    expect(sent).toEqual([[IPC_PUSH, 'board', { calls: 1 }]]);
    stop();
    expect(invoke.size + on.size).toBe(0);
  });
});

describe('the browser-mode bridge', () => {
  async function served() {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><html><head><title>终端</title></head><body></body></html>');
    const calls: string[] = [];
    const mode = await serveBrowserMode({ handlers: { takeNumber: () => calls.push('takeNumber') }, pushes: new Pushes(), staticDir: dir });
    cleanups.push(() => mode.close());
    return { mode, calls, port: mode.port };
  }

  /** Opens the bridge as a browser would, with these headers; resolves with the HTTP status the upgrade got. */
  function upgrade(port: number, pathAndQuery: string, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${pathAndQuery}`, { headers });
      ws.on('open', () => {
        ws.terminate();
        resolve(101);
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(0));
    });
  }

  it('serves files from the renderer’s folder only, not from a folder beside it whose name begins the same', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'renderer'));
    fs.writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>终端</title>');
    fs.mkdirSync(path.join(dir, 'renderer-old'));
    fs.writeFileSync(path.join(dir, 'renderer-old', 'secret.txt'), 'not for any page');
    const mode = await serveBrowserMode({ handlers: {}, pushes: new Pushes(), staticDir: path.join(dir, 'renderer') });
    cleanups.push(() => mode.close());
    expect(await (await fetch(mode.url + '..%2frenderer-old%2fsecret.txt')).text()).not.toContain('not for any page');
    expect(await (await fetch(mode.url)).text()).toContain('终端');
  });

  it('hands the page it serves this start’s secret, never cached', async () => {
    const { mode } = await served();
    const res = await fetch(mode.url);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(await res.text()).toContain(`<meta name="servicehall-bridge" content="${mode.secret}" />`);
    const again = await served();
    expect(again.mode.secret).not.toBe(mode.secret);
  });

  it('refuses a foreign page, a rebound host name and a connection without the secret; takes its own screen', async () => {
    const { mode, port, calls } = await served();
    const own = { origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` };
    const cases: [string, string, Record<string, string>, number][] = [
      ['its own screen', `/bridge?s=${mode.secret}`, own, 101],
      ['its own screen by name', `/bridge?s=${mode.secret}`, { origin: `http://localhost:${port}`, host: `localhost:${port}` }, 101],
      ['a page of another site', `/bridge?s=${mode.secret}`, { ...own, origin: 'http://evil.example' }, 403],
      ['a page of another port', `/bridge?s=${mode.secret}`, { ...own, origin: `http://127.0.0.1:${port + 1}` }, 403],
      ['a page opened from a file', `/bridge?s=${mode.secret}`, { ...own, origin: 'null' }, 403],
      ['a rebound DNS name', `/bridge?s=${mode.secret}`, { origin: `http://rebind.example:${port}`, host: `rebind.example:${port}` }, 403],
      ['no secret', '/bridge', own, 403],
      ['a wrong secret', `/bridge?s=${'x'.repeat(mode.secret.length)}`, own, 403],
      ['another path', `/other?s=${mode.secret}`, own, 403],
    ];
    const got = [];
    for (const [name, where, headers] of cases) got.push([name, await upgrade(port, where, headers)]);
    expect(got).toEqual(cases.map(([name, , , status]) => [name, status]));
    // Nor may a rebound name or another site read the page (and its secret), or reach a handler through HTTP.
    const http = await import('node:http');
    const get = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => http.get({ host: '127.0.0.1', port, path: '/', headers }, (res) => (res.resume(), resolve(res.statusCode ?? 0))));
    expect(await get({ host: `rebind.example:${port}` })).toBe(403);
    expect(await get({ host: `127.0.0.1:${port}`, origin: 'http://evil.example' })).toBe(403);
    expect(await get({ host: `127.0.0.1:${port}` })).toBe(200);
    expect(calls).toEqual([]);
  });

  it('listens beyond loopback only when told so', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    await expect(serveBrowserMode({ handlers: {}, pushes: new Pushes(), staticDir: dir, host: '0.0.0.0' })).rejects.toThrow(/bridge.allowRemote/);
    const open = await serveBrowserMode({ handlers: {}, pushes: new Pushes(), staticDir: dir, host: '0.0.0.0', allowRemote: true });
    cleanups.push(() => open.close());
    expect((await fetch(`http://127.0.0.1:${open.port}/`)).status).toBe(200);
  });
});

describe('browser mode on a port already taken', () => {
  it('rejects with the reason instead of ending the process', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    const first = await serveBrowserMode({ handlers: {}, pushes: new Pushes(), staticDir: dir });
    cleanups.push(() => first.close());
    await expect(serveBrowserMode({ handlers: {}, pushes: new Pushes(), staticDir: dir, port: first.port })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('the hall’s clock on every terminal', () => {
  it('answers hubTime for every app by the hub’s clock, not the PC’s ten minutes behind', async () => {
    const { startHub } = await import('@servicehall/hub');
    const { demoCatalogue } = await import('@servicehall/fixtures');
    const { startAgent } = await import('./agent');
    const { dispatch } = await import('./dispatch');
    const dir = tempDir();
    const hub = await startHub({ dataDir: path.join(dir, 'hub'), token: 'a-hall-token-for-the-clock', seed: demoCatalogue({ allDay: true }) });
    cleanups.push(() => hub.close());
    const config = loadConfig(undefined, { SERVICEHALL_HUB_URL: hub.wsUrl, SERVICEHALL_TOKEN: 'a-hall-token-for-the-clock', SERVICEHALL_TERMINAL_DATA: path.join(dir, 'kiosk') }, { role: 'kiosk', terminal: 'kiosk-1' });
    const agent = await startAgent(config, () => ({ handlers: {} }), () => undefined, undefined, { clock: () => Date.now() - 10 * 60_000 });
    cleanups.push(() => agent.stop());
    await agent.client.whenInStep();
    const answer = await dispatch(agent.handlers, 'hubTime', undefined);
    expect(answer.ok).toBe(true);
    expect(Math.abs((answer as { value: number }).value - Date.now())).toBeLessThan(2000);
  });
});

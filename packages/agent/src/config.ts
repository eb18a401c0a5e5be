import { insecureHubProblem } from '@servicehall/client';
import { jsonSyntaxProblem, switchProblem, switchValue } from '@servicehall/core';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** Hosts that stay on this machine. */
export const isLoopbackHost = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** The speeds a serial device is set to: another number is a typo, which would read as garbage or silence, never as an error. */
const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];

/** The schema's own words for what is wrong, each with the Chinese the hall's staff read first. */
const SAID = {
  baudRate: { en: `one of ${BAUD_RATES.join(', ')}, as the device is set (most use 9600)`, zh: `串口速率应为 ${BAUD_RATES.join('、')} 之一，与设备上的设置相同（多数为 9600）` },
  address: { en: '1 to 254, as the pad is set (0 and 255 are reserved)', zh: '按键器地址应为 1 到 254，与按键器拨码开关的设置相同（0 和 255 为保留地址）' },
  terminal: { en: 'letters, digits, ".", "_" and "-" only, at most 40', zh: '只能用字母、数字和“.”“_”“-”，最多 40 个' },
  hubUrl: { en: 'a ws:// or wss:// address ending in /ws, e.g. wss://192.168.1.10:8600/ws', zh: '应为以 /ws 结尾的 ws:// 或 wss:// 地址，例如 wss://192.168.1.10:8600/ws' },
  standbyHubUrl: { en: 'a ws:// or wss:// address ending in /ws, e.g. wss://192.168.1.11:8600/ws', zh: '应为以 /ws 结尾的 ws:// 或 wss:// 地址，例如 wss://192.168.1.11:8600/ws' },
  token: { en: 'at least 8 characters: a credential from the hub, or leave it out and enrol the terminal by its pairing code', zh: '至少 8 个字符：填写主机发给本终端的凭据；或不填写，在控制台用配对码登记本终端' },
  hubCa: { en: "wss:// needs the hall CA's certificate file (ca.crt from `npm run hub -- init-tls`), the only authority this terminal trusts for the hub", zh: '使用 wss:// 需要大厅 CA 证书文件（npm run hub -- init-tls 生成的 ca.crt），终端只信任它' },
};

const baudRate = z
  .number()
  .int()
  .refine((n) => BAUD_RATES.includes(n), SAID.baudRate.en)
  .default(9600);

/** A device's link and its own fields; a key it does not know (baudrate for baudRate) is named, not left to a default. */
const serialOrTcp = <T extends z.ZodRawShape>(own: T) =>
  z.discriminatedUnion('transport', [
    z.strictObject({ transport: z.literal('serial'), path: z.string().min(1), baudRate, ...own }),
    z.strictObject({ transport: z.literal('tcp'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(9100), ...own }),
    z.strictObject({ transport: z.literal('file'), path: z.string().min(1), ...own }),
  ]);

export const TerminalConfigSchema = z
  .object({
    role: z.enum(['kiosk', 'window', 'rating-pad', 'display']),
    /** The terminal's stable id, e.g. kiosk-1 */
    terminal: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, SAID.terminal.en),
    window: z.number().int().min(1).max(999).optional(),
    hubUrl: z.string().regex(/^wss?:\/\/[^\s]+\/ws$/, SAID.hubUrl.en),
    /** The hall's standby hub(s), same form: the terminal goes by itself to whichever hub is in charge. */
    standbyHubUrls: z.array(z.string().regex(/^wss?:\/\/[^\s]+\/ws$/, SAID.standbyHubUrl.en)).max(4).default([]),
    /** The hall CA's certificate file (ca.crt from `hub init-tls`): with wss://, the one authority trusted for the hub. */
    hubCa: z.string().min(1).optional(),
    /** ws:// to a hub on another machine: tokens and PINs would cross the network in clear. Only on a network nobody else uses. */
    allowInsecure: z.boolean().default(false),
    /** The terminal's credential (or the hall token); without one the terminal shows a pairing code and keeps the credential it is given. */
    token: z.string().min(8, SAID.token.en).optional(),
    /** The terminal's own folder: outbox, logs. */
    dataDir: z.string().min(1).default('./data/terminal'),
    language: z.enum(['zh-CN', 'en']).default('zh-CN'),
    /**
     * Browser mode: where the screen and its bridge are served. Loopback only, unless `allowRemote`
     * says on purpose that a screen on another machine drives this terminal (a warning is logged).
     */
    bridge: z
      .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(0), allowRemote: z.boolean().default(false) })
      .default({ host: '127.0.0.1', port: 0, allowRemote: false }),
    devices: z
      .strictObject({
        printer: serialOrTcp({ profile: z.string().default('80mm') }).optional(),
        display: serialOrTcp({
          profile: z.string().default('dmd'),
          /** The display's own size where it differs from its profile's: columns a row (DM-D, CD5220). */
          columns: z.number().int().min(4).max(80).optional(),
          /** Modbus LED: character cells of the number, digits of the window, the display's address. */
          cells: z.number().int().min(1).max(16).optional(),
          windowDigits: z.number().int().min(1).max(4).optional(),
          slave: z.number().int().min(1).max(247).optional(),
        }).optional(),
        keypad: z
          .strictObject({
            transport: z.literal('serial'),
            path: z.string().min(1),
            baudRate,
            /** As the pad's DIP switches are set; PROTOCOL.md reserves 0 and 255, and a pad there would never be heard. */
            address: z.number().int().min(1, SAID.address.en).max(254, SAID.address.en).default(1),
          })
          .optional(),
      })
      .default({}),
  })
  .superRefine((c, ctx) => {
    if ((c.role === 'window' || c.role === 'rating-pad') && c.window === undefined)
      ctx.addIssue({ code: 'custom', path: ['window'], message: `a ${c.role} terminal needs the number of its window`, params: { zh: `${c.role === 'window' ? '窗口' : '评价器'}终端需要填写它所属的窗口号` } });
    const hubs: [(string | number)[], string][] = [[['hubUrl'], c.hubUrl], ...c.standbyHubUrls.map((url, i): [(string | number)[], string] => [['standbyHubUrls', i], url])];
    for (const [path, url] of hubs) {
      const problem = insecureHubProblem(url, c.allowInsecure);
      // The client's own words, and the variable that sets allowInsecure on a terminal.
      if (problem)
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${problem.en} (allowInsecure may be set by SERVICEHALL_ALLOW_INSECURE=1 too)`,
          params: { zh: `${problem.zh}（allowInsecure 也可用环境变量 SERVICEHALL_ALLOW_INSECURE=1 设置）` },
        });
    }
    if (c.hubUrl.startsWith('wss://') && !c.hubCa) ctx.addIssue({ code: 'custom', path: ['hubCa'], message: SAID.hubCa.en, params: SAID.hubCa });
    if (!isLoopbackHost(c.bridge.host) && !c.bridge.allowRemote)
      ctx.addIssue({
        code: 'custom',
        path: ['bridge', 'host'],
        message: `${c.bridge.host} is not this machine: the screen's bridge drives the terminal, so it listens on loopback unless bridge.allowRemote is true`,
        params: { zh: `${c.bridge.host} 不是本机地址：界面桥接能操作本终端，所以只在本机监听，除非设置 bridge.allowRemote 为 true` },
      });
  });
export type TerminalConfig = z.infer<typeof TerminalConfigSchema>;

/** What is wrong with a configuration: in Chinese and in English, or one text said to both (already bilingual, or names only). */
export type ConfigProblem = string | { zh: string; en: string };

/** The exit code of a terminal whose configuration is wrong (EX_CONFIG): starting it again cannot mend it. */
export const CONFIG_EXIT_CODE = 78;

export class ConfigError extends Error {
  /** The problems in English, for logs and tests. */
  readonly problems: string[];
  /** The same problems in Chinese, in the same order. */
  readonly problemsZh: string[];
  constructor(problems: ConfigProblem[]) {
    const en = problems.map((p) => (typeof p === 'string' ? p : p.en));
    const zh = problems.map((p) => (typeof p === 'string' ? p : p.zh));
    // Shown in the terminal's error box and its log to whoever installs it: the hall's staff read Chinese first, the installer may read English.
    super(`终端配置有误，终端没有启动。请按下列各项改正配置文件或环境变量后再启动：\n${zh.map((p) => `  - ${p}`).join('\n')}\nthe terminal's configuration is not usable:\n${en.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = en;
    this.problemsZh = zh;
  }
}

const TYPE_ZH: Record<string, string> = { string: '文字（加引号）', number: '数字（不加引号）', boolean: 'true 或 false', object: '一组设置 { … }', array: '列表 [ … ]' };
const ZH_BY_EN = new Map(Object.values(SAID).map((s) => [s.en, s.zh] as const));

/** A schema problem in Chinese: the schema's own words where it has them, else what zod found, said plainly. */
function problemZh(issue: z.core.$ZodIssue): string {
  const own = (issue as { params?: { zh?: string } }).params?.zh ?? ZH_BY_EN.get(issue.message);
  if (own) return own;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? '缺少此项，必须填写' : `应为${TYPE_ZH[issue.expected] ?? issue.expected}`;
    case 'invalid_union':
      return 'options' in issue && Array.isArray(issue.options) ? `应为 ${issue.options.join('、')} 之一` : '格式不正确';
    case 'invalid_value':
      return `应为 ${issue.values.map(String).join('、')} 之一`;
    case 'too_small':
      return issue.origin === 'string' ? (Number(issue.minimum) <= 1 ? '不能为空' : `至少 ${issue.minimum} 个字符`) : issue.origin === 'array' ? `至少 ${issue.minimum} 项` : `不能小于 ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `最多 ${issue.maximum} 个字符` : issue.origin === 'array' ? `最多 ${issue.maximum} 项` : `不能大于 ${issue.maximum}`;
    case 'unrecognized_keys':
      return `不认识的项：${issue.keys.join('、')}（请核对拼写和大小写）`;
    default:
      // A rule of the schema's own with no Chinese of its own: its English words say more than 格式不正确.
      return issue.code === 'custom' || issue.code === 'invalid_format' ? `格式不正确（${issue.message}）` : '格式不正确';
  }
}

/** Which variable set a field (by its path, "bridge.port"), and its text as set: a problem with the field names the variable. */
export type EnvSources = Map<string, { name: string; text: string }>;

/** Variables whose text is a secret: never repeated in a message. */
const SECRET_VARIABLES = new Set(['SERVICEHALL_TOKEN']);

/** A problem with a value the installer set in a variable, named by it: its text as set, and what it should be. */
function envProblem(issue: z.core.$ZodIssue, name: string, text: string): ConfigProblem {
  if (issue.code === 'invalid_type' && issue.expected === 'boolean') return switchProblem(name, text);
  const shown = SECRET_VARIABLES.has(name) ? '' : `=${text}`;
  if (issue.code === 'invalid_type' && issue.expected === 'number') return { zh: `环境变量 ${name}${shown}：应为数字`, en: `environment variable ${name}${shown}: must be a number` };
  return { zh: `环境变量 ${name}${shown}：${problemZh(issue)}`, en: `environment variable ${name}${shown}: ${issue.message}` };
}

/**
 * A schema's problems, each named by its field (under `prefix`, an app's own object) in Chinese and
 * English, or by the variable that set it (`sources`, from settingsFromEnv). Parse with `reportInput: true`.
 */
export function configProblems(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = [], sources: EnvSources = new Map()): ConfigProblem[] {
  return issues.map((i) => {
    const path = i.path.map(String);
    for (let n = path.length; n > 0; n--) {
      const source = sources.get(path.slice(0, n).join('.'));
      if (source) return envProblem(i, source.name, source.text);
    }
    const where = [...prefix, ...i.path].map(String).join('.') || '(config)';
    return { zh: `${where}：${problemZh(i)}`, en: `${where}: ${i.message}` };
  });
}

/** Where a variable goes in a configuration, and its value from its text. */
export type EnvSetting = [path: string[], value: (text: string) => unknown];

/** A number as typed (8600, 2.5), else the text itself, for the schema to refuse as not a number: "abc" is not NaN, "0x10" not 16. */
export const envNumber = (text: string): unknown => (/^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text);

/** A switch's value (1/true/yes/on, 0/false/no/off), else the text itself, which the schema refuses and configProblems says with the spellings. */
export const envSwitch = (text: string): unknown => switchValue(text) ?? text;

/** The variables set (an empty one is not) over `raw`, each at its path; which variable set which field, for configProblems. */
export function settingsFromEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv, table: Record<string, EnvSetting>): EnvSources {
  const sources: EnvSources = new Map();
  for (const [name, [keys, value]] of Object.entries(table)) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    setPath(raw, keys, value(text));
    sources.set(keys.join('.'), { name, text });
  }
  return sources;
}

const text = (v: string) => v;
const serialDevice = (v: string) => (v === 'none' ? undefined : { transport: 'serial', path: v });

const ENV: Record<string, EnvSetting> = {
  SERVICEHALL_ROLE: [['role'], text],
  SERVICEHALL_TERMINAL: [['terminal'], text],
  SERVICEHALL_WINDOW: [['window'], envNumber],
  SERVICEHALL_HUB_URL: [['hubUrl'], text],
  SERVICEHALL_HUB_CA: [['hubCa'], text],
  SERVICEHALL_STANDBY_HUB_URLS: [['standbyHubUrls'], (v) => v.split(',').map((u) => u.trim()).filter(Boolean)],
  SERVICEHALL_ALLOW_INSECURE: [['allowInsecure'], envSwitch],
  SERVICEHALL_TOKEN: [['token'], text],
  SERVICEHALL_TERMINAL_DATA: [['dataDir'], text],
  SERVICEHALL_LANGUAGE: [['language'], text],
  SERVICEHALL_BRIDGE_PORT: [['bridge', 'port'], envNumber],
  SERVICEHALL_PRINTER: [['devices', 'printer'], serialDevice],
  SERVICEHALL_DISPLAY: [['devices', 'display'], serialDevice],
  SERVICEHALL_KEYPAD: [['devices', 'keypad'], serialDevice],
};

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let o = target;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys[keys.length - 1]!] = value;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Why no file can be made in the terminal's data folder (its error code), or undefined when one can.
 * A folder not there yet is judged by the nearest folder above it, where the terminal will make it;
 * nothing is made here. Unchecked, a file named for it let the terminal start, and its outbox and
 * credential could never be kept.
 */
function dataFolderProblem(dir: string): string | undefined {
  let at = path.resolve(dir);
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  try {
    if (!fs.statSync(at).isDirectory()) return 'ENOTDIR';
    // access() is not enough: root may "write" /proc by it, where no file can ever be made.
    const probe = path.join(at, `.servicehall-probe-${process.pid}`);
    fs.closeSync(fs.openSync(probe, 'wx', 0o600));
    fs.unlinkSync(probe);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

/**
 * The JSON of a terminal's configuration file. A byte-order mark before it (Windows Notepad writes
 * one) is not part of it; a file that is not UTF-8 (saved as GBK) is refused, not read as mojibake
 * that would reach the hall's screens.
 */
export function readConfigFile(file: string): unknown {
  return JSON.parse(UTF8.decode(fs.readFileSync(file)));
}

/**
 * The terminal's configuration: a JSON file (if given), then the environment on top. A problem
 * stops the terminal with a message that names the field and says what is wrong with it.
 */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env, defaults: Record<string, unknown> = {}): TerminalConfig {
  let raw: Record<string, unknown> = structuredClone(defaults);
  if (file) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new ConfigError([{ zh: `${file}：${missing ? '没有这个文件，请核对路径' : '文件无法读取，请检查它的权限'}`, en: `${file}: the file cannot be read` }]);
    }
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      throw new ConfigError([{ zh: `${file}：不是 UTF-8 文本，请另存为 UTF-8（中文 Windows 上的编辑器可能存成了 GBK/ANSI）`, en: `${file}: not UTF-8 text: save it as UTF-8 (an editor on a Chinese Windows may have saved it as GBK/ANSI)` }]);
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError([{ zh: `${file}：应为一个 JSON 对象 { … }`, en: `${file}: must hold one JSON object` }]);
      raw = { ...raw, ...(parsed as Record<string, unknown>) };
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      const at = jsonSyntaxProblem(text);
      throw new ConfigError([
        at
          ? { zh: `${file}：不是有效的 JSON，${at.zh}`, en: `${file}: not valid JSON, ${at.en}` }
          : { zh: `${file}：不是有效的 JSON（${(error as Error).message}），请检查引号、逗号和括号`, en: `${file}: not valid JSON (${(error as Error).message})` },
      ]);
    }
  }
  const sources = settingsFromEnv(raw, env, ENV);
  const parsed = TerminalConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(configProblems(parsed.error.issues, [], sources));
  if (parsed.data.hubCa) {
    const hubCa = sources.get('hubCa')?.name ?? 'hubCa';
    let text = '';
    try {
      text = fs.readFileSync(parsed.data.hubCa, 'utf8');
    } catch {
      throw new ConfigError([{ zh: `${hubCa}：${parsed.data.hubCa} 无法读取，请核对路径和权限`, en: `${hubCa}: ${parsed.data.hubCa} cannot be read` }]);
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----'))
      throw new ConfigError([{ zh: `${hubCa}：${parsed.data.hubCa} 不是 PEM 格式的证书（应为 npm run hub -- init-tls 生成的 ca.crt）`, en: `${hubCa}: ${parsed.data.hubCa} is not a PEM certificate (ca.crt from \`npm run hub -- init-tls\`)` }]);
  }
  const folder = dataFolderProblem(parsed.data.dataDir);
  if (folder) {
    const name = sources.get('dataDir')?.name ?? 'dataDir';
    throw new ConfigError([
      {
        zh: `${name}：终端的数据文件夹 ${parsed.data.dataDir} 无法使用：它不是文件夹，或无法在其中写入文件（${folder}）。请写明终端的运行账号能写入的一个文件夹（它存放待发给主机的操作和终端的凭据）`,
        en: `${name}: the terminal's data folder ${parsed.data.dataDir} cannot be used, as it is not a folder or no file can be made in it (${folder}). Name a folder the terminal's account may write (it holds the commands waiting for the hub and the terminal's credential)`,
      },
    ]);
  }
  return parsed.data;
}

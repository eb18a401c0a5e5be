import { insecureHubProblem } from '@servicehall/client';
import fs from 'node:fs';
import { z } from 'zod';

/** Hosts that stay on this machine. */
export const isLoopbackHost = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** The speeds a serial device is set to: another number is a typo, which would read as garbage or silence, never as an error. */
const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];
const baudRate = z
  .number()
  .int()
  .refine((n) => BAUD_RATES.includes(n), `one of ${BAUD_RATES.join(', ')}, as the device is set (most use 9600)`)
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
    terminal: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, 'letters, digits, ".", "_" and "-" only, at most 40'),
    window: z.number().int().min(1).max(999).optional(),
    hubUrl: z.string().regex(/^wss?:\/\/[^\s]+\/ws$/, 'a ws:// or wss:// address ending in /ws, e.g. wss://192.168.1.10:8600/ws'),
    /** The hall's standby hub(s), same form: the terminal goes by itself to whichever hub is in charge. */
    standbyHubUrls: z.array(z.string().regex(/^wss?:\/\/[^\s]+\/ws$/, 'a ws:// or wss:// address ending in /ws, e.g. wss://192.168.1.11:8600/ws')).max(4).default([]),
    /** The hall CA's certificate file (ca.crt from `hub init-tls`): with wss://, the one authority trusted for the hub. */
    hubCa: z.string().min(1).optional(),
    /** ws:// to a hub on another machine: tokens and PINs would cross the network in clear. Only on a network nobody else uses. */
    allowInsecure: z.boolean().default(false),
    /** The terminal's credential (or the hall token); without one the terminal shows a pairing code and keeps the credential it is given. */
    token: z.string().min(8, 'at least 8 characters: a credential from the hub, or leave it out and enrol the terminal by its pairing code').optional(),
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
            address: z.number().int().min(1, '1 to 254, as the pad is set (0 and 255 are reserved)').max(254, '1 to 254, as the pad is set (0 and 255 are reserved)').default(1),
          })
          .optional(),
      })
      .default({}),
  })
  .superRefine((c, ctx) => {
    if ((c.role === 'window' || c.role === 'rating-pad') && c.window === undefined)
      ctx.addIssue({ code: 'custom', path: ['window'], message: `a ${c.role} terminal needs the number of its window` });
    const insecure = insecureHubProblem(c.hubUrl, c.allowInsecure);
    if (insecure) ctx.addIssue({ code: 'custom', path: ['hubUrl'], message: insecure });
    c.standbyHubUrls.forEach((url, i) => {
      const problem = insecureHubProblem(url, c.allowInsecure);
      if (problem) ctx.addIssue({ code: 'custom', path: ['standbyHubUrls', i], message: problem });
    });
    if (c.hubUrl.startsWith('wss://') && !c.hubCa)
      ctx.addIssue({ code: 'custom', path: ['hubCa'], message: "wss:// needs the hall CA's certificate file (ca.crt from `npm run hub -- init-tls`), the only authority this terminal trusts for the hub" });
    if (!isLoopbackHost(c.bridge.host) && !c.bridge.allowRemote)
      ctx.addIssue({ code: 'custom', path: ['bridge', 'host'], message: `${c.bridge.host} is not this machine: the screen's bridge drives the terminal, so it listens on loopback unless bridge.allowRemote is true` });
  });
export type TerminalConfig = z.infer<typeof TerminalConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    // Shown in the terminal's error box and its log to whoever installs it: the hall's staff read Chinese first.
    super(`终端配置有误，终端没有启动。请按下列各项改正配置文件或环境变量后再启动：\nthe terminal's configuration is not usable:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const ENV: Record<string, (v: string) => [string[], unknown]> = {
  SERVICEHALL_ROLE: (v) => [['role'], v],
  SERVICEHALL_TERMINAL: (v) => [['terminal'], v],
  SERVICEHALL_WINDOW: (v) => [['window'], Number(v)],
  SERVICEHALL_HUB_URL: (v) => [['hubUrl'], v],
  SERVICEHALL_HUB_CA: (v) => [['hubCa'], v],
  SERVICEHALL_STANDBY_HUB_URLS: (v) => [['standbyHubUrls'], v.split(',').map((u) => u.trim()).filter(Boolean)],
  SERVICEHALL_ALLOW_INSECURE: (v) => [['allowInsecure'], v === '1' || v === 'true'],
  SERVICEHALL_TOKEN: (v) => [['token'], v],
  SERVICEHALL_TERMINAL_DATA: (v) => [['dataDir'], v],
  SERVICEHALL_LANGUAGE: (v) => [['language'], v],
  SERVICEHALL_BRIDGE_PORT: (v) => [['bridge', 'port'], Number(v)],
  SERVICEHALL_PRINTER: (v) => [['devices', 'printer'], v === 'none' ? undefined : { transport: 'serial', path: v }],
  SERVICEHALL_DISPLAY: (v) => [['devices', 'display'], v === 'none' ? undefined : { transport: 'serial', path: v }],
  SERVICEHALL_KEYPAD: (v) => [['devices', 'keypad'], v === 'none' ? undefined : { transport: 'serial', path: v }],
};

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let o = target;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys[keys.length - 1]!] = value;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

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
    } catch {
      throw new ConfigError([`${file}: the file cannot be read`]);
    }
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      throw new ConfigError([`${file}: not UTF-8 text: save it as UTF-8 (an editor on a Chinese Windows may have saved it as GBK/ANSI)`]);
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError([`${file}: must hold one JSON object`]);
      raw = { ...raw, ...(parsed as Record<string, unknown>) };
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError([`${file}: not valid JSON (${(error as Error).message})`]);
    }
  }
  for (const [name, map] of Object.entries(ENV)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    const [keys, value] = map(v);
    setPath(raw, keys, value);
  }
  const parsed = TerminalConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`));
  if (parsed.data.hubCa) {
    let text = '';
    try {
      text = fs.readFileSync(parsed.data.hubCa, 'utf8');
    } catch {
      throw new ConfigError([`hubCa: ${parsed.data.hubCa} cannot be read`]);
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError([`hubCa: ${parsed.data.hubCa} is not a PEM certificate (ca.crt from \`npm run hub -- init-tls\`)`]);
  }
  return parsed.data;
}

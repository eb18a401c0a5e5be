import iconv from 'iconv-lite';
import Screen from 'escpos-screen';
import type { DisplayProfile, ModbusDisplayProfile, ModbusRegisters, TextDisplayProfile } from './profiles';
import { writeRegister } from './crc16';

export interface Call {
  /** As called, e.g. "A012". */
  number: string;
  window: number;
}

export type Lang = 'zh-CN' | 'en';
const LINES = {
  'zh-CN': { call: '请{number}号到{window}号窗口' },
  en: { call: 'No.{number} to window {window}' },
} as const;

/** The line shown under the number; Chinese only where the display has Chinese fonts. */
export function callLine(call: Call, chinese: boolean): string {
  const lang: Lang = chinese ? 'zh-CN' : 'en';
  return LINES[lang].call.replace('{number}', call.number).replace('{window}', String(call.window));
}

function fit(text: string, columns: number, chinese: boolean): string {
  const bytes = chinese ? iconv.encode(text, 'gb18030') : Buffer.from(text.replace(/[^\x20-\x7e]/g, '?'), 'latin1');
  if (bytes.length <= columns) return text;
  // Cut on a character boundary.
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = chinese ? iconv.encode(ch, 'gb18030').length : 1;
    if (used + w > columns) break;
    out += ch;
    used += w;
  }
  return out;
}

/** Epson DM-D bytes, composed by escpos-screen. */
function dmd(profile: TextDisplayProfile): DisplayCommands {
  const compose = (build: (s: Screen) => void): Buffer => {
    const chunks: Buffer[] = [];
    const screen = new Screen({ write: (data) => void chunks.push(Buffer.from(data)) }, { encoding: profile.chinese ? 'GB18030' : 'ascii' });
    build(screen);
    screen.flush();
    return Buffer.concat(chunks);
  };
  return {
    show: (call) =>
      compose((s) => {
        s.clear();
        s.move(1, 1).text(fit(call.number, profile.columns, false));
        s.move(1, 2).text(fit(callLine(call, profile.chinese), profile.columns, profile.chinese));
      }),
    rows: (rows) =>
      compose((s) => {
        s.clear();
        rows.slice(0, 2).forEach((row, i) => s.move(1, i + 1).text(fit(row, profile.columns, profile.chinese)));
      }),
    clear: () => compose((s) => s.clear()),
    brightness: (level) => compose((s) => s.brightness(level)),
  };
}

/** CD5220 string mode: ESC Q A / ESC Q B write whole lines, ESC * n sets brightness. */
function cd5220(profile: TextDisplayProfile): DisplayCommands {
  const encode = (text: string) => (profile.chinese ? iconv.encode(text, 'gb18030') : Buffer.from(text.replace(/[^\x20-\x7e]/g, '?'), 'latin1'));
  const line = (which: 0x41 | 0x42, text: string) => Buffer.concat([Buffer.from([0x1b, 0x51, which]), encode(fit(text, profile.columns, profile.chinese)), Buffer.from([0x0d])]);
  return {
    show: (call) => Buffer.concat([Buffer.from([0x0c]), line(0x41, call.number), line(0x42, callLine(call, profile.chinese))]),
    rows: (rows) => Buffer.concat([Buffer.from([0x0c]), ...rows.slice(0, 2).map((row, i) => line(i === 0 ? 0x41 : 0x42, row))]),
    clear: () => Buffer.from([0x0c]),
    brightness: (level) => Buffer.from([0x1b, 0x2a, level]),
  };
}

/** Splits "A012" into the prefix letter and the number for a numeric LED display. */
export function splitNumber(number: string): { prefix: number; value: number } | undefined {
  const m = /^([A-Z]?)(\d{1,4})$/.exec(number);
  if (!m) return undefined;
  return { prefix: m[1] ? m[1].charCodeAt(0) : 0, value: Number(m[2]) };
}

function modbus(profile: ModbusDisplayProfile): DisplayCommands {
  const r: ModbusRegisters = profile.registers;
  const w = (reg: number, value: number) => writeRegister(profile.slave, reg, value);
  return {
    show: (call) => {
      const split = splitNumber(call.number);
      if (!split) return undefined;
      return [w(r.prefix, split.prefix), w(r.number, split.value), w(r.window, call.window)];
    },
    clear: () => [w(r.clear, 1)],
    brightness: (level) => [w(r.brightness, level)],
  };
}

/** Bytes for each action; Modbus actions are a list of request frames, each answered by the display. */
export interface DisplayCommands {
  show(call: Call): Buffer | Buffer[] | undefined;
  /** Two free rows of text (a greeting, 暂停服务); undefined where the display shows digits only. */
  rows?(rows: readonly string[]): Buffer | Buffer[];
  clear(): Buffer | Buffer[];
  brightness(level: 1 | 2 | 3 | 4): Buffer | Buffer[];
}

export function commandsFor(profile: DisplayProfile): DisplayCommands {
  switch (profile.commandSet) {
    case 'dm-d':
      return dmd(profile);
    case 'cd5220':
      return cd5220(profile);
    case 'modbus-rtu':
      return modbus(profile);
  }
}

import iconv from 'iconv-lite';
import Screen from 'escpos-screen';
import type { DisplayProfile, ModbusDisplayProfile, ModbusRegisters, TextDisplayProfile } from './profiles';
import { writeRegisters } from './crc16';

export interface Call {
  /** As called, e.g. "A012". */
  number: string;
  window: number;
}

export type Lang = 'zh-CN' | 'en';
/** The line under the number, fullest first: a narrow display takes the first that fits it whole. */
const LINES = {
  'zh-CN': ['请{number}号到{window}号窗口', '{number}号到{window}号窗口', '请到{window}号窗口', '{window}号窗口'],
  en: ['No.{number} to window {window}', '{number} to window {window}', 'To window {window}', 'Window {window}'],
} as const;

function encode(text: string, chinese: boolean): Buffer {
  return chinese ? iconv.encode(text, 'gb18030') : Buffer.from(text.replace(/[^\x20-\x7e]/g, '?'), 'latin1');
}

/** Display columns a text takes: its bytes (a GBK character takes two cells). */
export function displayColumns(text: string, chinese: boolean): number {
  return encode(text, chinese).length;
}

/** The line shown under the number, in full; Chinese only where the display has Chinese fonts. */
export function callLine(call: Call, chinese: boolean): string {
  return callLines(call, chinese)[0]!;
}

/** Every form of the line under the number, the fullest first. */
export function callLines(call: Call, chinese: boolean): string[] {
  const lang: Lang = chinese ? 'zh-CN' : 'en';
  return LINES[lang].map((form) => form.replace('{number}', call.number).replace('{window}', String(call.window)));
}

/** The fullest call line that fits `columns` whole; undefined when none does. */
export function callLineFitting(call: Call, columns: number, chinese: boolean): string | undefined {
  return callLines(call, chinese).find((line) => displayColumns(line, chinese) <= columns);
}

function fit(text: string, columns: number, chinese: boolean): string {
  if (encode(text, chinese).length <= columns) return text;
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

/** The two rows of a call on a character display, or undefined when the number or every form of the line is too wide. */
function callRows(call: Call, profile: TextDisplayProfile): [string, string] | undefined {
  const line = callLineFitting(call, profile.columns, profile.chinese);
  if (!line || displayColumns(call.number, false) > profile.columns) return undefined;
  return [call.number, line];
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
    show: (call) => {
      const rows = callRows(call, profile);
      if (!rows) return undefined;
      return compose((s) => {
        s.clear();
        s.move(1, 1).text(rows[0]);
        s.move(1, 2).text(rows[1]);
      });
    },
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
  const line = (which: 0x41 | 0x42, text: string) => Buffer.concat([Buffer.from([0x1b, 0x51, which]), encode(fit(text, profile.columns, profile.chinese), profile.chinese), Buffer.from([0x0d])]);
  return {
    show: (call) => {
      const rows = callRows(call, profile);
      return rows ? Buffer.concat([Buffer.from([0x0c]), line(0x41, rows[0]), line(0x42, rows[1])]) : undefined;
    },
    rows: (rows) => Buffer.concat([Buffer.from([0x0c]), ...rows.slice(0, 2).map((row, i) => line(i === 0 ? 0x41 : 0x42, row))]),
    clear: () => Buffer.from([0x0c]),
    brightness: (level) => Buffer.from([0x1b, 0x2a, level]),
  };
}

/** The register values of a call on a Modbus LED display: one ASCII code per cell, right-aligned, then the window; undefined when it does not fit. */
export function callRegisters(call: Call, profile: ModbusDisplayProfile): number[] | undefined {
  if (!/^[\x21-\x7e]+$/.test(call.number) || call.number.length > profile.cells) return undefined;
  if (!Number.isInteger(call.window) || call.window < 0 || String(call.window).length > profile.windowDigits) return undefined;
  return [...call.number.padStart(profile.cells, ' ')].map((ch) => ch.charCodeAt(0)).concat(call.window);
}

function modbus(profile: ModbusDisplayProfile): DisplayCommands {
  const r: ModbusRegisters = profile.registers;
  return {
    // One request for the whole call: a lost reply can never leave a new number beside an old window.
    show: (call) => {
      const values = callRegisters(call, profile);
      return values ? [writeRegisters(profile.slave, r.call, values)] : undefined;
    },
    // Function 16 for one register too: its reply is not the request, so a line that echoes (or stops echoing) cannot pass one for the other.
    clear: () => [writeRegisters(profile.slave, r.clear, [1])],
    brightness: (level) => [writeRegisters(profile.slave, r.brightness, [level])],
  };
}

/**
 * Why a display cannot show a call as wide as `widest` (the longest number the hall may issue, the
 * window it serves), naming the display and its limit; undefined when it can.
 */
export function displayLimitProblem(profile: DisplayProfile, widest: Call): string | undefined {
  if (profile.commandSet === 'modbus-rtu') {
    if (widest.number.length > profile.cells)
      return `显示屏 ${profile.id} 号码只有 ${profile.cells} 位，放不下 ${widest.number}（${widest.number.length} 位） / display ${profile.id} has ${profile.cells} cells for the number; ${widest.number} needs ${widest.number.length}`;
    if (String(widest.window).length > profile.windowDigits)
      return `显示屏 ${profile.id} 窗口号只有 ${profile.windowDigits} 位，放不下 ${widest.window}号窗口 / display ${profile.id} has ${profile.windowDigits} digits for the window; window ${widest.window} needs ${String(widest.window).length}`;
    return undefined;
  }
  if (!callRows(widest, profile)) {
    const shortest = callLines(widest, profile.chinese).at(-1)!;
    return `显示屏 ${profile.id} 每行 ${profile.columns} 列，放不下“${shortest}” / display ${profile.id} has ${profile.columns} columns a row; "${shortest}" needs ${displayColumns(shortest, profile.chinese)}`;
  }
  return undefined;
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

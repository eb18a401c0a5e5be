/**
 * Register map of a Modbus RTU LED window display (vendor maps differ; this is data). The call is
 * a block of holding registers from `call`: one character cell per register (its ASCII code,
 * right-aligned, blanks as spaces), then the window number. The driver writes the whole block in
 * one function-16 request, so that the display never shows a new number with an old window.
 */
export interface ModbusRegisters {
  call: number;
  /** 1 (dim) .. 4 (full). */
  brightness: number;
  /** Writing 1 blanks the display. */
  clear: number;
}

export interface TextDisplayProfile {
  id: string;
  commandSet: 'dm-d' | 'cd5220';
  columns: number;
  rows: 2;
  /** The display has GB2312/GBK fonts; otherwise it shows ASCII only. */
  chinese: boolean;
}

export interface ModbusDisplayProfile {
  id: string;
  commandSet: 'modbus-rtu';
  slave: number;
  registers: ModbusRegisters;
  /** Character cells of the number (prefix letters and digits). */
  cells: number;
  /** Digits of the window field. */
  windowDigits: number;
}

export type DisplayProfile = TextDisplayProfile | ModbusDisplayProfile;

export const DISPLAY_PROFILES: Record<'dm-d-chinese' | 'dm-d' | 'cd5220' | 'cd5220-chinese' | 'modbus-led', DisplayProfile> = {
  'dm-d-chinese': { id: 'dm-d-chinese', commandSet: 'dm-d', columns: 20, rows: 2, chinese: true },
  'dm-d': { id: 'dm-d', commandSet: 'dm-d', columns: 20, rows: 2, chinese: false },
  cd5220: { id: 'cd5220', commandSet: 'cd5220', columns: 20, rows: 2, chinese: false },
  'cd5220-chinese': { id: 'cd5220-chinese', commandSet: 'cd5220', columns: 20, rows: 2, chinese: true },
  'modbus-led': {
    id: 'modbus-led',
    commandSet: 'modbus-rtu',
    slave: 1,
    registers: { call: 0x0000, brightness: 0x0010, clear: 0x0011 },
    cells: 8,
    windowDigits: 3,
  },
};

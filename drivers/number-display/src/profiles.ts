/** Register map of a Modbus RTU numeric LED window display (vendor maps differ; this is data). */
export interface ModbusRegisters {
  /** The ticket prefix as an ASCII code (0 for none), e.g. 0x41 for A. */
  prefix: number;
  number: number;
  window: number;
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
  digits: number;
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
    registers: { prefix: 0x0000, number: 0x0001, window: 0x0002, brightness: 0x0003, clear: 0x0004 },
    digits: 4,
  },
};

import { ConfigError, type TerminalConfig } from '@servicehall/agent';
import { LONGEST_TICKET_NUMBER } from '@servicehall/core';
import { FileTransport, OpenFailure, SerialTransport, TcpTransport, type Transport } from '@servicehall/serial';
import { printerProfileProblem } from '@servicehall/escpos-printer';
import { DISPLAY_PROFILES, displayColumns, displayLimitProblem, NumberDisplay, type DisplayProfile } from '@servicehall/number-display';
import type { DeviceState } from '../shared/api';
import type { WindowStrings } from '../shared/strings';
import type { DisplayFace } from './desk';

type DisplayConfig = NonNullable<TerminalConfig['devices']['display']>;

/** The display profile a configuration names: a profile id, or the short names dmd, cd5220, modbus. */
export function displayProfileFor(name: string | undefined): DisplayProfile {
  const profiles = DISPLAY_PROFILES as Record<string, DisplayProfile>;
  if (name && profiles[name]) return profiles[name];
  switch ((name ?? 'dmd').toLowerCase()) {
    case 'modbus':
      return DISPLAY_PROFILES['modbus-led'];
    default:
      // A hall's window display shows Chinese unless its profile says otherwise.
      return DISPLAY_PROFILES['dm-d-chinese'];
  }
}

/** The profile of a configured display: its named profile, with the size the configuration gives. */
export function displayProfileOf(config: DisplayConfig): DisplayProfile {
  const profile = displayProfileFor(config.profile);
  if (profile.commandSet === 'modbus-rtu')
    return { ...profile, ...(config.cells ? { cells: config.cells } : {}), ...(config.windowDigits ? { windowDigits: config.windowDigits } : {}), ...(config.slave ? { slave: config.slave } : {}) };
  return { ...profile, ...(config.columns ? { columns: config.columns } : {}) };
}

/**
 * The rows a Chinese display of `columns` columns shows for a face (H-05: the greeting with every
 * call). The call line is the fullest form that fits whole, so that no number or window is cut.
 */
export function faceRows(face: DisplayFace, s: WindowStrings['display'], columns = 20): string[] {
  switch (face.kind) {
    case 'clear':
      return [];
    case 'idle':
      return [s.windowLabel(face.window), s.greeting];
    case 'paused':
      return [s.paused, s.pausedHint];
    case 'call': {
      const lines = s.callLines(face.number, face.window);
      return [s.greeting, lines.find((line) => displayColumns(line, true) <= columns) ?? lines.at(-1)!];
    }
    case 'serving':
      return [face.number, s.greeting];
  }
}

/**
 * Why this window's display cannot show every number the hall may issue (two letters, five digits)
 * with its window, naming the display and its limit; undefined when it can.
 */
export function displayProblem(profile: DisplayProfile, window: number, strings: WindowStrings['display']): string | undefined {
  if (profile.commandSet === 'modbus-rtu' || !profile.chinese) return displayLimitProblem(profile, { number: LONGEST_TICKET_NUMBER, window });
  const faces: DisplayFace[] = [
    { kind: 'call', number: LONGEST_TICKET_NUMBER, window },
    { kind: 'serving', number: LONGEST_TICKET_NUMBER, window },
    { kind: 'idle', window },
    { kind: 'paused', window },
  ];
  for (const face of faces) {
    for (const row of faceRows(face, strings, profile.columns)) {
      if (displayColumns(row, true) > profile.columns)
        return `显示屏 ${profile.id} 每行 ${profile.columns} 列，放不下“${row}” / display ${profile.id} has ${profile.columns} columns a row; "${row}" needs ${displayColumns(row, true)}`;
    }
  }
  return undefined;
}

/** Refuses, at load, a window display that cannot show every number and this window (ConfigError names it and its limit). */
export function checkWindowDisplay(config: TerminalConfig, strings: WindowStrings['display']): void {
  // A profile misspelt would drive the display with another's commands (DM-D's), its screen showing garbage.
  const printer = config.devices.printer && printerProfileProblem(config.devices.printer.profile);
  if (printer) throw new ConfigError([{ zh: `devices.printer.profile：${printer.zh}`, en: `devices.printer.profile: ${printer.en}` }]);
  const display = config.devices.display;
  const names = [...Object.keys(DISPLAY_PROFILES), 'dmd', 'modbus'];
  if (display && !names.includes(display.profile) && !names.includes(display.profile.toLowerCase()))
    throw new ConfigError([
      { zh: `devices.display.profile：“${display.profile}”不是显示屏型号，应为以下之一：${names.join('、')}`, en: `devices.display.profile: "${display.profile}" is not a display profile; one of ${names.join(', ')}` },
    ]);
  if (!display || config.window === undefined) return;
  const problem = displayProblem(displayProfileOf(display), config.window, strings);
  if (problem) throw new ConfigError([`devices.display: ${problem}`]);
}

/**
 * The number display above the window. Opened on first use and again after a failure; never
 * throws: every fault becomes a state the clerk sees and the hub's device board gets (H-17).
 */
export class WindowDisplay {
  private link: Transport | undefined;
  private driver: NumberDisplay | undefined;
  private opening: Promise<boolean> | undefined;
  private closed = false;
  /** Why the display last failed to open: logged once while it stays the same, and the board's detail (its port or address, what to check). */
  private readonly openFailure: OpenFailure;
  readonly profile: DisplayProfile;

  constructor(
    private readonly config: DisplayConfig,
    private readonly strings: WindowStrings['display'],
    private readonly log: (message: string) => void,
    /** Hears the display's line go away under it (a cable pulled, a USB adapter unplugged). */
    private readonly onLost: () => void = () => {},
  ) {
    this.profile = displayProfileOf(config);
    this.openFailure = new OpenFailure('the number display', log);
  }

  private open(): Promise<boolean> {
    if (this.driver) return Promise.resolve(true);
    this.opening ??= (async () => {
      try {
        const c = this.config;
        const link: Transport = c.transport === 'serial' ? await SerialTransport.open(c.path, c.baudRate) : c.transport === 'tcp' ? await TcpTransport.connect(c.host, c.port) : await FileTransport.open(c.path);
        if (this.closed) {
          await link.close();
          return false;
        }
        this.link = link;
        this.driver = new NumberDisplay(link, this.profile);
        this.openFailure.opened();
        link.onClose?.(() => {
          if (this.link !== link || this.closed) return;
          this.log('the number display went away; it is opened again when it is back');
          void this.drop();
          this.onLost();
        });
        return true;
      } catch (error) {
        this.openFailure.failed(error);
        return false;
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  async show(face: DisplayFace): Promise<DeviceState> {
    if (!(await this.open())) return this.offline();
    try {
      const p = this.profile;
      let result: { ok: boolean; code?: string };
      if (p.commandSet !== 'modbus-rtu' && p.chinese) {
        const rows = faceRows(face, this.strings, p.columns);
        result = await this.driver!.showRows(rows);
      } else if (face.kind === 'call' || face.kind === 'serving') result = await this.driver!.show({ number: face.number, window: face.window });
      else result = await this.driver!.clear();
      if (result.ok) return { kind: 'ok' };
      if (result.code === 'write-failed') return await this.reopen();
      return { kind: 'fault', code: result.code ?? 'write-failed' };
    } catch (error) {
      this.log(`the number display failed: ${error}`);
      return await this.reopen();
    }
  }

  /**
   * A line that took no bytes is let go of and opened again at once. A display unplugged under the
   * write (its port gone, the write failing before the line's close is heard) cannot be: it is
   * offline now, as the printer is, not `write-failed` until the next try.
   */
  private async reopen(): Promise<DeviceState> {
    await this.drop();
    return (await this.open()) ? { kind: 'fault', code: 'write-failed' } : this.offline();
  }

  private offline(): DeviceState {
    return { kind: 'fault', code: 'offline', ...this.openFailure.said() };
  }

  private async drop(): Promise<void> {
    const l = this.link;
    this.link = undefined;
    this.driver = undefined;
    await l?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening;
    await this.drop();
  }
}

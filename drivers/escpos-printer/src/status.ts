/** DLE EOT n: real-time status transmission (ESC/POS). Each reply byte has bits 1 and 4 set, bits 0 and 7 clear. */
export const DLE_EOT_ALL = Buffer.from([0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04]);

export function isStatusByte(byte: number): boolean {
  return (byte & 0x93) === 0x12;
}

/**
 * XON (0x11) and XOFF (0x13): a printer set to software flow control sends them whenever its buffer
 * fills and empties, answers or not. They are not status (bit 0 is on) and not noise either.
 */
export function isFlowControl(byte: number): boolean {
  return byte === 0x11 || byte === 0x13;
}

export interface PrinterStatus {
  offline: boolean;
  coverOpen: boolean;
  /** Printing stopped because the paper ran out (DLE EOT 2 bit 5) or the roll sensor reads empty (DLE EOT 4 bits 5,6). */
  paperEnd: boolean;
  paperNearEnd: boolean;
  cutterError: boolean;
  unrecoverableError: boolean;
  autoRecoverableError: boolean;
  /** The four reply bytes as read, for logs. */
  raw: [number, number, number, number];
}

/** Decodes the replies to DLE EOT 1, 2, 3 and 4, in that order. */
export function decodeStatus(printer: number, offlineCause: number, errorCause: number, paper: number): PrinterStatus {
  return {
    offline: (printer & 0x08) !== 0,
    coverOpen: (offlineCause & 0x04) !== 0,
    paperEnd: (offlineCause & 0x20) !== 0 || (paper & 0x60) !== 0,
    paperNearEnd: (paper & 0x0c) !== 0,
    cutterError: (errorCause & 0x08) !== 0,
    unrecoverableError: (errorCause & 0x20) !== 0,
    autoRecoverableError: (errorCause & 0x40) !== 0,
    raw: [printer, offlineCause, errorCause, paper],
  };
}

/** The inverse of decodeStatus, used by the simulator to answer. */
export function encodeStatus(s: Omit<PrinterStatus, 'raw'>): [number, number, number, number] {
  const printer = 0x12 | (s.offline ? 0x08 : 0);
  const offlineCause = 0x12 | (s.coverOpen ? 0x04 : 0) | (s.paperEnd ? 0x20 : 0) | (s.offline ? 0x40 : 0);
  const errorCause = 0x12 | (s.cutterError ? 0x08 : 0) | (s.unrecoverableError ? 0x20 : 0) | (s.autoRecoverableError ? 0x40 : 0);
  const paper = 0x12 | (s.paperNearEnd || s.paperEnd ? 0x0c : 0) | (s.paperEnd ? 0x60 : 0);
  return [printer, offlineCause, errorCause, paper];
}

export const PRINT_FAILURE_CODES = ['cover-open', 'paper-end', 'cutter-error', 'unrecoverable-error', 'offline', 'timeout', 'write-failed', 'status-unavailable', 'status-unknown'] as const;
export type PrintFailureCode = (typeof PRINT_FAILURE_CODES)[number];

/** The one reason a printer cannot print now, most specific first; undefined when it can. */
export function faultOf(s: PrinterStatus): PrintFailureCode | undefined {
  if (s.coverOpen) return 'cover-open';
  if (s.paperEnd) return 'paper-end';
  if (s.cutterError) return 'cutter-error';
  if (s.unrecoverableError) return 'unrecoverable-error';
  if (s.offline || s.autoRecoverableError) return 'offline';
  return undefined;
}

export { TicketPrinter, PrintError, type Printed, type StatusResult, type TicketPrinterOptions, type Written, type AfterWriteCode, AFTER_WRITE_CODES } from './printer';
export { PROFILES, type PrinterProfile, type ProfileId } from './profiles';
export { decodeStatus, encodeStatus, faultOf, isStatusByte, DLE_EOT_ALL, PRINT_FAILURE_CODES, type PrinterStatus, type PrintFailureCode } from './status';
export { encodeDocument, qrCommand, cutCommand, CHINESE_MODE_ON, EncodeError, DOCUMENT_CODES, type DocumentCode } from './encode';
export {
  ticket,
  oneTimeNotice,
  correctionNotice,
  acceptanceNotice,
  rejectionNotice,
  formatIssuedAt,
  describeMaterial,
  type Block,
  type PrintDocument,
  type TicketInput,
  type NoticeContext,
  type MissingMaterial,
  type Align,
} from './documents';
export { STRINGS, FORBIDDEN_PHRASES, forbiddenPhraseIn, t, type Lang, type StringKey } from './strings';
export { wrap, columns, encodeText, PRINTER_ENCODING } from './text';
export { ReopeningPrinter, PRINTER_CODES, profileByName, printerProfileProblem, healthOf, healthAfter, type PrinterLine, type PrinterHealth, type LinePrintOutcome } from './line';

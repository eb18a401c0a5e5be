/** What differs between printer models, as data (python-escpos's capability profiles). */
export interface PrinterProfile {
  id: string;
  paperWidthMm: 58 | 80;
  /** Font A columns; a GBK character takes two. */
  charsPerLine: number;
  /** How the printer enters double-byte Chinese mode; 'none' means it cannot print Chinese. */
  chineseMode: 'fs-and' | 'none';
  qr: boolean;
  cut: 'full' | 'partial' | 'none';
  /** Lines fed before the cut so the last printed line clears the cutter. */
  feedBeforeCut: number;
  /** QR module size in dots (GS ( k fn 67). */
  qrModule: number;
  /** Text size multiplier of the big ticket number. */
  numberSize: number;
}

export type ProfileId = 'generic-58' | 'generic-80' | 'no-cutter-58';

export const PROFILES: Record<ProfileId, PrinterProfile> = {
  'generic-58': { id: 'generic-58', paperWidthMm: 58, charsPerLine: 32, chineseMode: 'fs-and', qr: true, cut: 'partial', feedBeforeCut: 3, qrModule: 5, numberSize: 3 },
  'generic-80': { id: 'generic-80', paperWidthMm: 80, charsPerLine: 48, chineseMode: 'fs-and', qr: true, cut: 'partial', feedBeforeCut: 3, qrModule: 6, numberSize: 4 },
  'no-cutter-58': { id: 'no-cutter-58', paperWidthMm: 58, charsPerLine: 32, chineseMode: 'fs-and', qr: false, cut: 'none', feedBeforeCut: 4, qrModule: 4, numberSize: 3 },
};

import { z } from 'zod';

// Text typed by people (a reason, a note, a complaint, a name) ends up on screens, printed notices and
// exported workbooks. Pasted from another program it can hold control characters: screens show nothing
// for them, a printer takes them as commands (ESC @ resets it, GS V cuts the paper), a workbook cell
// breaks. A field of one line holds none; a note of several lines keeps its line breaks and tabs.

/** C0 and C1 control characters, line breaks and tab included: none belongs in a field of one line. */
export const LINE_CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
/** C0 and C1 control characters but the tab and line breaks: none belongs in a note of several lines. */
export const NOTE_CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** The hints a refusal says (the hub's schema words give each in Chinese too). */
export const ONE_LINE_HINT = 'one line of text without control characters';
export const NOTE_HINT = 'text without control characters (line breaks are kept)';

/** Free text, trimmed, from `min` to `max` characters, in which a character `control` finds is refused with `hint`. */
const heldTo = (control: RegExp, hint: string) => (max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((t) => !control.test(t), hint);

/** Free text of one line: a control character, a line break too, is refused, saying so. */
export const lineText = heldTo(LINE_CONTROL_CHARACTER, ONE_LINE_HINT);
/** A note of several lines: a control character other than a line break or tab is refused, saying so. */
export const noteText = heldTo(NOTE_CONTROL_CHARACTER, NOTE_HINT);

/** A citizen's text with its control characters left out (line breaks too where `lines` is false): a citizen is not asked to delete what they cannot see. */
export function withoutControls(text: string, lines: boolean): string {
  const kept = text.replace(new RegExp(NOTE_CONTROL_CHARACTER.source, 'g'), '');
  return lines ? kept : kept.replace(/[\t\r\n]+/g, ' ');
}

/** A citizen's free text (a rating's words, its reasons): control characters left out rather than refused, then trimmed. */
export const citizenText = (max: number, lines: boolean, min = 0) =>
  z
    .string()
    .overwrite((t) => withoutControls(t, lines))
    .trim()
    .min(min)
    .max(max);

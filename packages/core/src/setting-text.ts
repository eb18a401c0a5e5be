import { printParseErrorCode, visit } from 'jsonc-parser';

/**
 * Settings as an installer types them, for the hub and the terminals alike: a switch's yes or no
 * (an environment variable), and where a settings file's JSON goes wrong.
 */

const SWITCH_ON = ['1', 'true', 'yes', 'on'];
const SWITCH_OFF = ['0', 'false', 'no', 'off'];

/** The spellings a switch takes, as the READMEs and the refusals say them. */
export const SWITCH_SPELLINGS = { on: SWITCH_ON.join('/'), off: SWITCH_OFF.join('/') };

/**
 * A switch's value from its text: 1/true/yes/on or 0/false/no/off in any case, spaces around left
 * out; undefined for any other text, which is to be refused (yes was read as off, without a word).
 */
export function switchValue(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  return SWITCH_ON.includes(word) ? true : SWITCH_OFF.includes(word) ? false : undefined;
}

/** What is wrong with a switch's text, naming its variable: Chinese, then English. */
export function switchProblem(name: string, text: string): { zh: string; en: string } {
  return {
    zh: `${name} 应为 ${SWITCH_SPELLINGS.on}（开）或 ${SWITCH_SPELLINGS.off}（关），而不是“${text}”`,
    en: `${name} is ${SWITCH_SPELLINGS.on} (on) or ${SWITCH_SPELLINGS.off} (off), not "${text}"`,
  };
}

/** Where a settings file's JSON goes wrong: its line and column (from 1), and what is wrong there, Chinese then English. */
export interface JsonSyntaxProblem {
  line: number;
  column: number;
  zh: string;
  en: string;
}

type Why = keyof typeof WHY;

const WHY = {
  empty: ['内容是空的，应为一个 JSON 对象 { … }', 'it is empty: it should hold one JSON object { … }'],
  end: ['内容没有写完：到末尾还缺少 {closers}', 'the text ends too soon: {closers} still missing at its end'],
  trailingComma: ['最后一项后面多了一个逗号（JSON 不允许），请删去', 'a comma after the last item (JSON allows none): remove it'],
  missingComma: ['前一项后面缺少逗号', 'a comma is missing after the item before'],
  key: ['名称要用英文双引号括起来，如 "hubUrl"', 'a name must be in double quotes, e.g. "hubUrl"'],
  colon: ['名称后面缺少英文冒号 :', 'a colon is missing after the name'],
  singleQuote: ['JSON 只能用英文双引号 "，不能用单引号', 'JSON takes double quotes only, not single quotes'],
  fullWidth: ['用了中文标点“{char}”，请改为英文标点', 'a Chinese punctuation mark "{char}": use its English one'],
  comment: ['JSON 不能有注释（// 或 /* */），请删去', 'JSON has no comments (// or /* */): remove it'],
  value: ['这里应是一个值：带英文双引号的文字、数字、true、false、null、{ … } 或 [ … ]', 'a value is expected here: text in double quotes, a number, true, false, null, { … } or [ … ]'],
  unclosed: ['引号里的文字在本行没有结束：缺少右边的英文双引号 "', 'text in quotes is not closed on its line: the closing " is missing'],
  escape: ['反斜杠 \\ 在引号里要写两个：Windows 路径写成 C:\\\\servicehall 或 C:/servicehall', 'a backslash in quotes is written twice: a Windows path as C:\\\\servicehall or C:/servicehall'],
  control: ['引号里有制表符或其他控制字符，请删去或改为空格', 'a tab or another control character in quotes: remove it or use a space'],
  after: ['JSON 对象结束后还有多余的内容', 'more text after the end of the JSON'],
  number: ['数字的写法有误：写成 128、1.5、-1 或 1e3 这样（小数点两边都要有数字，不能有多余的 0 开头，不能带 + 号）', 'a number is not written right: write it as 128, 1.5, -1 or 1e3 (digits on both sides of a point, no leading 0, no + sign)'],
  bom: ['开头有一个看不见的字节顺序标记（BOM），请删去它，或把文件另存为“UTF-8（无 BOM）”', 'it begins with an invisible byte order mark (BOM): remove it, or save the file as UTF-8 without BOM'],
} as const;

const FULL_WIDTH = '“”‘’，：｛｝［］【】';

/** What the reader was after when it met a symbol it does not know: jsonc-parser's InvalidSymbol says only that the symbol is wrong. */
type Expect = 'key' | 'colon' | 'value' | 'missingComma' | 'after';

/** The characters a JSON number is written with, and those it may begin with. */
const IN_NUMBER = /[0-9.eE+-]/;
const STARTS_NUMBER = /[0-9.+-]/;

/** Where the number that the character at `at` belongs to begins. */
function numberStart(text: string, at: number): number {
  let start = at;
  while (start > 0 && IN_NUMBER.test(text[start - 1]!)) start -= 1;
  return start;
}

/** Where jsonc-parser stops first, and why in the hall's words; the character there says more than the code where it can. */
function firstStop(text: string): { at: number; why: Why; closers: string } | undefined {
  // Copied from a file an editor saved with a byte order mark (a settings file read as UTF-8 has it taken off already).
  if (text.charCodeAt(0) === 0xfeff) return { at: 0, why: 'bom', closers: '"' };
  const open: ('}' | ']')[] = [];
  let expect: Expect = 'value';
  const ended = () => {
    expect = open.length ? 'missingComma' : 'after';
  };
  const errors: { code: ReturnType<typeof printParseErrorCode>; at: number; length: number; expect: Expect }[] = [];
  try {
    visit(
      text,
      {
        onObjectBegin: () => {
          open.push('}');
          expect = 'key';
        },
        onArrayBegin: () => {
          open.push(']');
          expect = 'value';
        },
        onObjectEnd: () => {
          open.pop();
          ended();
        },
        onArrayEnd: () => {
          open.pop();
          ended();
        },
        onObjectProperty: () => {
          expect = 'colon';
        },
        onSeparator: (c) => {
          expect = c === ',' && open.at(-1) === '}' ? 'key' : 'value';
        },
        onLiteralValue: ended,
        onError: (code, at, length) => errors.push({ code: printParseErrorCode(code), at, length, expect }),
      },
      { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
    );
  } catch {
    // Nesting deeper than the call stack: said where the reader got to, if anywhere.
  }
  const first = errors[0];
  if (!first) return undefined;
  const { code, at, length } = first;
  // What the reader still waits for at the end: one CloseBrace/BracketExpected per container left open, innermost first.
  const closers = errors
    .filter((e) => e.at === text.length && (e.code === 'CloseBraceExpected' || e.code === 'CloseBracketExpected'))
    .map((e) => (e.code === 'CloseBraceExpected' ? '}' : ']'))
    .join(' ') || '"';
  if (!text.trim()) return { at, why: 'empty', closers };
  // The library points at the whole string token: said at the first backslash that starts no escape, or the first control character.
  if (code === 'InvalidEscapeCharacter' || code === 'InvalidUnicode' || code === 'InvalidCharacter') {
    const escape = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
    for (let i = at + 1; i < at + length; i++) {
      if (text.charCodeAt(i) < 0x20) return { at: i, why: 'control', closers };
      if (text[i] !== '\\') continue;
      escape.lastIndex = i;
      if (!escape.test(text)) return { at: i, why: 'escape', closers };
      i = escape.lastIndex - 1;
    }
    return { at, why: code === 'InvalidCharacter' ? 'control' : 'escape', closers };
  }
  if (code === 'UnexpectedEndOfString') return { at, why: 'unclosed', closers };
  // 1. or 1e (ended too soon), .5 or +1 (a symbol where a value begins), 03 or 1.5.2 (more after a whole number): said at the number's start.
  if (code === 'UnexpectedEndOfNumber') return { at, why: 'number', closers };
  if ((code === 'InvalidSymbol' || code === 'CommaExpected') && at < text.length && STARTS_NUMBER.test(text[at]!) && (code === 'InvalidSymbol' ? first.expect === 'value' || IN_NUMBER.test(text[at - 1] ?? '') : /[0-9]/.test(text[at - 1] ?? '')))
    return { at: numberStart(text, at), why: 'number', closers };
  if (code === 'InvalidCommentToken' || code === 'UnexpectedEndOfComment') return { at, why: 'comment', closers };
  if (at >= text.length) return { at, why: 'end', closers };
  const c = text[at]!;
  if (FULL_WIDTH.includes(c)) return { at, why: 'fullWidth', closers };
  if (c === "'") return { at, why: 'singleQuote', closers };
  if ((c === '}' || c === ']') && (code === 'PropertyNameExpected' || code === 'ValueExpected')) {
    const comma = text.slice(0, at).trimEnd().length - 1;
    // Said where the comma is, not at the bracket after it (the next line, often).
    if (text[comma] === ',') return { at: comma, why: 'trailingComma', closers };
  }
  const why: Why =
    code === 'CommaExpected' ? 'missingComma'
    : code === 'ColonExpected' ? 'colon'
    : code === 'PropertyNameExpected' ? 'key'
    : code === 'EndOfFileExpected' ? 'after'
    : code === 'InvalidSymbol' ? first.expect
    : 'value';
  return { at, why, closers };
}

/**
 * Where JSON that JSON.parse refused goes wrong, by line and column (and the line itself when it is
 * short), with what is wrong there in the hall's words: a comma too many or missing, a name without
 * quotes, Chinese punctuation, a comment, a Windows path's single backslash. Undefined for JSON that
 * is right, or too deeply nested to scan.
 */
export function jsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  // JSON.parse judges whether there is a problem; the library only says where and why.
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    // refused: find where
  }
  const stop = firstStop(text);
  if (!stop) return undefined;
  const before = text.slice(0, stop.at);
  const line = before.split('\n').length;
  const column = stop.at - (before.lastIndexOf('\n') + 1) + 1;
  const lineText = (text.split('\n')[line - 1] ?? '').replace(/\r$/, '').trim();
  const [zh, en] = WHY[stop.why].map((words) => words.replace('{closers}', stop.closers).replace('{char}', text[stop.at] ?? ''));
  const shown = lineText && lineText.length <= 60;
  return {
    line,
    column,
    zh: `第 ${line} 行第 ${column} 列：${zh}${shown ? `（该行：${lineText}）` : ''}`,
    en: `line ${line}, column ${column}: ${en}${shown ? ` (the line: ${lineText})` : ''}`,
  };
}

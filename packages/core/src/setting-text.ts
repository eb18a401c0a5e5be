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
} as const;

const FULL_WIDTH = '“”‘’，：｛｝［］【】';

class Stop {
  constructor(
    readonly at: number,
    readonly why: Why,
    readonly char = '',
  ) {}
}

/** A strict JSON reader that only finds where reading stops, and why: JSON.parse says a character offset, or in some forms nothing. */
class JsonScan {
  i = 0;
  readonly open: string[] = [];
  constructor(readonly text: string) {}

  stop(why: Why, at = this.i): never {
    throw new Stop(at, why, this.text[at] ?? '');
  }

  space(): void {
    for (;;) {
      const c = this.text[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++;
      else if (c === '/' && (this.text[this.i + 1] === '/' || this.text[this.i + 1] === '*')) this.stop('comment');
      else return;
    }
  }

  /** A character where it is not taken: end, Chinese punctuation, a single quote, or `otherwise`. */
  unexpected(otherwise: Why): never {
    const c = this.text[this.i];
    if (c === undefined) this.stop('end');
    if (FULL_WIDTH.includes(c)) this.stop('fullWidth');
    if (c === "'") this.stop('singleQuote');
    this.stop(otherwise);
  }

  value(): void {
    this.space();
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    for (const word of ['true', 'false', 'null'])
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    number.lastIndex = this.i;
    if (c !== undefined && number.test(this.text)) {
      this.i = number.lastIndex;
      return;
    }
    this.unexpected('value');
  }

  /** The items of an object or an array up to its closer, each read by `item`. */
  items(closer: '}' | ']', item: () => void): void {
    this.open.push(closer);
    this.i++;
    this.space();
    if (this.text[this.i] === closer) {
      this.i++;
      this.open.pop();
      return;
    }
    for (;;) {
      item();
      this.space();
      const c = this.text[this.i];
      if (c === closer) {
        this.i++;
        this.open.pop();
        return;
      }
      if (c !== ',') this.unexpected('missingComma');
      const comma = this.i++;
      this.space();
      // Said where the comma is, not at the bracket after it (the next line, often).
      if (this.text[this.i] === '}' || this.text[this.i] === ']') this.stop('trailingComma', comma);
    }
  }

  object(): void {
    this.items('}', () => {
      this.space();
      if (this.text[this.i] !== '"') this.unexpected('key');
      this.string();
      this.space();
      if (this.text[this.i] !== ':') this.unexpected('colon');
      this.i++;
      this.value();
    });
  }

  array(): void {
    this.items(']', () => this.value());
  }

  string(): void {
    const start = this.i++;
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined || c === '\n' || c === '\r') this.stop('unclosed', start);
      if (c === '"') {
        this.i++;
        return;
      }
      if (c === '\\') {
        const next = this.text[this.i + 1] ?? '';
        if ('"\\/bfnrt'.includes(next) && next !== '') this.i += 2;
        else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) this.i += 6;
        else this.stop('escape');
      } else if (c < ' ') this.stop('control');
      else this.i++;
    }
  }

  whole(): void {
    this.space();
    if (this.i === this.text.length) this.stop('empty');
    this.value();
    this.space();
    if (this.i < this.text.length) this.stop('after');
  }
}

/**
 * Where JSON that JSON.parse refused goes wrong, by line and column (and the line itself when it is
 * short), with what is wrong there in the hall's words: a comma too many or missing, a name without
 * quotes, Chinese punctuation, a comment, a Windows path's single backslash. Undefined for JSON that
 * is right, or too deeply nested to scan.
 */
export function jsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  const scan = new JsonScan(text);
  let stop: Stop;
  try {
    scan.whole();
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) return undefined;
    stop = error;
  }
  const before = text.slice(0, stop.at);
  const line = before.split('\n').length;
  const column = stop.at - (before.lastIndexOf('\n') + 1) + 1;
  const lineText = (text.split('\n')[line - 1] ?? '').replace(/\r$/, '').trim();
  const closers = scan.open.slice().reverse().join(' ') || '"';
  const [zh, en] = WHY[stop.why].map((words) => words.replace('{closers}', closers).replace('{char}', stop.char));
  const shown = lineText && lineText.length <= 60;
  return {
    line,
    column,
    zh: `第 ${line} 行第 ${column} 列：${zh}${shown ? `（该行：${lineText}）` : ''}`,
    en: `line ${line}, column ${column}: ${en}${shown ? ` (the line: ${lineText})` : ''}`,
  };
}

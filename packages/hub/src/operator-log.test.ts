import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.dirname(fileURLToPath(import.meta.url));

/**
 * Messages passed to the log as a variable, which the scan cannot read: each made in Chinese first,
 * then English, where it comes from. Any other variable is a finding.
 */
const ALLOWED: Record<string, Record<string, string>> = {
  'cli.ts': {
    warning: "core's hallSetupWarnings: each Chinese, then ' / ' and English",
    'error.message': "a HubRefusal's message: opsText (or a Chinese line, then an English one)",
  },
  'server.ts': {
    m: "the hub's warn: its callers (capsLowered, noTls, the data folder's and the key's warnings in files.ts) give it opsText",
    message: 'damageMessage: opsText',
  },
  'backup.ts': {
    failed: "a scheduled backup's failure (failedText): opsText('backupFailed'), or the refusal's own text, already Chinese then English (backupRefusal's opsText)",
  },
  'checkpoints.ts': {
    m: "the checkpointer's warn: its callers give it opsText (checkpointsInCommits, checkpointsBack)",
  },
};

const CJK = /[\u3400-\u9fff\uff00-\uffef]/;
const CALL = /\blog\.(info|warn|error|fatal)\(/g;

/** The top-level arguments of the call whose `(` is at `open`, as source text. */
function argumentsAt(source: string, open: number): string[] {
  const args: string[] = [];
  // What the scanner is inside: brackets, a string, or a template (and `${` in it).
  const stack: string[] = [];
  let start = open + 1;
  for (let i = open + 1; i < source.length; i++) {
    const c = source[i]!;
    const top = stack.at(-1);
    if (top === "'" || top === '"') {
      if (c === '\\') i++;
      else if (c === top) stack.pop();
      continue;
    }
    if (top === '`') {
      if (c === '\\') i++;
      else if (c === '`') stack.pop();
      else if (c === '$' && source[i + 1] === '{') {
        stack.push('${');
        i++;
      }
      continue;
    }
    if (c === "'" || c === '"' || c === '`') stack.push(c);
    else if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c === '}' && top === '${') stack.pop();
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.length === 0) {
        args.push(source.slice(start, i).trim());
        return args.filter((a) => a !== '');
      }
      stack.pop();
    } else if (c === ',' && stack.length === 0) {
      args.push(source.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new Error(`unclosed call at ${open}`);
}

/** Where `text` splits at its top-level `?` and `:` (a conditional), or undefined. */
function branches(text: string): [string, string] | undefined {
  let depth = 0;
  let quote = '';
  let question = -1;
  let nested = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && c === '?' && text[i + 1] !== '.' && text[i + 1] !== '?') {
      if (question < 0) question = i;
      else nested++;
    } else if (depth === 0 && c === ':' && question >= 0) {
      if (nested > 0) nested--;
      else return [text.slice(question + 1, i).trim(), text.slice(i + 1).trim()];
    }
  }
  return undefined;
}

/** Why a log message is not said to an operator in Chinese first, or undefined when it is. */
function fault(message: string | undefined, allowed: Record<string, string>): string | undefined {
  if (message === undefined) return 'no message';
  const either = branches(message);
  if (either) return fault(either[0], allowed) ?? fault(either[1], allowed);
  if (/^opsText\(/.test(message) && argumentsEnd(message) === message.length) return undefined;
  // In Chinese too, a literal is said outside OPS_TEXT, where ops-strings.test.ts checks both languages and the forbidden phrases.
  if (/^(['"`])[^]*\1$/.test(message)) return `${CJK.test(message) ? 'a literal, not opsText' : 'English only'}: ${message.slice(0, 80)}`;
  if (/^[\w.]+$/.test(message) && allowed[message]) return undefined;
  return `a message the scan cannot read (make it with opsText, or list it in ALLOWED with its reason): ${message.slice(0, 80)}`;
}

/** Where the call that `text` begins with ends. */
function argumentsEnd(text: string): number {
  const open = text.indexOf('(');
  let depth = 0;
  let quote = '';
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

/** Each log.info/warn/error/fatal call of a source that does not speak to the operator in Chinese first: `line: why`. */
function findings(source: string, allowed: Record<string, string> = {}): { calls: number; faults: string[] } {
  const faults: string[] = [];
  let calls = 0;
  for (const match of source.matchAll(CALL)) {
    const at = match.index;
    const lineStart = source.lastIndexOf('\n', at) + 1;
    const before = source.slice(lineStart, at);
    // In a comment: not a call.
    if (/^\s*(\*|\/\*|\/\/)/.test(before) || before.includes('//')) continue;
    calls++;
    const args = argumentsAt(source, at + match[0].length - 1);
    // pino: log.x(message) or log.x(fields, message).
    const message = args.length >= 2 ? args[1] : args[0]?.startsWith('{') ? undefined : args[0];
    const why = fault(message, allowed);
    if (why) faults.push(`${source.slice(0, at).split('\n').length}: ${why}`);
  }
  return { calls, faults };
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(file);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [file] : [];
  });
}

describe("the hub's log, as its operator reads it", () => {
  it('says every info, warning, error and fatal line in Chinese first, then English, through opsText: none in English only, none a literal', () => {
    const found: string[] = [];
    let calls = 0;
    for (const file of sources(SRC)) {
      const name = path.relative(SRC, file);
      const { calls: n, faults } = findings(fs.readFileSync(file, 'utf8'), ALLOWED[name]);
      calls += n;
      found.push(...faults.map((f) => `${name}:${f}`));
    }
    // The scan reads the hub's calls (there are dozens), not none.
    expect(calls).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });

  it('finds an English-only line, a literal in both languages, a variable it was not told of, and lets through opsText and the listed variables', () => {
    const source = [
      "log.info({ seq }, 'the hub started');",
      'log.warn(`the standby ${name} has gone`);',
      "log.error({ err }, opsText('hubStopped', { seq: 1 }));",
      "log.info(name ? opsText('hubStarted', { hall: name }) : 'not set up yet');",
      "log.warn('一次性设置码 / one-time setup code');",
      '// log.error(\'in a comment\')',
      'log.fatal(message);',
      'log.fatal(warning);',
      "log.error(\n  { err },\n  'on a later line',\n);",
    ].join('\n');
    const { calls, faults } = findings(source, { warning: 'said in both languages' });
    expect(calls).toBe(8);
    expect(faults.map((f) => f.replace(/:.*/s, ''))).toEqual(['1', '2', '4', '5', '7', '9']);
    expect(faults[0]).toMatch(/English only: 'the hub started'/);
    expect(faults[3]).toMatch(/a literal, not opsText: '一次性设置码/);
    expect(faults[4]).toMatch(/cannot read .*: message$/);
  });
});

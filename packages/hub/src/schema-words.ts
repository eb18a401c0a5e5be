import { NOTE_HINT, ONE_LINE_HINT, shownAsSent, type Language } from '@servicehall/core';
import type { z } from 'zod';
import type { Bilingual } from './ops-strings';

/** Problems of a body said one by one; the others are counted. */
const SAID = 3;


/** The value sent at a path of the body, to say what kind of thing came instead of what was asked. */
function at(json: unknown, path: readonly PropertyKey[]): unknown {
  let v = json;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function kindOf(v: unknown): Bilingual {
  if (v === null) return { 'zh-CN': '空值 null', en: 'null' };
  if (Array.isArray(v)) return { 'zh-CN': '列表', en: 'a list' };
  switch (typeof v) {
    case 'string':
      return { 'zh-CN': '带引号的文字', en: 'text in quotes' };
    case 'number':
      return { 'zh-CN': '数字', en: 'a number' };
    case 'boolean':
      return { 'zh-CN': 'true/false', en: 'true or false' };
    default:
      return { 'zh-CN': '对象', en: 'an object' };
  }
}

const EXPECTED: Record<string, Bilingual> = {
  string: { 'zh-CN': '文字（加引号）', en: 'text (in quotes)' },
  number: { 'zh-CN': '数字（不加引号）', en: 'a number (without quotes)' },
  int: { 'zh-CN': '整数（不加引号）', en: 'a whole number (without quotes)' },
  boolean: { 'zh-CN': 'true 或 false', en: 'true or false' },
  array: { 'zh-CN': '列表（JSON 数组 […]）', en: 'a list (a JSON array […])' },
  object: { 'zh-CN': 'JSON 对象（{…}）', en: 'a JSON object ({…})' },
  record: { 'zh-CN': 'JSON 对象（{…}）', en: 'a JSON object ({…})' },
};

/** A word after Chinese: one that begins with Latin letters or digits (JSON, true, 0) is set apart by a space. */
const spaced = (w: string) => (/^[A-Za-z0-9]/.test(w) ? ` ${w}` : w);

/** The schemas' own hints (written in English beside their rules), as a Chinese reader reads them. */
const HINTS_ZH: Record<string, string> = {
  '4 to 8 digits': '4 到 8 位数字',
  '6 digits': '6 位数字',
  'one or two capital letters': '一到两个大写字母',
  'a day as YYYY-MM-DD': '写作 YYYY-MM-DD 的日期',
  'a tracking number of 6 to 40 letters and digits': '6 到 40 位字母、数字组成的运单号',
  // Text pasted from another program can hold invisible control characters that screens cannot show and printers take as commands.
  [ONE_LINE_HINT]: '一行文字，不含看不见的控制字符（可能是从其他程序粘贴来的，请删除后重新输入）',
  [NOTE_HINT]: '不含看不见的控制字符的文字（可以换行；控制字符可能是从其他程序粘贴来的，请删除后重新输入）',
};
const hintZh = (hint: string) => HINTS_ZH[hint] ?? hint;

/** zod's own sentences (Invalid input: expected …), which say nothing a caller can act on; a schema's own hint (4 to 8 digits) is kept. */
const ZODS_OWN = /^(Invalid|Too (big|small)|Unrecognized)/;

const listed = (values: readonly unknown[], language: Language) =>
  values
    .slice(0, 10)
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
    .join(language === 'en' ? ', ' : '、') + (values.length > 10 ? '…' : '');

/** One problem of a body in the caller's words: the field, what it must be and, where it helps, what came instead. */
export function problemWords(issue: z.core.$ZodIssue, json: unknown): Bilingual {
  // A record's key is the caller's own text (a day of a calendar): said short and on one line, as sent.
  const field = issue.path.length ? issue.path.map((k) => (typeof k === 'string' ? shownAsSent(k) : String(k))).join('.') : undefined;
  const name: Bilingual = field ? { 'zh-CN': `字段 ${field} `, en: field } : { 'zh-CN': '请求内容', en: 'The request body' };
  const v = at(json, issue.path);
  const say = (zh: string, en: string): Bilingual => ({ 'zh-CN': `${name['zh-CN']}${zh}`, en: `${name.en} ${en}` });
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected];
      if (v === undefined) return expected ? say(`未填写：应为${spaced(expected['zh-CN'])}`, `is missing: it is ${expected.en}`) : say('未填写', 'is missing');
      if (!expected) return say('不正确', 'is not valid');
      if (issue.expected === 'int' && typeof v === 'number') return say(`应为整数，不能带小数`, `must be a whole number, without a fraction`);
      const sent = kindOf(v);
      return say(`应为${spaced(expected['zh-CN'])}，发送的是${spaced(sent['zh-CN'])}`, `must be ${expected.en}, not ${sent.en}`);
    }
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'string') return n <= 1 ? say('不能为空', 'cannot be empty') : say(`至少 ${n} 个字符`, `must have at least ${n} characters`);
      if (issue.origin === 'array' || issue.origin === 'set') return say(`至少要有 ${n} 项`, `must have at least ${n} item(s)`);
      return issue.inclusive ? say(`不能小于 ${n}`, `must be at least ${n}`) : say(`应大于 ${n}`, `must be more than ${n}`);
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      if (issue.origin === 'string') {
        const sent = typeof v === 'string' ? v.length : undefined;
        return say(`最多 ${n} 个字符${sent !== undefined ? `，发送了 ${sent} 个` : ''}`, `must have at most ${n} characters${sent !== undefined ? ` (${sent} were sent)` : ''}`);
      }
      if (issue.origin === 'array' || issue.origin === 'set') return say(`最多 ${n} 项`, `must have at most ${n} items`);
      if (n >= Number.MAX_SAFE_INTEGER) return say('数值过大', 'is too large a number');
      return issue.inclusive ? say(`不能大于 ${n}`, `must be at most ${n}`) : say(`应小于 ${n}`, `must be less than ${n}`);
    }
    case 'invalid_value':
      return say(`应为 ${listed(issue.values, 'zh-CN')} 之一`, `must be one of ${listed(issue.values, 'en')}`);
    case 'unrecognized_keys':
      return say(`中有不认识的字段：${issue.keys.map((k) => shownAsSent(k)).join('、')}`, `has field(s) it does not know: ${issue.keys.map((k) => shownAsSent(k)).join(', ')}`);
    case 'invalid_key': {
      // A key of a record (a calendar's day) not of its form: said with the key's own hint (a day as YYYY-MM-DD).
      const hint = issue.issues.map((i) => i.message).find((m) => !ZODS_OWN.test(m));
      return hint ? say(`的格式不正确：应为${spaced(hintZh(hint))}`, `is not in the right form: ${hint}`) : say('的格式不正确', 'is not in the right form');
    }
    default: {
      // The schema's own hint (4 to 8 digits, 6 digits) says what to type; zod's own sentence does not.
      const hint = ZODS_OWN.test(issue.message) ? undefined : issue.message;
      return hint ? say(`不正确：应为${spaced(hintZh(hint))}`, `is not valid: ${hint}`) : say('的格式不正确', 'is not in the right form');
    }
  }
}

/**
 * What is wrong with a body its schema refused, in the caller's words: each field named with what it
 * must be (at most three, the rest counted), for the `message` (English) and `text` (the caller's language).
 */
export function schemaProblems(error: z.ZodError, json: unknown): { message: string; text: Bilingual } {
  const firstByPath = new Map<string, z.core.$ZodIssue>();
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.');
    if (!firstByPath.has(key)) firstByPath.set(key, issue);
  }
  const words = [...firstByPath.values()].map((i) => problemWords(i, json));
  const said = words.slice(0, SAID);
  const more = words.length - said.length;
  const en = `${said.map((w) => w.en).join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
  return {
    message: en,
    text: {
      'zh-CN': `${said.map((w) => w['zh-CN']).join('；')}${more > 0 ? `；另有 ${more} 处` : ''}。未作任何更改，请改正后再试。`,
      en: `${en}. Nothing was changed; please correct it and try again.`,
    },
  };
}

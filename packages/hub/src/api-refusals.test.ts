import { REFUSAL_TEXT } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from './server';
import { firstAdmin, type TestConsole } from './testing/console';

/**
 * Every operation of the hub's own OpenAPI document, sent what integrators' scripts, a console typed
 * into wrongly and strangers send: each refusal is a 4xx saying, in the caller's language, what is wrong.
 */
const TOKEN = 'hall-token-for-api-refusal-sweep';
const PLENTY = { perMinute: 1_000_000, burst: 100_000 };
let hub: RunningHub;
let dir: string;
let admin: TestConsole;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-refusals-'));
  hub = await startHub({
    dataDir: dir,
    token: TOKEN,
    clock: () => Date.parse('2026-11-27T09:00:00+08:00'),
    limits: { commands: 'off', pages: PLENTY, complaints: PLENTY, phone: { read: PLENTY, watch: PLENTY, code: PLENTY, write: PLENTY, cases: PLENTY } },
  });
  admin = await firstAdmin(hub, demoCatalogue({ allDay: true }));
});

afterAll(async () => {
  await hub?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[]; anyOf?: Schema[]; oneOf?: Schema[]; minLength?: number; maxLength?: number; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number; minItems?: number; const?: unknown; default?: unknown };
interface Op {
  method: string;
  path: string;
  operationId: string;
  params: string[];
  query: string[];
  body?: Schema;
  file: boolean;
  auth: 'public' | 'session' | 'token';
}
interface Case {
  op: Op;
  what: string;
  path: string;
  body?: string;
  /** The document itself says this is wrong: anything but a 4xx is a fault. Else the hub may take it (an unknown field passed over). */
  wrong: boolean;
  /** NaN sent by the caller, which a refusal may quote back. */
  sendsNaN?: boolean;
}

const first = (s: Schema): Schema => s.anyOf?.find((x) => x.type !== 'null') ?? s.oneOf?.[0] ?? s;
const typeOf = (s: Schema) => {
  const t = first(s).type;
  return Array.isArray(t) ? t.find((x) => x !== 'null') : t;
};

/** A value the schema takes, as near as its document tells: the base each case changes one field of. */
function example(s: Schema): unknown {
  s = first(s);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  switch (typeOf(s)) {
    case 'string':
      return 'a'.repeat(Math.max(1, s.minLength ?? 1));
    case 'integer':
    case 'number':
      return Math.max(1, s.minimum ?? 1);
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => example(s.items ?? {}));
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k) => [k, example(s.properties?.[k] ?? {})]));
    default:
      return {};
  }
}

/** Values of the wrong kind for a field, and whether its schema refuses each. */
function wrongValues(s: Schema): { what: string; value: unknown; wrong: boolean }[] {
  s = first(s);
  const t = typeOf(s);
  const out: { what: string; value: unknown; wrong: boolean }[] = [];
  const long = 'x'.repeat(10_000);
  if (t === 'string') {
    out.push({ what: 'a number for a string', value: 12345, wrong: true }, { what: 'an object for a string', value: { a: 1 }, wrong: true });
    out.push({ what: '10,000 characters', value: long, wrong: s.maxLength !== undefined && s.maxLength < 10_000 });
    out.push({ what: 'control characters', value: 'a\u0000\u0007\u001b[2J', wrong: !!s.enum });
    out.push({ what: 'unicode', value: '号码🙂'.repeat(5), wrong: !!s.enum });
  } else if (t === 'integer' || t === 'number') {
    out.push({ what: 'a string for a number', value: '12', wrong: true }, { what: 'NaN as a string', value: 'NaN', wrong: true });
    out.push({ what: 'negative', value: -1, wrong: s.minimum !== undefined && s.minimum > -1 });
    out.push({ what: 'huge', value: 1e308, wrong: s.maximum !== undefined });
    if (t === 'integer') out.push({ what: 'a fraction for a whole number', value: 1.5, wrong: true });
  } else if (t === 'boolean') {
    out.push({ what: 'a string for a boolean', value: 'true', wrong: true });
  } else if (t === 'array') {
    out.push({ what: 'an object for an array', value: { a: 1 }, wrong: true }, { what: 'a string for an array', value: long, wrong: true });
  } else if (t === 'object') {
    out.push({ what: 'an array for an object', value: [1, 2], wrong: true }, { what: 'a string for an object', value: 'abc', wrong: true });
  }
  return out;
}

function casesOf(op: Op): Case[] {
  const cases: Case[] = [];
  const base = op.body ? (example(op.body) as Record<string, unknown>) : undefined;
  const at = (params: Record<string, string>) => op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? '1'));
  const plain = at({});
  const json = base === undefined ? undefined : JSON.stringify(base);
  for (const name of op.params)
    for (const [what, value] of [
      ['not a number', 'abc'],
      ['too long', '9'.repeat(300)],
      ['unicode', '号码🙂'],
      ['negative', '-1'],
      ['huge', '1e308'],
      ['control characters', '\u0001\u001b'],
    ] as const)
      cases.push({ op, what: `path {${name}} ${what}`, path: at({ [name]: value }), ...(json !== undefined ? { body: json } : {}), wrong: true });
  for (const name of op.query)
    for (const [what, value] of [
      ['not a number', 'abc'],
      ['negative', '-1'],
      ['huge', '1e308'],
      ['a fraction', '1.5'],
      ['10,000 characters', 'x'.repeat(10_000)],
      ['control characters', 'a\u0000\u0007'],
    ] as const)
      // Query parameters are text in the document: a filter that finds nothing may answer an empty list.
      cases.push({ op, what: `query ${name} ${what}`, path: `${plain}?${name}=${encodeURIComponent(value)}`, wrong: false });
  if (op.body && base) {
    for (const [what, text] of [
      ['not JSON', '{"a": 1,'],
      ['an array for the object', '[1,2]'],
      ['a string for the object', '"abc"'],
      ['a number for the object', '42'],
      ['null for the object', 'null'],
    ] as const)
      cases.push({ op, what: `body ${what}`, path: plain, body: text, wrong: typeOf(op.body) === 'object' });
    cases.push({ op, what: 'body with an unknown field', path: plain, body: JSON.stringify({ ...base, unknownField: 1 }), wrong: false });
    const props = first(op.body).properties ?? {};
    for (const name of first(op.body).required ?? []) {
      const { [name]: _, ...rest } = base;
      cases.push({ op, what: `body without ${name}`, path: plain, body: JSON.stringify(rest), wrong: first(props[name] ?? {}).default === undefined });
    }
    for (const [name, schema] of Object.entries(props))
      for (const v of wrongValues(schema)) cases.push({ op, what: `body ${name}: ${v.what}`, path: plain, body: JSON.stringify({ ...base, [name]: v.value }), wrong: v.wrong, sendsNaN: v.value === 'NaN' });
  }
  if (op.file) cases.push({ op, what: 'a file that is not one', path: plain, body: 'not a workbook at all', wrong: true });
  return cases;
}

/** Words that tell a reader nothing, or that are a program's own: zod's raw sentences, a JavaScript value printed, a stack. */
const UNSAID = [/NaN/, /undefined/, /\[object Object\]/, /\breceived\b/i, /\bexpected\b/i, /Invalid input/i, /Too (big|small)/i, /Unrecognized key/i, /Invalid (option|string|type)/i, /\n\s+at /];

async function send(c: Case, language: 'zh-CN' | 'en'): Promise<{ status: number; body: Record<string, unknown> | string }> {
  const headers: Record<string, string> = { 'accept-language': language };
  if (c.op.auth === 'token') headers.authorization = `Bearer ${TOKEN}`;
  if (c.op.auth === 'session') {
    headers.cookie = admin.cookie;
    headers['x-csrf-token'] = admin.csrf;
  }
  if (c.body !== undefined) headers['content-type'] = c.op.file ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'application/json';
  const res = await fetch(hub.url + c.path, { method: c.op.method, headers, ...(c.body !== undefined && c.op.method !== 'GET' ? { body: c.body } : {}), signal: AbortSignal.timeout(20_000) });
  if ((res.headers.get('content-type') ?? '').includes('event-stream')) {
    await res.body?.cancel();
    return { status: res.status, body: 'event-stream' };
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: res.status, body: text };
  }
}

/** What is wrong with the answer to a case, in one line; nothing when it is as it should be. */
function faultOf(c: Case, language: 'zh-CN' | 'en', r: { status: number; body: Record<string, unknown> | string }): string | undefined {
  if (r.status >= 500) return `${r.status}`;
  if (r.status < 400) return c.wrong ? `${r.status} for what the document says is wrong` : undefined;
  if (typeof r.body !== 'object' || r.body === null) return `${r.status} without a JSON body`;
  const { code, message, text } = r.body;
  if (typeof code !== 'string' || typeof message !== 'string' || typeof text !== 'string') return `${r.status} without code, message and text`;
  for (const [field, words] of [['message', message], ['text', text]] as const) {
    const bad = UNSAID.find((p) => p.test(words) && !(c.sendsNaN && p.source === 'NaN'));
    if (bad) return `${field} says ${JSON.stringify(words.slice(0, 160))}`;
  }
  if (language === 'zh-CN' && !/[\u4e00-\u9fff]/.test(text)) return `text has no Chinese: ${JSON.stringify(text.slice(0, 160))}`;
  if (code === 'bad-request' && text === REFUSAL_TEXT[language]['bad-request']) return `text is the generic sentence (message: ${JSON.stringify(message.slice(0, 160))})`;
  return undefined;
}

describe("the hub's API refuses what is wrong in the caller's words", () => {
  it('answers every operation of its OpenAPI document sent hostile input with a 4xx that says what is wrong, and still serves afterwards', { timeout: 120_000 }, async () => {
    const doc = (await (await fetch(`${hub.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string; security?: unknown[]; parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: Schema }> } }>> };
    const ops: Op[] = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.entries(methods).map(([method, o]) => {
        const security = JSON.stringify(o.security);
        const json = o.requestBody?.content['application/json']?.schema;
        return {
          method: method.toUpperCase(),
          path: p,
          operationId: o.operationId,
          params: (o.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name),
          query: (o.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name),
          ...(json ? { body: json } : {}),
          file: !!o.requestBody && !json,
          auth: security === '[]' ? 'public' : security === '[{"session":[]}]' ? 'session' : 'token',
        } satisfies Op;
      }),
    );
    expect(ops.length).toBeGreaterThan(80);
    // Sign-out would end the session the others are sent with: it goes last.
    const cases = ops.sort((a, b) => Number(a.operationId === 'logout') - Number(b.operationId === 'logout')).flatMap(casesOf);
    const faults: string[] = [];
    const BATCH = 8;
    for (let i = 0; i < cases.length; i += BATCH)
      await Promise.all(
        cases.slice(i, i + BATCH).flatMap((c) =>
          (['zh-CN', 'en'] as const).map(async (language) => {
            // No answer at all (the connection dropped, or none within 20 s) is a fault of its own, named with its case.
            const answer = await send(c, language).catch((error: Error) => error);
            const fault = answer instanceof Error ? `no answer: ${answer.name} ${answer.message}` : faultOf(c, language, answer);
            if (fault) faults.push(`${c.op.operationId} (${c.op.method} ${c.op.path}) ${c.what} [${language}]: ${fault}`);
          }),
        ),
      );
    expect(cases.length).toBeGreaterThan(1000);
    expect([...new Set(faults)].sort()).toEqual([]);

    const health = await fetch(`${hub.url}/api/health`);
    expect(health.status).toBe(200);
    const ticket = await fetch(`${hub.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ serviceCode: demoCatalogue().items[0]!.code }) });
    expect(ticket.status).toBe(201);
  });
});

describe('the refusals the sweep found, in the words a caller reads', () => {
  const put = (route: string, body: unknown, language = 'zh-CN', method = 'PUT') =>
    fetch(hub.url + route, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'accept-language': language }, body: JSON.stringify(body) }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as { code: string; message: string; text: string } }),
    );

  it('names the day of a calendar year that is no day, and how a day is written', async () => {
    const zh = await put('/api/calendar/2027', { holidays: { '2027-02-30': '春节' } });
    expect(zh).toMatchObject({ status: 400, body: { code: 'bad-request', text: '“2027-02-30”不是 2027 年的日期：日期应写作 YYYY-MM-DD，如 2027-01-01，且为该年真实存在的一天。未作任何更改。' } });
    const en = await put('/api/calendar/2027', { holidays: { '2027-02-30': '春节' } }, 'en');
    expect(en.body.text).toBe('"2027-02-30" is not a day of 2027: write each day as YYYY-MM-DD, e.g. 2027-01-01, a day the year has. Nothing was changed.');
    const slashes = await put('/api/calendar/2027', { holidays: { '2027/01/01': '元旦' } });
    expect(slashes.body.text).toBe('字段 holidays.2027/01/01 的格式不正确：应为写作 YYYY-MM-DD 的日期。未作任何更改，请改正后再试。');
    expect((await put('/api/calendar/二〇二七', { holidays: { '2027-01-01': '元旦' } })).body.text).toBe('年份应为四位数字，如 2027。未作任何更改。');
  });

  it('names a field or day the caller made up (a line break, a direction mark, HTML, 10,000 characters) shortly and visibly, never as sent', async () => {
    const key = `2027-01-01\n\u202e<b>x</b>${'x'.repeat(10_000)}`;
    for (const body of [{ holidays: { [key]: '' } }, { holidays: { [key]: '元旦' } }])
      for (const language of ['zh-CN', 'en']) {
        const r = await put('/api/calendar/2027', body, language);
        expect(r.status).toBe(400);
        for (const said of [r.body.text, r.body.message]) {
          expect(said.length, said.slice(0, 80)).toBeLessThan(400);
          expect(said).not.toMatch(/[\n\u202e]/);
          expect(said).toContain('2027-01-01\\n\\u202e<b>x</b>');
        }
      }
  });

  it("says a pending change's number is a whole number, not that it received NaN", async () => {
    const r = await put('/api/pending/abc/cancel', {}, 'zh-CN', 'POST');
    expect(r).toMatchObject({ status: 400, body: { code: 'bad-request', text: '待生效更改的编号应为 1 或更大的整数，只写数字。未取消任何更改。' } });
    expect(r.body.message).not.toContain('NaN');
  });

  it('names the field a body lacks or has of the wrong kind, with what to type', async () => {
    expect((await put('/api/tickets', {}, 'zh-CN', 'POST')).body).toMatchObject({ code: 'bad-request', text: '字段 serviceCode 未填写：应为文字（加引号）。未作任何更改，请改正后再试。' });
    expect((await put('/api/tickets', {}, 'en', 'POST')).body).toMatchObject({ message: 'serviceCode is missing: it is text (in quotes)', text: 'serviceCode is missing: it is text (in quotes). Nothing was changed; please correct it and try again.' });
    expect((await put('/api/windows/1/transfer', { reason: '转办', toWindow: '3' }, 'zh-CN', 'POST')).body.text).toBe('字段 toWindow 应为数字（不加引号），发送的是带引号的文字。未作任何更改，请改正后再试。');
    expect((await put('/api/windows/1/pause', { reason: 'x'.repeat(300) }, 'zh-CN', 'POST')).body.text).toBe('字段 reason 最多 200 个字符，发送了 300 个。未作任何更改，请改正后再试。');
    expect((await put('/api/tickets', { serviceCode: 'A', lane: 'fast' }, 'en', 'POST')).body.text).toBe('lane must be one of ordinary, priority. Nothing was changed; please correct it and try again.');
    // A rule's own hint (4 to 8 digits) is said in Chinese too, for the sign-in of a window as for a clerk's PIN.
    expect((await put('/api/windows/1/sign-in', { clerk: '001', pin: '12ab' }, 'zh-CN', 'POST')).body.text).toBe('字段 pin 不正确：应为 4 到 8 位数字。未作任何更改，请改正后再试。');
    expect((await put('/api/windows/abc/call-next', {}, 'zh-CN', 'POST')).body.text).toBe('窗口号应为 1 到 999 的整数，只写数字（如 3）。未作任何更改。');
    expect((await put('/api/tickets', [], 'zh-CN', 'POST')).body.text).toBe('请求内容应为 JSON 对象（{…}），发送的是列表。未作任何更改，请改正后再试。');
    const notJson = await fetch(`${hub.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"serviceCode": "A",' });
    expect(await notJson.json()).toMatchObject({ code: 'bad-request', text: '请求内容不是有效的 JSON，未作任何更改：请检查括号、引号和逗号是否成对、齐全后再试。' });
  });

  it('says what is wrong with an Idempotency-Key or X-Made-At header a script sent', async () => {
    const post = async (headers: Record<string, string>) =>
      ((await (await fetch(`${hub.url}/api/windows/1/call-next`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'accept-language': 'zh-CN', ...headers } })).json()) as { code: string; text: string });
    expect(await post({ 'idempotency-key': 'short' })).toMatchObject({ code: 'bad-request', text: '请求头 Idempotency-Key 应为 8 到 80 个字符（发送的是 5 个），如一个 UUID。未作任何更改。' });
    expect(await post({ 'x-made-at': 'yesterday' })).toMatchObject({
      code: 'bad-request',
      text: '请求头 X-Made-At 应为时间：ISO 8601 格式（如 2026-11-27T09:00:00+08:00）或自 1970 年起的毫秒数。未作任何更改。',
    });
  });

  it("says a page of the log or of closed follow-ups asked for wrongly, with the range it takes", async () => {
    const get = async (route: string) => ((await (await fetch(hub.url + route, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { text: string }).text;
    expect(await get('/api/follow-ups?closed=1&before=abc')).toBe('查询条件 before 应为 1 或更大的整数，只写数字。');
    expect(await get('/api/events?limit=1e308')).toBe('查询条件 limit 应为 1 到 5000 之间的整数，只写数字。');
  });

  it("refuses a window written \"007\" in the console's window items as every other window operation does", async () => {
    const said = '窗口号应为 1 到 999 的整数，只写数字（如 3）。未作任何更改。';
    const item = demoCatalogue().items[0]!.code;
    for (const window of ['007', '07', '+7', '1000', '0'])
      expect(await put(`/api/windows/${window}/items`, { serves: [item] }), window).toMatchObject({ status: 400, body: { code: 'bad-request', text: said } });
    expect((await put('/api/windows/007/call-next', {}, 'zh-CN', 'POST')).body.text).toBe(said);
  });

  it('refuses a yes-or-no query that is neither, rather than read it as no', async () => {
    const get = async (route: string, language = 'zh-CN') => {
      const r = await fetch(hub.url + route, { headers: { authorization: `Bearer ${TOKEN}`, 'accept-language': language } });
      return { status: r.status, text: r.headers.get('content-type')?.includes('json') ? ((await r.json()) as { text?: string }).text : undefined };
    };
    for (const [route, name] of [['/api/follow-ups', 'closed'], ['/api/complaints', 'closed'], ['/api/case-routes', 'done'], ['/api/alerts', 'standing'], ['/api/catalogue.xlsx', 'template']] as const) {
      for (const flag of ['abc', '', 'TRUE1'])
        expect(await get(`${route}?${name}=${flag}`), `${route}?${name}=${flag}`).toEqual({ status: 400, text: `查询条件 ${name} 应为 1 或 true（是），0 或 false（否）。` });
      expect(await get(`${route}?${name}=abc`, 'en')).toEqual({ status: 400, text: `${name} must be 1 or true (yes), 0 or false (no).` });
      for (const flag of ['1', 'true', '0', 'false']) expect((await get(`${route}?${name}=${flag}`)).status, `${route}?${name}=${flag}`).toBe(200);
    }
  });
});

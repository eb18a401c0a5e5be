import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAst } from 'vite';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * What every command, event and phone's look runs through. An object literal here that begins with
 * a spread and has more after it (`{ ...t, state }`, `{ ...a, ...b }`) leaves garbage that survives
 * the young generation's collections; these files use core's `changed` and `extended` instead.
 */
const COMMAND_PATH = [
  'packages/core/src/cases.ts',
  'packages/core/src/ticket.ts',
  'packages/core/src/hall/follow-ups.ts',
  'packages/core/src/hall/outcomes.ts',
  'packages/core/src/hall/ratings.ts',
  'packages/core/src/hall/supervision.ts',
  'packages/core/src/hall/tickets.ts',
  'packages/core/src/hall/waits.ts',
  'packages/hub/src/store.ts',
  'packages/hub/src/http.ts',
  'packages/hub/src/phone/watch.ts',
  'packages/reports/src/facts.ts',
];

interface Node {
  type?: string;
  start: number;
  end: number;
  properties?: { type: string }[];
}

/** The object literals of a TypeScript source that begin with a spread and have more after it, as `line: text`. */
function spreadsFirst(source: string, file = 'source.ts'): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const node = value as Node;
    const props = node.type === 'ObjectExpression' ? node.properties! : [];
    if (props.length > 1 && props[0]!.type === 'SpreadElement') {
      const line = source.slice(0, node.start).split('\n').length;
      found.push(`${file}:${line}: ${source.slice(node.start, node.end).replace(/\s+/g, ' ').slice(0, 100)}`);
    }
    for (const child of Object.values(node)) if (child && typeof child === 'object') visit(child);
  };
  visit(parseAst(source, { lang: 'ts' }));
  return found;
}

describe("the command path's copies", () => {
  it('finds a literal that begins with a spread and has more after it, and passes the others', () => {
    const source = [
      'const a = { ...t, state: "called" };',
      'const b = { ...x, ...y };',
      'const c = { seq: 1, ...body };',
      'const d = { ...only };',
      'const { type, ...rest } = body;',
      'const e = changed(t, { state: "called" });',
      'function f(o: { a: number }) { return [{ ...o, b: 2 }]; }',
    ].join('\n');
    expect(spreadsFirst(source)).toEqual(['source.ts:1: { ...t, state: "called" }', 'source.ts:2: { ...x, ...y }', 'source.ts:7: { ...o, b: 2 }']);
  });

  it.each(COMMAND_PATH)('%s makes no object by spreading first and adding after', (file) => {
    expect(spreadsFirst(fs.readFileSync(path.join(root, file), 'utf8'), file)).toEqual([]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonSyntaxProblem, switchValue } from './setting-text';

describe('a switch as an installer types it', () => {
  it.each([['1', true], ['true', true], ['Yes', true], [' ON ', true], ['0', false], ['FALSE', false], ['no', false], ['off', false], ['ja', undefined], ['y', undefined], ['2', undefined], ['', undefined]])('reads %j as %s', (text, value) => {
    expect(switchValue(text)).toBe(value);
  });
});

describe('where a settings file’s JSON goes wrong', () => {
  it.each([
    ['{\n  "role": "kiosk",\n  "window": 3,\n}', 3, 14, '第 3 行第 14 列：最后一项后面多了一个逗号（JSON 不允许），请删去（该行："window": 3,）'],
    ['{\n  "role": "kiosk"\n  "window": 3\n}', 3, 3, '第 3 行第 3 列：前一项后面缺少逗号（该行："window": 3）'],
    ['{\n  role: "kiosk"\n}', 2, 3, '第 2 行第 3 列：名称要用英文双引号括起来，如 "hubUrl"（该行：role: "kiosk"）'],
    ["{\n  'role': 'kiosk'\n}", 2, 3, '第 2 行第 3 列：JSON 只能用英文双引号 "，不能用单引号'],
    ['{\n  "role"："kiosk"\n}', 2, 9, '第 2 行第 9 列：用了中文标点“：”，请改为英文标点'],
    ['{\n  "role": “kiosk”\n}', 2, 11, '第 2 行第 11 列：用了中文标点““”，请改为英文标点'],
    ['{\n  // the kiosk\n  "role": "kiosk"\n}', 2, 3, '第 2 行第 3 列：JSON 不能有注释'],
    ['{\n  "hubCa": "C:\\servicehall\\ca.crt"\n}', 2, 15, '第 2 行第 15 列：反斜杠 \\ 在引号里要写两个'],
    ['{\n  "role": "kiosk\n}', 2, 11, '第 2 行第 11 列：引号里的文字在本行没有结束'],
    ['{\n  "role": "kiosk",\n  "devices": { "printer": { "path": "/dev/ttyS0" }\n', 4, 1, '第 4 行第 1 列：内容没有写完：到末尾还缺少 }'],
    ['{\n  "role" "kiosk"\n}', 2, 10, '第 2 行第 10 列：名称后面缺少英文冒号 :'],
    ['{\n  "window": 03\n}', 2, 13, '第 2 行第 13 列：数字的写法有误'],
    ['{ "connections": 1. }', 1, 18, '第 1 行第 18 列：数字的写法有误：写成 128、1.5、-1 或 1e3 这样'],
    ['{ "connections": 1e }', 1, 18, '第 1 行第 18 列：数字的写法有误'],
    ['{ "connections": .5 }', 1, 18, '第 1 行第 18 列：数字的写法有误'],
    ['{ "connections": +1 }', 1, 18, '第 1 行第 18 列：数字的写法有误'],
    ['{ "version": 1.5.2 }', 1, 14, '第 1 行第 14 列：数字的写法有误'],
    ['{ "window": 3 4 }', 1, 15, '第 1 行第 15 列：前一项后面缺少逗号'],
    ['\uFEFF{ "connections": 128 }', 1, 1, '第 1 行第 1 列：开头有一个看不见的字节顺序标记（BOM）'],
    ['{ "role": "kiosk" }\n{ "role": "window" }', 2, 1, '第 2 行第 1 列：JSON 对象结束后还有多余的内容'],
    ['  \n', 2, 1, '第 2 行第 1 列：内容是空的'],
    ['{ "role": kiosk }', 1, 11, '第 1 行第 11 列：这里应是一个值'],
    ['{ "path": "D:\\\\ok\\data" }', 1, 18, '第 1 行第 18 列：反斜杠 \\ 在引号里要写两个'],
    ['{ "name": "窗口\t3" }', 1, 14, '第 1 行第 14 列：引号里有制表符或其他控制字符'],
    ['{ "window": 3 \'role\': "kiosk" }', 1, 15, '第 1 行第 15 列：JSON 只能用英文双引号'],
    ['{ "window": 3 } /* the kiosk', 1, 17, '第 1 行第 17 列：JSON 不能有注释'],
    ['[[1, 2],\n [3, 4]', 2, 8, '第 2 行第 8 列：内容没有写完：到末尾还缺少 ]'],
  ])('%j: line %i, column %i', (text, line, column, zh) => {
    expect(() => JSON.parse(text)).toThrow();
    const problem = jsonSyntaxProblem(text);
    expect(problem).toMatchObject({ line, column });
    expect(problem!.zh).toContain(zh);
    expect(problem!.en).toMatch(new RegExp(`^line ${line}, column ${column}: `));
  });

  it('leaves out a line too long to read in one message', () => {
    const text = `{\n  "notices": ["${'大厅须知'.repeat(30)}" "x"]\n}`;
    expect(jsonSyntaxProblem(text)!.zh).toMatch(/^第 2 行第 \d+ 列：前一项后面缺少逗号$/);
  });

  it('finds a problem exactly where JSON.parse refuses, and none in JSON it takes', () => {
    const broken = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', "'", '/', '*', '\\', '\n', '，', 'x', '\uFEFF', '\u0001', '\t', '\u00a0', '\uD800', '.', 'e')).map(([json, at, c]) => {
      const i = at % (json.length + 1);
      return json.slice(0, i) + c + json.slice(i + (c === '' ? 1 : 0));
    });
    fc.assert(
      fc.property(fc.oneof(fc.json(), broken, fc.string()), (text) => {
        let parsed = true;
        try {
          JSON.parse(text);
        } catch {
          parsed = false;
        }
        expect(jsonSyntaxProblem(text) === undefined).toBe(parsed);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads nesting deeper than the call stack without a crash, and says nothing of JSON that JSON.parse takes', () => {
    expect(jsonSyntaxProblem('['.repeat(20000) + ']'.repeat(20000))).toBeUndefined();
    expect(() => jsonSyntaxProblem('['.repeat(20000) + ']'.repeat(19999))).not.toThrow();
  });
});

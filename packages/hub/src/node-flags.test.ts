import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HUB_NODE_FLAGS } from './node-flags';

const scripts = (JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe("the hub's Node options", () => {
  // The service's unit and the Windows service are held to them in service.test.ts, the tests' hub processes in hub.process.test.ts.
  // `npm run hub` runs the built hub (packages/hub/dist), the demo its TypeScript through tsx.
  it.each([
    ['hub', ['packages/hub/dist/cli.js']],
    ['demo', ['--import', 'tsx']],
  ])('are those `npm run %s` starts the hub with', (name, program) => {
    const words = scripts[name]!.split(' && ').at(-1)!.split(' ');
    expect(words.slice(0, 1 + HUB_NODE_FLAGS.length)).toEqual(['node', ...HUB_NODE_FLAGS]);
    expect(words.slice(1 + HUB_NODE_FLAGS.length, 1 + HUB_NODE_FLAGS.length + program.length)).toEqual(program);
  });
});

import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A renderer is DOM only: it reaches its agent through the bridge and nothing else. This follows
 * every import from each app's src/renderer, through the workspace packages it uses, and fails
 * on Node built-ins, Electron, the hub, the terminal link, drivers and native modules.
 */
const root = path.resolve(import.meta.dirname, '..');
const FORBIDDEN_PACKAGES = ['electron', 'ws', 'serialport', 'better-sqlite3', 'node-thermal-printer', 'escpos-screen', 'iconv-lite', '@servicehall/hub', '@servicehall/client', '@servicehall/fixtures'];
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function workspaceEntry(specifier: string): string | undefined {
  const m = /^(@servicehall\/[^/]+)(\/.*)?$/.exec(specifier);
  if (!m) return undefined;
  for (const dir of ['packages', 'drivers', 'apps', '.']) {
    const base = dir === '.' ? path.join(root, 'fixtures') : path.join(root, dir, m[1]!.slice('@servicehall/'.length));
    const pkgFile = path.join(base, 'package.json');
    if (!fs.existsSync(pkgFile)) continue;
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    if (pkg.name !== m[1]) continue;
    const target = pkg.exports?.[`.${m[2] ?? ''}`];
    if (typeof target === 'string') return path.join(base, target);
  }
  return undefined;
}

function resolveFile(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')])
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  return undefined;
}

/** Value imports of a module (type-only imports vanish at build time and are allowed). */
export function valueImports(source: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[;\n])\s*(import|export)\s+(type\s+)?([^'";]*?from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(re)) {
    if (m[5]) out.push(m[5]);
    else if (!m[2] && m[4]) out.push(m[4]);
  }
  return out;
}

function violations(entry: string): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  const visit = (file: string, trail: string[]) => {
    if (seen.has(file) || !/\.(ts|tsx)$/.test(file)) return;
    seen.add(file);
    for (const spec of valueImports(fs.readFileSync(file, 'utf8'))) {
      const where = [...trail, path.relative(root, file)].join(' → ');
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (builtins.has(spec) || builtins.has(pkg)) problems.push(`${where} imports the Node built-in ${spec}`);
      else if (FORBIDDEN_PACKAGES.includes(pkg) || spec.startsWith('@servicehall/agent') && spec !== '@servicehall/agent/renderer' && spec !== '@servicehall/agent/contract')
        problems.push(`${where} imports ${spec}, which only an agent may use`);
      else if (/^@servicehall\/[^/]+$/.test(pkg) && /drivers\//.test(workspaceEntry(spec) ?? '')) problems.push(`${where} imports the driver ${spec}`);
      else if (spec.startsWith('.')) {
        const next = resolveFile(file, spec);
        if (next) visit(next, [...trail, path.relative(root, file)]);
      } else {
        const next = workspaceEntry(spec);
        if (next) visit(next, [...trail, path.relative(root, file)]);
      }
    }
  };
  visit(entry, []);
  return problems;
}

const renderers = fs
  .readdirSync(path.join(root, 'apps'))
  .map((app) => path.join(root, 'apps', app, 'src/renderer'))
  .filter((dir) => fs.existsSync(dir));

describe('renderers stay DOM only', () => {
  it('finds the renderers', () => {
    expect(renderers.length).toBeGreaterThan(0);
  });

  it.each(renderers.map((dir) => [path.relative(root, dir), dir]))('%s imports no Node built-in, driver, hub or terminal link', (_name, dir) => {
    const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|tsx)$/.test(f));
    const problems = files.flatMap((f) => violations(path.join(dir, f)));
    expect(problems).toEqual([]);
  });

  it('would catch a renderer that reaches for Node, a driver or the hub', () => {
    const probe = path.join(renderers[0]!, '__boundary_probe__.ts');
    fs.writeFileSync(probe, "import fs from 'node:fs';\nimport { HallStore } from '@servicehall/hub';\nimport { openPrinter } from '@servicehall/escpos-printer';\nimport type { Ticket } from '@servicehall/core';\n");
    try {
      const problems = violations(probe);
      expect(problems.some((p) => p.includes('node:fs'))).toBe(true);
      expect(problems.some((p) => p.includes('@servicehall/hub'))).toBe(true);
      expect(problems.some((p) => p.includes('@servicehall/escpos-printer'))).toBe(true);
      expect(problems.some((p) => p.includes('@servicehall/core'))).toBe(false);
    } finally {
      fs.rmSync(probe);
    }
  });
});

describe("renderers' content security policy", () => {
  /** The policy's directives, from the page's meta tag. */
  const policyOf = (html: string) =>
    Object.fromEntries(
      (/http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '')
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map(([name, ...values]) => [name!, values]),
    ) as Record<string, string[]>;

  // The terminals' screens (the console is the hub's own page: its policy is the hub's header, see console-files.ts).
  const terminalRenderers = renderers.filter((dir) => fs.existsSync(path.join(dir, '../main/electron.ts')));

  it.each(terminalRenderers.map((dir) => [path.relative(root, dir), dir]))('%s connects to its own agent only (no ws:, wss: or other hosts), loads no plugins', (_name, dir) => {
    // The renderer never talks to the hub: its agent does, over IPC in Electron or the bridge of the page's own origin.
    const policy = policyOf(fs.readFileSync(path.join(dir, 'index.html'), 'utf8'));
    expect(policy['connect-src']).toEqual(["'self'"]);
    expect(policy['default-src']).toEqual(["'self'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(policy['base-uri']).toEqual(["'none'"]);
  });
});

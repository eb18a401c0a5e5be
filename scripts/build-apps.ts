import { build as esbuild, type BuildOptions } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as vite } from 'vite';

/**
 * Builds every app in apps/: the React renderer with Vite (dist/renderer), and for a terminal the
 * Electron main and preload bundled with esbuild (dist/main/electron.cjs, dist/preload/index.cjs).
 * `npm run build` builds them all; `npm run build -- kiosk` builds one.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);

export async function buildApp(name: string): Promise<void> {
  const dir = path.join(root, 'apps', name);
  await vite({ configFile: path.join(dir, 'vite.config.ts'), logLevel: 'warn' });
  // A page the hub serves (the phone's) has no Electron side.
  if (!fs.existsSync(path.join(dir, 'src/main/electron.ts'))) return;
  const common: BuildOptions = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, logLevel: 'warning', external: ['electron', 'serialport', '@serialport/*', 'better-sqlite3'] };
  // The console is a web application served by the hub: it has no Electron main or preload.
  if (!fs.existsSync(path.join(dir, 'src/main/electron.ts'))) return;
  await esbuild({ ...common, entryPoints: [path.join(dir, 'src/main/electron.ts')], outfile: path.join(dir, 'dist/main/electron.cjs') });
  await esbuild({ ...common, platform: 'browser', entryPoints: [path.join(dir, 'src/preload/index.ts')], outfile: path.join(dir, 'dist/preload/index.cjs') });
}

const apps = fs.readdirSync(path.join(root, 'apps')).filter((d) => fs.existsSync(path.join(root, 'apps', d, 'vite.config.ts')));
const started = performance.now();
for (const name of apps.filter((a) => only.length === 0 || only.includes(a))) await buildApp(name);
console.log(`built ${apps.filter((a) => only.length === 0 || only.includes(a)).join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

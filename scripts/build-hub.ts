import { build } from 'esbuild';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { HUB_DIST, INSTALL_ROOT as root } from '../packages/hub/src/built';

/**
 * Builds the hub into packages/hub/dist: its TypeScript bundled with esbuild into plain ES modules
 * that Node runs without tsx, as `npm run hub` and the hall's service start it. Through tsx the hub
 * took about a second to start on this machine, half of it loading its modules through tsx's hooks;
 * the bundle serves in about half that (docs/performance.md, "The hub built"). The workspace's own
 * packages are bundled; the packages from npm stay in node_modules, loaded by Node as they are
 * (native addons, workers and transports find their files there), except one that a package of the
 * workspace has in a version of its own (its nested node_modules), which is bundled with it. The
 * dynamic imports stay lazy (split chunks beside the entries): the workbook's and the certificates'
 * libraries are loaded when first asked for, not at start.
 */

export async function buildHub(): Promise<void> {
  fs.rmSync(HUB_DIST, { recursive: true, force: true });
  // How Node will resolve a bare import from the bundle's folder.
  const fromDist = createRequire(path.join(HUB_DIST, 'cli.js'));
  await build({
    entryPoints: {
      cli: path.join(root, 'packages/hub/src/cli.ts'),
      phones: path.join(root, 'packages/hub/src/phone/streams-process.ts'),
      'upstream-worker': path.join(root, 'packages/upstream/src/worker.ts'),
      'upstream-boot': path.join(root, 'packages/upstream/src/boot.mjs'),
      'workbook-worker': path.join(root, 'packages/hub/src/workbook-worker.ts'),
    },
    outdir: HUB_DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    sourcemap: true,
    logLevel: 'warning',
    define: { SERVICEHALL_HUB_BUILD: 'true' },
    // A CommonJS package bundled in (a nested one) may call require.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [
      {
        name: 'npm-packages-stay-in-node-modules',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('@servicehall/') || args.path.startsWith('node:') || args.path.endsWith('.json')) return undefined;
            const fromImporter = createRequire(path.join(args.resolveDir, 'importer.js'));
            let theirs: string;
            try {
              theirs = fromImporter.resolve(args.path);
            } catch {
              // Not resolvable here (an optional dependency, a platform's own): left to Node at run time.
              return { path: args.path, external: true };
            }
            let ours: string | undefined;
            try {
              ours = fromDist.resolve(args.path);
            } catch {
              ours = undefined;
            }
            // Node would find the same file from the bundle: left there. Another version (nested): bundled.
            return theirs === ours ? { path: args.path, external: true } : undefined;
          });
        },
      },
    ],
  });
  fs.writeFileSync(path.join(HUB_DIST, 'package.json'), `${JSON.stringify({ type: 'module' }, null, 2)}\n`);
  // The source's first line runs it through tsx (`npx tsx`); the built one is run by Node itself.
  const cli = path.join(HUB_DIST, 'cli.js');
  fs.writeFileSync(cli, fs.readFileSync(cli, 'utf8').replace(/^#!.*\n/, '#!/usr/bin/env node\n'));
  fs.chmodSync(cli, 0o755);
}

/** For a bench: the hub built now, and every hub it spawns (spawnHub) run from the build, as a hall runs it. */
export async function useBuiltHub(): Promise<void> {
  await buildHub();
  process.env.HUB_BUILT = '1';
}

if (process.argv[1]?.endsWith('build-hub.ts')) {
  const started = performance.now();
  await buildHub();
  console.log(`built the hub (packages/hub/dist) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

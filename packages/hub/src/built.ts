import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where the hub runs from: its TypeScript through tsx (a developer's checkout, the tests), or the
 * bundle `npm run build` makes in packages/hub/dist (scripts/build-hub.ts), as `npm run hub` and the
 * hall's service run it. The bundle is made with SERVICEHALL_HUB_BUILD defined as true, and puts its
 * entries and their shared chunks side by side in that one folder.
 */
declare const SERVICEHALL_HUB_BUILD: boolean | undefined;

export const HUB_BUILT = typeof SERVICEHALL_HUB_BUILD !== 'undefined' && SERVICEHALL_HUB_BUILD === true;

/** The folder of this code: packages/hub/src, or packages/hub/dist in the bundle. */
const here = path.dirname(fileURLToPath(import.meta.url));

/** Where ServiceHall is installed: the repository's root, which holds node_modules and the apps. */
export const INSTALL_ROOT = path.resolve(here, '../../..');

/** The hub's own programs that run in a process or thread of their own (the bundle's entries beside cli.js). */
export type HubEntry = 'cli' | 'phones' | 'upstream-worker' | 'upstream-boot' | 'workbook-worker';

/** The bundle's folder, whatever the code that asks is compiled into. */
export const HUB_DIST = path.join(INSTALL_ROOT, 'packages', 'hub', 'dist');

/** A built entry's file (HUB_DIST), for a process or a worker to start. */
export function builtEntry(entry: HubEntry): string {
  return path.join(HUB_DIST, `${entry}.js`);
}

/** Node's options for a process of the hub's own to run its TypeScript through tsx; none when the hub is built. */
export const TYPESCRIPT_EXEC_ARGV: readonly string[] = HUB_BUILT ? [] : ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];

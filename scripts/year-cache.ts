import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KEY_FILE } from '../packages/hub/src/files';
import { generateHistoryInParallel, HISTORY_GENERATOR_VERSION, type HistorySummary } from '../packages/hub/src/testing/year';
import { benchCatalogue } from './bench-catalogue';

export interface CachedYear {
  /** The year's hall.db; copy it before opening a hub on it. */
  file: string;
  /** The hall key it was sealed with: copy it beside the copy (as hall.key). */
  keyFile: string;
  summary: HistorySummary;
  /** Whether it was written in this run (else it came from the cache). */
  generated: boolean;
}

/** Where generated years are kept between runs: SERVICEHALL_BENCH_CACHE, or a folder in the system's temporary one. */
export const YEAR_CACHE = process.env.SERVICEHALL_BENCH_CACHE || path.join(os.tmpdir(), 'servicehall-bench');

/**
 * A busy hall's year for the bench: written once by the history generator and kept, keyed by the
 * generator's version and its size, so that `npm run bench` does not write it again. (The bench
 * puts its own catalogue on every hub it runs: a year written for an earlier one still serves.)
 */
export async function cachedYear(options: { days: number; ticketsPerDay: number; log?: (line: string) => void }): Promise<CachedYear> {
  const catalogue = benchCatalogue();
  const name = `year-v${HISTORY_GENERATOR_VERSION}-${options.days}d-${options.ticketsPerDay}`;
  const file = path.join(YEAR_CACHE, `${name}.db`);
  const keyFile = path.join(YEAR_CACHE, `${name}.key`);
  const sidecar = path.join(YEAR_CACHE, `${name}.json`);
  if (fs.existsSync(file) && fs.existsSync(keyFile) && fs.existsSync(sidecar)) return { file, keyFile, summary: JSON.parse(fs.readFileSync(sidecar, 'utf8')) as HistorySummary, generated: false };
  const work = path.join(YEAR_CACHE, `${name}.writing`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  let last = 0;
  const summary = await generateHistoryInParallel({
    dataDir: work,
    days: options.days,
    ticketsPerDay: options.ticketsPerDay,
    catalogue,
    onDay: (d) => {
      if (Date.now() - last < 15_000 && d.done !== d.of) return;
      last = Date.now();
      options.log?.(`  writing the year: ${d.done} of ${d.of} days (${d.day})`);
    },
  });
  fs.renameSync(path.join(work, 'hall.db'), file);
  fs.renameSync(path.join(work, KEY_FILE), keyFile);
  fs.writeFileSync(sidecar, JSON.stringify(summary, null, 2));
  fs.rmSync(work, { recursive: true, force: true });
  return { file, keyFile, summary, generated: true };
}

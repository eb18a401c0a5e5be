import fs from 'node:fs';
import { runHubBench } from './bench-hub';
import { runPhoneBench } from './bench-phones';
import { useBuiltHub } from './build-hub';
import { benchGivesWay } from './stand-ins';

/**
 * `npm run bench`: the figures behind the README's performance tables. `--no-year` skips the year
 * (whose history is written once, under 15 minutes, and kept between runs: see year-cache.ts).
 */
// The hub as a hall runs it: built (packages/hub/dist), not through tsx.
await useBuiltHub();
benchGivesWay();
await runHubBench({ year: !process.argv.includes('--no-year') });
console.log('');
await runPhoneBench();
console.log('');
const { runReconnectBench } = await import('./bench-reconnect');
await runReconnectBench();
if (fs.existsSync(new URL('./bench-devices.ts', import.meta.url))) {
  console.log('');
  const { runDeviceBench } = await import('./bench-devices');
  await runDeviceBench();
}
if (fs.existsSync(new URL('./bench-upstream.ts', import.meta.url)) && !process.argv.includes('--no-year')) {
  console.log('');
  const { runUpstreamBench } = await import('./bench-upstream');
  await runUpstreamBench();
}
if (fs.existsSync(new URL('./bench-ops.ts', import.meta.url))) {
  console.log('');
  const { runOpsBench } = await import('./bench-ops');
  // Backups, restore and start on the busy hall's year (written once and kept: year-cache.ts), or a shorter history with --no-year.
  if (process.argv.includes('--no-year')) await runOpsBench();
  else {
    const { cachedYear } = await import('./year-cache');
    const days = Number(process.env.BENCH_YEAR_DAYS ?? '250');
    const perDay = Number(process.env.BENCH_YEAR_TICKETS ?? '12000');
    const year = await cachedYear({ days, ticketsPerDay: perDay });
    await runOpsBench({ file: year.file, keyFile: year.keyFile, name: `the busy hall's year (${days} working days × ${perDay} tickets: ${year.summary.tickets} tickets, ${year.summary.seq} events)` });
  }
}
console.log('');
const { runStandbyBench } = await import('./bench-standby');
await runStandbyBench();
if (!process.argv.includes('--no-year')) {
  console.log('');
  const { runReportsBench } = await import('./bench-reports');
  await runReportsBench();
}

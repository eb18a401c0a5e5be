import fs from 'node:fs';
import { runHubBench } from './bench-hub';
import { runPhoneBench } from './bench-phones';

/**
 * `npm run bench`: the figures behind the README's performance tables. `--no-year` skips the year
 * (whose history is written once, under 15 minutes, and kept between runs: see year-cache.ts).
 */
await runHubBench({ year: !process.argv.includes('--no-year') });
console.log('');
await runPhoneBench();
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
  await runOpsBench();
}

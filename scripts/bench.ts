import fs from 'node:fs';
import { runHubBench } from './bench-hub';
import { runPhoneBench } from './bench-phones';

/** `npm run bench`: the figures behind the README's performance table. */
await runHubBench();
console.log('');
await runPhoneBench();
if (fs.existsSync(new URL('./bench-devices.ts', import.meta.url))) {
  console.log('');
  const { runDeviceBench } = await import('./bench-devices');
  await runDeviceBench();
}
if (fs.existsSync(new URL('./bench-ops.ts', import.meta.url))) {
  console.log('');
  const { runOpsBench } = await import('./bench-ops');
  await runOpsBench();
}

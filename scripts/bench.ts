import { runHubBench } from './bench-hub';

/** `npm run bench`: the figures behind the README's performance table. */
await runHubBench();

/**
 * A bench that fails: starts a hub on the folder it is given (argv[2]), says the hub's pid, and ends
 * with a rejected top-level await (no 'exit' event in Node 20, no kill of its hub). The hub must
 * stop by itself (hub.process.test.ts).
 */
import { spawnHub } from './hub-process';

const hub = await spawnHub(process.argv[2]!);
process.stdout.write(`${hub.child.pid}\n`);
await Promise.reject(new Error('the bench failed here, on purpose'));

// A worker entry for the boot test: says the nice value its thread had when this code began to run.
import os from 'node:os';
import { parentPort } from 'node:worker_threads';

parentPort!.postMessage(os.getPriority(0));

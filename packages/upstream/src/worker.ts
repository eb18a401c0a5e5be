import type { NamedTerminal } from '@servicehall/core';
import { parentPort, workerData } from 'node:worker_threads';
import { cityHooks } from './hooks';
import { Shipper, type ShipperOptions } from './ship';

// The hub's upstream worker: ships the hall's log beside the hub, reporting its status to it. Its
// thread has lowered its priority before loading this (boot.mjs, SHIPPER_NICE).
const options = workerData.options as ShipperOptions;
const shipper = new Shipper(
  options,
  (status) => parentPort!.postMessage({ kind: 'status', status }),
  cityHooks(),
  (parted) => parentPort!.postMessage({ kind: 'parted', parted }),
);
parentPort!.on('message', (message: { kind: 'wake' | 'stop' } | { kind: 'busy'; until: number } | { kind: 'terminals'; terminals: NamedTerminal[] }) => {
  if (message.kind === 'busy') shipper.hallBusy(message.until);
  else if (message.kind === 'terminals') shipper.terminals(message.terminals);
  else if (message.kind === 'wake') shipper.wake();
  else void shipper.stop();
});
await shipper.run();
parentPort!.postMessage({ kind: 'stopped' });

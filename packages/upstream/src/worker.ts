import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { cityHooks } from './hooks';
import { Shipper, SHIPPER_NICE, type ShipperOptions } from './ship';

// The hub's upstream worker: ships the hall's log beside the hub, reporting its status to it.
// It gives way to the hub's event loop when the cores are busy: on Linux a thread has a nice value
// of its own, and this one lowers its own (elsewhere the call would lower the whole hub).
if (process.platform === 'linux')
  try {
    os.setPriority(0, SHIPPER_NICE);
  } catch {
    // Not allowed here: the shipper runs at the hub's priority, and still rests while the hall is busy.
  }
const options = workerData.options as ShipperOptions;
const shipper = new Shipper(
  options,
  (status) => parentPort!.postMessage({ kind: 'status', status }),
  cityHooks(),
  (parted) => parentPort!.postMessage({ kind: 'parted', parted }),
);
parentPort!.on('message', (message: { kind: 'wake' | 'stop' } | { kind: 'busy'; until: number }) => {
  if (message.kind === 'busy') shipper.hallBusy(message.until);
  else if (message.kind === 'wake') shipper.wake();
  else void shipper.stop();
});
await shipper.run();
parentPort!.postMessage({ kind: 'stopped' });

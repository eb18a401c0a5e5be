import { createRequire } from 'node:module';
import path from 'node:path';
import { HUB_NODE_FLAGS } from '../node-flags';
import type { ServicePlan } from './plan';

export const WINDOWS_SERVICE_NAME = 'ServiceHall hub';
/** Where node-windows puts the WinSW executable and its XML (it adds a `daemon` folder). */
export const windowsServiceFolder = (plan: ServicePlan) => path.join(plan.root, 'windows-service');

/** The subset of node-windows' Service that the hub uses. */
interface NodeWindowsService {
  readonly _xml: string;
  on(event: 'install' | 'alreadyinstalled' | 'invalidinstallation' | 'start', listener: () => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  install(dir?: string): void;
  start(): void;
}
type ServiceClass = new (config: Record<string, unknown>) => NodeWindowsService;

/**
 * node-windows' service: WinSW runs node-windows' wrapper, which runs the hub and starts it again
 * when it stops unexpectedly (waiting 2 s, then 3 s, ..., at most 10 times in a row). The wrapper
 * asks the hub to stop with a 'shutdown' message (the hub closes its database, as for SIGTERM).
 * The hub's own log is a rotating file (SERVICEHALL_LOG_FILE: daily and at 10 MB, 14 kept); WinSW's
 * capture of the wrapper's output rolls at 10 MB, 8 kept.
 */
export function nodeWindowsConfig(plan: ServicePlan): Record<string, unknown> {
  return {
    name: WINDOWS_SERVICE_NAME,
    description: `ServiceHall hub${plan.hall ? ` (${plan.hall})` : ''}: the hall's single writer; data in ${plan.dataDir}`,
    script: plan.cli,
    execPath: plan.node,
    nodeOptions: [...HUB_NODE_FLAGS],
    workingDirectory: plan.root,
    env: Object.entries(plan.env).map(([name, value]) => ({ name, value })),
    wait: 2,
    grow: 0.5,
    maxRestarts: 10,
    stopparentfirst: true,
    stoptimeout: 30,
    logpath: path.join(plan.dataDir, 'logs', 'service'),
    logging: { mode: 'roll-by-size', sizeThreshold: 10240, keepFiles: 8 },
  };
}

function serviceClass(forInstall: boolean): ServiceClass {
  const require = createRequire(import.meta.url);
  if (forInstall) return (require('node-windows') as { Service: ServiceClass }).Service;
  // The package's entry refuses to load off Windows; its Service class on its own only builds the XML here.
  return require('node-windows/lib/daemon') as ServiceClass;
}

/** The WinSW configuration node-windows writes for this plan (node-windows 1.0.0-beta.8 prints a debug line while building it). */
export function winswXml(plan: ServicePlan): string {
  const Service = serviceClass(false);
  const service = new Service(nodeWindowsConfig(plan));
  const print = console.log;
  console.log = () => {};
  try {
    return service._xml;
  } finally {
    console.log = print;
  }
}

/** Installs and starts the Windows service (as Administrator). */
export function installWindowsService(plan: ServicePlan): Promise<'installed' | 'already installed'> {
  const Service = serviceClass(true);
  const service = new Service(nodeWindowsConfig(plan));
  return new Promise((resolve, reject) => {
    service.on('install', () => {
      service.start();
      resolve('installed');
    });
    service.on('alreadyinstalled', () => resolve('already installed'));
    service.on('invalidinstallation', () => reject(new Error(`a broken earlier installation is in ${windowsServiceFolder(plan)}\\daemon: remove it and try again`)));
    service.on('error', (error) => reject(error instanceof Error ? error : new Error(String(error))));
    service.install(windowsServiceFolder(plan));
  });
}

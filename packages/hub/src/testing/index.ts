// What other packages' tests and benches use of the hub: its history generator, the hub as a process, a bare terminal.
export * from './year';
export { childrenOf, freePort, metricIn, spawnHub, type HubProcess } from './hub-process';
export { TestTerminal } from './terminal';
export { hallKeyOf } from './hall-db';
export { firstAdmin, openWizard, staffMember, TestConsole } from './console';
export { dayLeftUnfinished, hallAt, type HallApi } from './day-end';

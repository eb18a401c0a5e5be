import type { DeviceReport } from '@servicehall/core';

/** A device as its terminal knows it; a fault with what its line said of it (which port, what is wrong, what to do). */
export type DeviceHealth = { kind: 'absent' } | { kind: 'ok' } | { kind: 'warning'; code: string } | { kind: 'fault'; code: string; detail?: string };

/** The most a report's detail holds (core's DeviceReportSchema). */
const DETAIL_MAX = 200;

/**
 * A device as the hub's device board is told it (H-04, H-17). A fault's detail goes with it, its
 * first line only and within the report's 200 characters, so that the hub never refuses the report
 * for its words; a terminal of the older release sends none, and the board shows the code alone.
 */
export function deviceReport(kind: DeviceReport['kind'], name: string, state: DeviceHealth): DeviceReport {
  switch (state.kind) {
    case 'absent':
      return { kind, name, status: 'absent' };
    case 'ok':
      return { kind, name, status: 'ok' };
    case 'warning':
      return { kind, name, status: 'warning', code: state.code };
    case 'fault': {
      const detail = state.detail?.split(/[\r\n]/, 1)[0]!.trim().slice(0, DETAIL_MAX);
      return { kind, name, status: 'fault', code: state.code, ...(detail ? { detail } : {}) };
    }
  }
}

import fs from 'node:fs';
import type { HubLimits } from './limits';

/**
 * The soft limit of open files in the text of /proc/self/limits ("Max open files  20000  20000
 * files"): what the process may open now. Undefined when it is unlimited or the text has no such line.
 */
export function openFileLimitIn(text: string): number | undefined {
  const line = /^Max open files\s+(\S+)\s+(\S+)\s+files\s*$/m.exec(text);
  if (!line || !/^\d+$/.test(line[1]!)) return undefined;
  const n = Number(line[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** This process's limit of open files (Node has no getrlimit: Linux says it in /proc), or undefined elsewhere. */
export function openFileLimit(file = '/proc/self/limits'): number | undefined {
  try {
    return openFileLimitIn(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Descriptors kept for the hub's own files (database, WAL, log, backups), its processes and its peers: a fifth, 256 at least. */
export const descriptorsKept = (limit: number) => Math.max(256, Math.ceil(limit / 5));

export interface LoweredCap {
  name: string;
  from: number;
  to: number;
}

/**
 * The caps of connections and of the phones' streams, kept well under the process's limit of open
 * files: a hub that reached its caps would else run out of descriptors first, and fail to open its
 * database, its log or a terminal's link instead of answering 503 politely. A connection beyond the
 * cap in all holds its descriptor until it is answered, up to twice the cap (ConnectionCount), so
 * that cap takes half of what is left. Each cap lowered is named, for the operator.
 */
export function withinDescriptors(limits: HubLimits, openFiles: number | undefined): { limits: HubLimits; lowered: LoweredCap[] } {
  if (openFiles === undefined) return { limits, lowered: [] };
  const usable = Math.max(2, openFiles - descriptorsKept(openFiles));
  const lowered: LoweredCap[] = [];
  const cap = (name: string, from: number, most: number) => {
    const to = Math.max(1, Math.min(from, most));
    if (to < from) lowered.push({ name, from, to });
    return to;
  };
  const connections = cap('connections', limits.connections, Math.floor(usable / 2));
  const connectionsPerAddress = cap('connectionsPerAddress', limits.connectionsPerAddress, connections);
  const streams = cap('phone.streams', limits.phone.streams, usable);
  const streamsPerAddress = cap('phone.streamsPerAddress', limits.phone.streamsPerAddress, streams);
  return { limits: { ...limits, connections, connectionsPerAddress, phone: { ...limits.phone, streams, streamsPerAddress } }, lowered };
}

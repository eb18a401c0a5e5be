import type { NamedTerminal } from '@servicehall/core';

/** The hall's terminals as the city keeps them (halls.terminals): each's id, role and window only, in id order; one text for one list. */
export function terminalsJson(terminals: readonly NamedTerminal[]): string {
  const named = terminals.map((t) => ({ terminal: t.terminal, role: t.role, ...(t.window !== undefined ? { window: t.window } : {}) }));
  return JSON.stringify(named.sort((a, b) => (a.terminal < b.terminal ? -1 : a.terminal > b.terminal ? 1 : 0)));
}

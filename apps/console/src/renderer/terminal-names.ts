import type { Strings } from './i18n';

interface NamedTerminal {
  terminal: string;
  role: string;
  window?: number;
}

/**
 * Each terminal as staff name it (取号机 1, 大厅屏, 3号窗口评价器), not by its id (kiosk-1, hall-display, pad-3):
 * one at a window by the window, a kiosk or a hall screen by its kind, numbered in id order when the hall has
 * several. A role the console does not know is named by its id.
 */
export function terminalNames(t: Strings, terminals: readonly NamedTerminal[]): Map<string, string> {
  const n = t.board.terminalNames;
  const byId = [...terminals].sort((a, b) => a.terminal.localeCompare(b.terminal, 'en', { numeric: true }));
  const names = new Map<string, string>();
  for (const x of byId) {
    if ((x.role === 'window' || x.role === 'rating-pad') && x.window !== undefined) names.set(x.terminal, n[x.role](x.window));
    else if (x.role === 'kiosk' || x.role === 'display') {
      const same = byId.filter((y) => y.role === x.role);
      names.set(x.terminal, n[x.role](same.length > 1 ? same.indexOf(x) + 1 : undefined));
    } else names.set(x.terminal, t.terminals.roles[x.role] ?? x.terminal);
  }
  return names;
}

/** A notification channel by its name, or one without by its kind in the console's language (短信（写入日志）), never by its id (demo-sms). */
export function channelName(t: Strings, c: { id: string; kind: string; name?: string }): string {
  return c.name ?? t.channels.kinds[c.kind] ?? c.id;
}

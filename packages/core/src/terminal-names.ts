import { windowNo, type Language } from './strings';

/** A terminal as the hub knows it: its id, its role, and its window when it stands at one. */
export interface NamedTerminal {
  terminal: string;
  role: string;
  window?: number;
}

/** The words terminals are named in: a kind numbered when the hall has several, one at a window by the window, each role's name. */
export const TERMINAL_WORDS = {
  'zh-CN': {
    kiosk: (n?: number) => (n ? `取号机 ${n}` : '取号机'),
    display: (n?: number) => (n ? `大厅屏 ${n}` : '大厅屏'),
    window: (w: number) => `${windowNo(w)}终端`,
    'rating-pad': (w: number) => `${windowNo(w)}评价器`,
    roles: { kiosk: '取号机', window: '窗口终端', 'rating-pad': '评价器', display: '大厅显示屏', admin: '管理' } as Record<string, string>,
    /** Inside the window's own tile, where the window is already said. */
    atWindow: { window: '终端', 'rating-pad': '评价器' } as Record<string, string>,
  },
  en: {
    kiosk: (n?: number) => (n ? `Kiosk ${n}` : 'Kiosk'),
    display: (n?: number) => (n ? `Hall screen ${n}` : 'Hall screen'),
    window: (w: number) => `Window ${w} terminal`,
    'rating-pad': (w: number) => `Window ${w} rating pad`,
    roles: { kiosk: 'Kiosk', window: 'Window terminal', 'rating-pad': 'Rating pad', display: 'Hall screen', admin: 'Admin' } as Record<string, string>,
    atWindow: { window: 'Terminal', 'rating-pad': 'Rating pad' } as Record<string, string>,
  },
} satisfies Record<Language, unknown>;

/**
 * Each terminal as staff name it (取号机 1, 大厅屏, 3号窗口评价器), not by its id (kiosk-1, hall-display, pad-3):
 * one at a window by the window, a kiosk or a hall screen by its kind, numbered in id order when the hall has
 * several. A role not known here is named by its id. The board, the alerts and the notices all say these.
 */
export function terminalNames(terminals: readonly NamedTerminal[], language: Language): Map<string, string> {
  const n = TERMINAL_WORDS[language];
  const byId = [...terminals].sort((a, b) => a.terminal.localeCompare(b.terminal, 'en', { numeric: true }));
  const names = new Map<string, string>();
  for (const x of byId) {
    if ((x.role === 'window' || x.role === 'rating-pad') && x.window !== undefined) names.set(x.terminal, n[x.role](x.window));
    else if (x.role === 'kiosk' || x.role === 'display') {
      const same = byId.filter((y) => y.role === x.role);
      names.set(x.terminal, n[x.role](same.length > 1 ? same.indexOf(x) + 1 : undefined));
    } else names.set(x.terminal, n.roles[x.role] ?? x.terminal);
  }
  return names;
}

/**
 * A terminal inside its own window's tile on the board, which already says the window: 评价器, 终端 (not
 * 1号窗口评价器 again); one of another window, or at none, by its full name from terminalNames.
 */
export function terminalNameAtWindow(t: NamedTerminal, window: number, names: ReadonlyMap<string, string>, language: Language): string {
  const own = t.window === window ? TERMINAL_WORDS[language].atWindow[t.role] : undefined;
  return own ?? names.get(t.terminal) ?? t.terminal;
}

import { RATING_LEVEL_NAMES, type HallAlert } from '@servicehall/core';
import type { Language, Strings } from './i18n';

/** An alert in the console's words (the notices sent through the channels say the same), each terminal by its name (`names`: hallTerminalNames), not its id. */
export function alertText(a: HallAlert, t: Strings, language: Language, names: ReadonlyMap<string, string>): string {
  const s = a.subject;
  const x = t.alerts.text;
  const named = (terminal: string) => names.get(terminal) ?? terminal;
  switch (s.kind) {
    case 'wait-threshold':
      return s.waitingCount !== undefined && s.longestMinutes < s.thresholdMinutes ? x.waitCount(s.item, s.waiting, s.waitingCount, s.longestMinutes) : x.wait(s.item, s.waiting, s.longestMinutes, s.thresholdMinutes);
    case 'long-pause':
      return x.pause(s.window, s.minutes, s.allowedMinutes);
    case 'device-fault':
      return x.device(named(s.terminal), t.board.deviceKinds[s.device] ?? s.device, t.board.deviceCodes[s.fault] ?? t.board.deviceCodes.fault!, s.detail);
    case 'terminal-offline':
      return x.offline(named(s.terminal), s.minutes);
    case 'devices-not-ready':
      return x.notReady(s.terminals.map(named).join(language === 'en' ? ', ' : '、'), s.opensAt);
    case 'bad-rating':
      return x.rating(s.window, s.ticket, s.item, RATING_LEVEL_NAMES[s.level][language]);
    case 'overdue':
      return x.overdue(t.alerts.subjects[s.subject] ?? s.subject, s.reference, s.due);
    case 'standby-unlinked':
      return x.standby(s.state, s.minutes);
  }
}

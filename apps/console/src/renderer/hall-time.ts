import type { Language } from './i18n';

/** Times as the hall's clock shows them: in the hall's time zone, whatever zone the browser's computer is set to. */
export function hallTimes(language: Language, timeZone: string) {
  const shown = (options: Intl.DateTimeFormatOptions): Intl.DateTimeFormatOptions => ({ timeZone, hourCycle: 'h23', ...options });
  return {
    /** Day and time, or only the parts `options` names. */
    at: (at: number, options: Intl.DateTimeFormatOptions = {}) => new Date(at).toLocaleString(language, shown(options)),
    day: (at: number) => new Date(at).toLocaleDateString(language, shown({})),
    /** HH:MM, with the seconds when asked. */
    clock: (at: number, seconds = false) => new Date(at).toLocaleTimeString(language, shown({ hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}) })),
  };
}

export type HallTimes = ReturnType<typeof hallTimes>;

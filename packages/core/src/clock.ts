/**
 * The hall's local calendar day and clock time for an instant. Pure: the instant and the zone are
 * arguments; Intl does the zone arithmetic, so daylight-saving zones work too.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalTime {
  /** YYYY-MM-DD */
  day: string;
  /** HH:MM */
  time: string;
  /** minutes since local midnight */
  minutes: number;
}

/** The last minute asked for, per zone: every command asks the day, and most ask within the same minute. */
const lastMinute = new Map<string, { minute: number; value: LocalTime }>();

export function localTime(at: number, timeZone: string): LocalTime {
  // Zone offsets have been whole minutes everywhere since 1972, so the whole minute decides the answer.
  const minute = Math.floor(at / 60_000);
  const last = lastMinute.get(timeZone);
  if (last?.minute === minute) return { ...last.value };
  const value = computeLocalTime(minute * 60_000, timeZone);
  lastMinute.set(timeZone, { minute, value });
  return { ...value };
}

function computeLocalTime(at: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) parts[p.type] = p.value;
  const hour = parts.hour === '24' ? '00' : (parts.hour ?? '00');
  const minute = parts.minute ?? '00';
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${hour}:${minute}`,
    minutes: Number(hour) * 60 + Number(minute),
  };
}

/** A hub clock this far from the city database's is said (the city's view, the hall's console, the hub's log): its days and hours are not the city's. */
export const HUB_CLOCK_OFF_MS = 5 * 60_000;

/** Whether a hub's clock, `aheadMs` from the city database's (positive: fast), is off enough to say so. */
export const isHubClockOff = (aheadMs: number | undefined): boolean => aheadMs !== undefined && Math.abs(aheadMs) >= HUB_CLOCK_OFF_MS;

export function hallDay(at: number, timeZone: string): string {
  return localTime(at, timeZone).day;
}

export function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** The instant at which the hall's clock shows `hhmm` on `day` (the inverse of localTime; 24:00 is the next midnight). */
export function zonedInstant(day: string, hhmm: string, timeZone: string): number {
  const asUtc = (d: string, minutes: number) => Date.parse(`${d}T00:00:00Z`) + minutes * 60_000;
  const wanted = asUtc(day, clockMinutes(hhmm));
  let guess = wanted;
  // The zone's offset at the guess, applied twice, settles it (daylight-saving changes included).
  for (let i = 0; i < 2; i++) {
    const shown = localTime(guess, timeZone);
    guess += wanted - asUtc(shown.day, shown.minutes);
  }
  return guess;
}

/**
 * What the benches' stand-in terminals read of the hub's events: which commands' events a message
 * holds, for the fan-out's figure (each command's events at every terminal), found in the message's
 * bytes as they came, not decoded and parsed.
 *
 * Why: the benches' 60 terminals share the hub's two cores, where a hall's are 60 machines of their
 * own, so they should do no more than they must. Decoding and parsing every events message at each of
 * them (in a busy phase, 200 messages a second of several kilobytes each, 60 times over) is work no
 * hall's terminal does on the hub's machine. Measured, it was not what held the hub: the terminals'
 * latencies did not move without it (docs/performance.md, "The bench's own stand-ins").
 */
import { eventsMessage } from '@servicehall/protocol';

/** The bytes every events message begins with (the protocol's own opening, whatever its list). */
const EVENTS_OPENING = Buffer.from(eventsMessage([]).slice(0, -']}'.length));
/** A command's id as an event carries it. JSON escapes every quote inside a string, so this is never part of a value. */
const COMMAND_ID_KEY = Buffer.from('"commandId":"');
const QUOTE = 0x22;

/** Whether a message from the hub is an events message, from its first bytes. */
export function isEventsMessage(data: Buffer): boolean {
  return data.length >= EVENTS_OPENING.length && data.compare(EVENTS_OPENING, 0, EVENTS_OPENING.length, 0, EVENTS_OPENING.length) === 0;
}

/**
 * The command ids of an events message's events, in order (an event the hub made itself, such as a
 * new day's, has none); undefined for any other message.
 */
export function commandIdsOfEvents(data: Buffer): string[] | undefined {
  if (!isEventsMessage(data)) return undefined;
  const ids: string[] = [];
  let at = data.indexOf(COMMAND_ID_KEY, EVENTS_OPENING.length);
  while (at >= 0) {
    const start = at + COMMAND_ID_KEY.length;
    const end = data.indexOf(QUOTE, start);
    if (end < 0) break;
    // Command ids are UUIDs, plain ASCII: latin1 reads them without UTF-8's checks.
    ids.push(data.toString('latin1', start, end));
    at = data.indexOf(COMMAND_ID_KEY, end + 1);
  }
  return ids;
}

/** How far one command's events have gone: to how many terminals, and when the latest of them had them. */
export interface Arrival {
  terminals: number;
  /** performance.now() at the last terminal to have them so far. */
  last: number;
}

/**
 * Each command's events as they reach the terminals, for the fan-out's figure: a count and the
 * latest time, not every terminal's time (sixty numbers a command, for thousands of commands a load,
 * all alive until the load ends for the bench's collector to copy).
 */
export class EventArrivals {
  private readonly commands = new Map<string, Arrival>();

  /** A message from the hub reached one terminal at `at` (one process's clock, so each is later than the one before). */
  heard(data: Buffer, at: number): void {
    for (const id of commandIdsOfEvents(data) ?? []) {
      const arrival = this.commands.get(id);
      if (arrival) {
        arrival.terminals += 1;
        arrival.last = at;
      } else this.commands.set(id, { terminals: 1, last: at });
    }
  }

  /** Every command whose events reached a terminal, with how far they went. */
  entries(): IterableIterator<[string, Arrival]> {
    return this.commands.entries();
  }

  clear(): void {
    this.commands.clear();
  }
}

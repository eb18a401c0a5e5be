import type { CommandBody } from '../commands';
import type { EventBody } from '../events';
import { ok, refuse, type Result } from '../result';
import { currentTicket, heldTickets, windowOf, type DecideContext, type Decision, type EventOf, type HallView } from './view';
import { readyWindow, windowFor } from './tickets';

// Windows and their terminals: signing in, opening, pausing, closing, and the devices they report (H-04, H-18).

export type WindowEventType = 'window.opened' | 'window.closed' | 'window.paused' | 'window.resumed' | 'devices.reported';

export type WindowCommand = Extract<CommandBody, { type: 'signIn' | 'openWindow' | 'closeWindow' | 'pauseWindow' | 'resumeWindow' | 'reportDevices' }>;

export function applyWindowEvent(view: HallView, event: EventOf<WindowEventType>): void {
  switch (event.type) {
    case 'window.opened': {
      const w = windowOf(view, event.window);
      w.open = true;
      w.clerk = event.clerk;
      w.pausedSince = undefined;
      w.pauseReason = undefined;
      w.dayEndedAt = undefined;
      break;
    }
    case 'window.closed': {
      const w = windowOf(view, event.window);
      w.open = false;
      w.clerk = undefined;
      w.pausedSince = undefined;
      w.pauseReason = undefined;
      w.dayEndedAt = event.dayEnded ? (event.happenedAt ?? event.at) : undefined;
      break;
    }
    case 'window.paused': {
      const w = windowOf(view, event.window);
      w.pausedSince = event.at;
      w.pauseReason = event.reason;
      break;
    }
    case 'window.resumed': {
      const w = windowOf(view, event.window);
      w.pausedSince = undefined;
      w.pauseReason = undefined;
      break;
    }
    case 'devices.reported':
      view.devices.set(event.terminal, { terminal: event.terminal, role: event.role, ...(event.window !== undefined ? { window: event.window } : {}), at: event.at, devices: event.devices });
      break;
  }
}

/**
 * The windows left open when the hall day ends, each closed by the day: the clerk signs in again the
 * next morning (the day's calls are not counted as yesterday's clerk's), and a pause left open ends
 * at the hall's closing time `closesAt` (or at its own start when it began later).
 */
export function windowDayEndEvents(view: HallView, closesAt: number | undefined): EventBody[] {
  const out: EventBody[] = [];
  for (const w of view.windows.values()) {
    if (!w.open) continue;
    const at = closesAt === undefined ? w.pausedSince : Math.max(closesAt, w.pausedSince ?? 0);
    out.push({ type: 'window.closed', window: w.number, dayEnded: true, ...(at !== undefined ? { happenedAt: at } : {}) });
  }
  return out;
}

export function decideWindowCommand(view: HallView, command: WindowCommand, ctx: DecideContext): Result<Decision> {
  switch (command.type) {
    case 'signIn':
    case 'openWindow': {
      // For signIn the hub has checked the PIN before this point; here the rules of the hall.
      const w = windowFor(view, command.window);
      if (!w.ok) return w;
      if (command.clerk !== undefined) {
        if (!view.catalogue.clerks.some((c) => c.number === command.clerk)) return refuse('not-found', `there is no clerk ${command.clerk}`);
        for (const other of view.windows.values())
          if (other.open && other.clerk === command.clerk && other.number !== command.window)
            return refuse('conflict', `clerk ${command.clerk} is signed in at window ${other.number}; sign out there first`);
      }
      return ok({ events: [{ type: 'window.opened', window: command.window, clerk: command.clerk }] });
    }
    case 'closeWindow': {
      const w = windowFor(view, command.window);
      if (!w.ok) return w;
      const busy = currentTicket(view, command.window);
      if (busy) return refuse('window-busy', `window ${command.window} is still with ${busy.number}`);
      // Held here, or transferred to this window: only this window calls them, so closing it would leave them waiting all day.
      const waiting = [...heldTickets(view, command.window), ...(view.waitingAt.get(command.window)?.values() ?? [])].sort((a, b) => a.place - b.place);
      if (waiting.length > 0)
        return refuse('window-busy', `tickets ${waiting.map((t) => t.number).join(', ')} wait for window ${command.window} alone (held here or transferred here): call them or transfer them first`);
      return ok({ events: [{ type: 'window.closed', window: command.window }] });
    }
    case 'pauseWindow': {
      const w = readyWindow(view, command.window);
      if (!w.ok) return w;
      return ok({ events: [{ type: 'window.paused', window: command.window, reason: command.reason }] });
    }
    case 'resumeWindow': {
      const w = windowFor(view, command.window);
      if (!w.ok) return w;
      if (w.value.pausedSince === undefined) return refuse('illegal-transition', `window ${command.window} is not paused`);
      return ok({ events: [{ type: 'window.resumed', window: command.window }] });
    }
    case 'reportDevices': {
      const before = view.devices.get(ctx.actor.terminal);
      // Polling agents report often; only a change becomes an event.
      if (before && JSON.stringify(before.devices) === JSON.stringify(command.devices)) return ok({ events: [] });
      // Its window too (a window terminal's, a rating pad's): one known only by its report is still named 1号窗口评价器.
      const window = 'window' in ctx.actor && ctx.actor.window !== undefined ? { window: ctx.actor.window } : {};
      return ok({ events: [{ type: 'devices.reported', terminal: ctx.actor.terminal, role: ctx.actor.role, ...window, devices: command.devices }] });
    }
  }
}

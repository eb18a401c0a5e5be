import type { AgentContext, AgentParts } from '@servicehall/agent';
import { findWindow, itemWait, type HallEvent, type HallView } from '@servicehall/core';
import type { Board, CallShown, HallDisplayShape } from '../shared/api';

const RECENT_CALLS = 12;

export function boardOf(view: HallView, calls: CallShown[]): Board {
  return {
    hallName: view.catalogue.hall.name,
    complaintPhone: view.catalogue.hall.complaintPhone,
    calls,
    waiting: view.catalogue.items
      .map((item) => ({ code: item.code, name: item.name, ...itemWait(view, item.code) }))
      .filter((w) => w.waiting > 0)
      .map(({ code, name, waiting, minutes }) => ({ code, name, waiting, minutes })),
  };
}

/** Calls in the order the windows made them, newest first; a recall comes to the top again. */
export function recordCalls(calls: CallShown[], events: readonly HallEvent[], view: HallView): CallShown[] {
  let out = calls;
  for (const e of events) {
    if (e.type !== 'ticket.called' && e.type !== 'ticket.recalled') continue;
    const t = view.tickets.get(e.id);
    if (!t) continue;
    const shown: CallShown = {
      ticket: t.number,
      window: e.window,
      windowName: findWindow(view.catalogue, e.window)?.name ?? `${e.window}号窗口`,
      at: e.at,
      recall: e.type === 'ticket.recalled',
    };
    out = [shown, ...out.filter((c) => c.ticket !== t.number)].slice(0, RECENT_CALLS);
  }
  return out;
}

export function createHallDisplayAgent(ctx: AgentContext<HallDisplayShape>): AgentParts<HallDisplayShape> {
  let calls: CallShown[] = [];
  const stop = ctx.client.subscribe((change) => {
    if (change.kind !== 'view') return;
    if (change.snapshot) calls = [];
    calls = recordCalls(calls, change.events, change.view);
    ctx.push('board', boardOf(change.view, calls));
  });
  return {
    handlers: {
      hello: () => ({ terminal: ctx.config.terminal, language: ctx.config.language }),
    },
    stop,
  };
}

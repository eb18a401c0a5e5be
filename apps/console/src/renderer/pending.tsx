import { addCalendarDays, findWindow, hallDay, pendingAtOpening, type HallView, type PendingCancel, type ScheduledChange } from '@servicehall/core';
import { useMemo, type ReactNode } from 'react';
import { useConsole } from './App';

/**
 * The changes waiting for the day's end, each with why the next opening will not apply it when it
 * will not, as core's pendingAtOpening says (the opening itself reads it): 今日调整 and 大厅概况.
 */
export function PendingChanges({ view, title, action }: { view: HallView; title: string; action?: (p: ScheduledChange) => ReactNode }) {
  const { t, times, hubNow } = useConsole();
  // Any day after today opens alike: today's temporary windows and changes end.
  const next = addCalendarDays(view.day || hallDay(hubNow(), view.catalogue.hall.timeZone), 1);
  // Worked out when the waiting changes or the setup change, not at each of the hall's events the page is drawn again for
  // (a big hall's waiting setup is carried over its 2,000 items each time).
  const outcomes = useMemo(() => pendingAtOpening(view, next), [view.pending, view.catalogue, next]);
  if (view.pending.length === 0) return null;
  const name = (code: string) => view.catalogue.items.find((i) => i.code === code)?.name ?? code;
  // As 今日调整's rows say it (60号窗口 临时窗口60); a window no longer in the setup by its number alone.
  const windowName = (n: number) => t.today.windowName(n, findWindow(view.catalogue, n)?.name ?? '');
  const hhmm = (at: number) => times.clock(at);
  const notice = (why: PendingCancel): string => {
    switch (why.kind) {
      case 'overtaken':
        return t.today.overtaken(why.by.staff?.name ?? '—', hhmm(why.by.at), why.by.window);
      case 'behind': {
        const c = why.change;
        return t.today.behind(c.staff?.name ?? '—', hhmm(c.at), c.change.type === 'assignWindowItems' ? c.change.window : undefined);
      }
      case 'window-gone':
        return t.today.windowGone(why.window, findWindow(view.catalogue, why.window)?.temporary !== undefined);
      case 'item-gone':
        return t.today.itemGone(name(why.serviceCode));
    }
  };
  return (
    <section className="card">
      <h2>{title}</h2>
      <ul>
        {outcomes.map((o) => {
          const p = o.pending;
          return (
            <li key={p.id}>
              {p.change.type === 'assignWindowItems' ? t.today.pendingWindow(windowName(p.change.window), p.change.serves.map(name).join('、')) : t.audit.actions.replaceCatalogue}
              {p.staff ? ` · ${p.staff.name}` : ''} {action?.(p)}
              {'cancelled' in o && (
                <p className="notice" data-testid={`not-applied-${p.id}`} data-why={o.cancelled.kind}>
                  {notice(o.cancelled)}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

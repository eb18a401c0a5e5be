import { activeAlerts, alertAsItStands, alertDepartment, hallBoard, type HallAlert } from '@servicehall/core';
import { command, CONSOLE_STAFF, SUPERVISORS } from './console-api';
import { flagQuery, HttpRefusal, type Operation, type Request } from './http';
import type { HallNotifications } from './notifications';
import type { HallStore } from './store';
import type { HallSupervision } from './supervision';

export interface SupervisionContext {
  store: HallStore;
  supervision: HallSupervision;
  notifications: HallNotifications;
}

/** A department head sees the alerts of their own department; the hall's supervisors see them all. */
function seesAlert(req: Request, alert: HallAlert): boolean {
  const s = req.session?.staff;
  return !s || s.role !== 'department-head' || alertDepartment(alert) === s.department;
}

/** The live hall's operations: the board, the alerts and their acknowledgement, the notification channels. */
export function supervisionOperations(ctx: SupervisionContext): Operation[] {
  const { store, supervision, notifications } = ctx;
  return [
    {
      method: 'GET',
      path: '/api/board',
      operationId: 'getHallBoard',
      summary:
        "The live hall (the console's board gets the same pushed): every window (open, paused with reason and minutes, serving whom since when, its clerk, its devices), every item's queue (waiting, longest and expected wait, windows open), every terminal and device, today's figures, the morning device check and the standing alerts",
      staff: CONSOLE_STAFF,
      handle: (req) => {
        const board = hallBoard(store.view, supervision.facts());
        return { status: 200, body: { ok: true, board: { ...board, alerts: board.alerts.filter((a) => seesAlert(req, a)) } } };
      },
    },
    {
      method: 'GET',
      path: '/api/alerts',
      operationId: 'listAlerts',
      summary: "Today's alerts, newest first, with who acknowledged each and when its condition ended (?standing=1: only those whose condition lasts); a department head gets their department's",
      staff: CONSOLE_STAFF,
      query: { standing: '1 or true: only the alerts whose condition lasts (0, false or none: all)' },
      handle: (req) => {
        const all = flagQuery(req.query, 'standing') ? activeAlerts(store.view) : [...store.view.alerts.values()].map((a) => alertAsItStands(store.view, a)).sort((a, b) => b.raisedAt - a.raisedAt);
        return { status: 200, body: { ok: true, alerts: all.filter((a) => seesAlert(req, a)) } };
      },
    },
    {
      method: 'POST',
      path: '/api/alerts/{id}/acknowledge',
      operationId: 'acknowledgeAlert',
      summary: 'A staff member has seen an alert: it is no longer sounded, and stays shown while its condition lasts',
      staff: CONSOLE_STAFF,
      handle: (req) => {
        const alert = store.view.alerts.get(req.params.id!);
        if (alert && !seesAlert(req, alert)) throw new HttpRefusal('forbidden', `alert ${alert.id} concerns ${alertDepartment(alert) ?? 'the whole hall'}, not ${req.session?.staff.department}`);
        return command(store, req, { type: 'acknowledgeAlert', alertId: req.params.id! });
      },
    },
    {
      method: 'GET',
      path: '/api/notify/channels',
      operationId: 'listNotificationChannels',
      summary: "The hall's notification channels (robots, SMS), without their secrets: kind, target host, the notices and departments each takes, its notices waiting, sending, dead or of unknown result, and whether it is paused (until when, and why: a rate limit, a failing provider, answers that never came)",
      staff: SUPERVISORS,
      handle: () => {
        const backlog = notifications.notifier.outbox.backlog();
        const pauses = notifications.notifier.outbox.pauses(notifications.notifier.clock());
        const channels = notifications.notifier.channels().map((c) => {
          const pause = pauses.find((p) => p.channel === c.id);
          return {
            ...c,
            backlog: Object.fromEntries(backlog.filter((b) => b.channel === c.id).map((b) => [b.state, b.count])),
            ...(pause ? { paused: { until: pause.until, reason: pause.reason } } : {}),
          };
        });
        return { status: 200, body: { ok: true, channels } };
      },
    },
    {
      method: 'POST',
      path: '/api/notify/channels/{id}/test',
      operationId: 'testNotificationChannel',
      summary: 'Sends a test message through one channel (once per Idempotency-Key), through the outbox like every notice',
      staff: SUPERVISORS,
      handle: (req) => {
        const r = notifications.notifier.notify({ kind: 'channel-test' }, { key: `channel-test:${req.scope}:${req.commandId}`, channel: req.params.id!, language: req.language });
        if (!r.ok) throw new HttpRefusal(r.code === 'unknown-channel' ? 'not-found' : 'bad-request', r.message);
        notifications.wake();
        return { status: 202, body: { ok: true, queued: r.queued } };
      },
    },
  ];
}


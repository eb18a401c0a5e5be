import { faultDetailNow, type DeviceReport } from '@servicehall/core';
import type pg from 'pg';
import type { CityEvent } from './mask';
import type { BatchHook } from './ship';

/**
 * Ratings for the provincial 好差评 platform, queued in the batch that brings them: each rating once
 * (keyed by hall and rating id), with what the citizen added before it went out.
 */
export const queueRatings: BatchHook = async (client, hall, events) => {
  const recorded = events.filter((e) => e.type === 'rating.recorded' && typeof (e.body.rating as { id?: unknown })?.id === 'string');
  if (recorded.length > 0)
    await client.query(
      `INSERT INTO rating_feed (hall, rating_id, seq, at, record)
       SELECT $1, u.id, u.seq, u.at, u.record::jsonb FROM unnest($2::text[], $3::bigint[], $4::float8[], $5::text[]) AS u(id, seq, at, record)
       ON CONFLICT (hall, rating_id) DO NOTHING`,
      [hall, recorded.map((e) => (e.body.rating as { id: string }).id), recorded.map((e) => e.seq), recorded.map((e) => e.at), recorded.map((e) => JSON.stringify(e.body.rating))],
    );
  for (const e of events) {
    if (e.type !== 'rating.amended') continue;
    const { aspects, reasons, text } = e.body as { aspects?: unknown; reasons?: unknown; text?: unknown };
    await client.query(
      `UPDATE rating_feed SET record = record || jsonb_strip_nulls(jsonb_build_object('aspects', $3::jsonb, 'reasons', $4::jsonb, 'text', $5::text, 'amendedAt', $6::float8))
       WHERE hall = $1 AND rating_id = $2 AND state = 'pending'`,
      [hall, e.body.ratingId, JSON.stringify(aspects ?? {}), JSON.stringify(reasons ?? []), text ?? null, e.at],
    );
  }
};

/**
 * An open device alert in what its terminal says now of the same fault, as the hall's console shows it (core's
 * alertAsItStands): a port held by another program, then gone, is one alert (未连接 both times) whose words follow
 * the terminal's reports. hall_events keeps the words it was raised with.
 */
async function followDeviceWords(client: pg.ClientBase, hall: string, body: Record<string, unknown>, only: readonly string[] | null): Promise<void> {
  const { terminal, devices } = body as { terminal?: unknown; devices?: unknown };
  if (typeof terminal !== 'string' || !Array.isArray(devices)) return;
  // The hall's log holds what its schema let in; a body that is not so is passed over, never a batch stuck on it.
  const reported = devices.filter((d): d is DeviceReport => !!d && typeof d === 'object' && (d as DeviceReport).status === 'fault' && ['undefined', 'string'].includes(typeof (d as DeviceReport).detail));
  if (reported.length === 0) return;
  const open = await client.query<{ id: string; subject: { device: string; fault: string; detail?: string } }>(
    "SELECT id, subject FROM hall_alerts WHERE hall = $1 AND kind = 'device-fault' AND NOT cleared AND subject->>'terminal' = $2 AND ($3::text[] IS NULL OR id = ANY($3))",
    [hall, terminal, only],
  );
  for (const a of open.rows) {
    const detail = faultDetailNow(reported, a.subject);
    if (detail !== undefined && detail !== a.subject.detail)
      await client.query("UPDATE hall_alerts SET subject = jsonb_set(subject, '{detail}', to_jsonb($3::text)) WHERE hall = $1 AND id = $2", [hall, a.id, detail]);
  }
}

/** The supervisors' alerts of each hall as they stand: raised, acknowledged (handled), cleared, an open device fault in its terminal's words now. */
export const followAlerts: BatchHook = (client, hall, events) => applyAlertEvents(client, hall, events, null);

/** The event types that make the city's alerts (followAlerts). */
export const ALERT_EVENT_TYPES = ['alert.raised', 'alert.acknowledged', 'alert.cleared', 'devices.reported'] as const;

/**
 * followAlerts' work on the alerts `only` names (all when null): a failover's set-aside makes those
 * it touched again from the city's copy of the hall's log up to the branch, and no other.
 */
export async function applyAlertEvents(client: pg.ClientBase, hall: string, events: readonly CityEvent[], only: readonly string[] | null): Promise<void> {
  const named = only && new Set(only);
  for (const e of events) {
    if (e.type === 'devices.reported') await followDeviceWords(client, hall, e.body, only);
    else if (named && !named.has(e.body.id as string)) continue;
    else if (e.type === 'alert.raised') {
      const subject = e.body.subject as { kind?: string };
      await client.query(
        `INSERT INTO hall_alerts (hall, id, seq, at, kind, subject) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (hall, id) DO UPDATE SET seq = excluded.seq, at = excluded.at, subject = excluded.subject, acknowledged = false, cleared = false`,
        [hall, e.body.id, e.seq, e.at, subject.kind ?? '', JSON.stringify(subject)],
      );
    } else if (e.type === 'alert.acknowledged') await client.query('UPDATE hall_alerts SET acknowledged = true WHERE hall = $1 AND id = $2', [hall, e.body.id]);
    else if (e.type === 'alert.cleared') await client.query('UPDATE hall_alerts SET cleared = true WHERE hall = $1 AND id = $2', [hall, e.body.id]);
  }
}

/** What the city does with each batch, inside its transaction. */
export function cityHooks(): BatchHook[] {
  return [queueRatings, followAlerts];
}

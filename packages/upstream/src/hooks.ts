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

/** The supervisors' alerts of each hall as they stand: raised, acknowledged (handled), cleared. */
export const followAlerts: BatchHook = async (client, hall, events) => {
  for (const e of events) {
    if (e.type === 'alert.raised') {
      const subject = e.body.subject as { kind?: string };
      await client.query(
        `INSERT INTO hall_alerts (hall, id, seq, at, kind, subject) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (hall, id) DO UPDATE SET seq = excluded.seq, at = excluded.at, subject = excluded.subject, acknowledged = false, cleared = false`,
        [hall, e.body.id, e.seq, e.at, subject.kind ?? '', JSON.stringify(subject)],
      );
    } else if (e.type === 'alert.acknowledged') await client.query('UPDATE hall_alerts SET acknowledged = true WHERE hall = $1 AND id = $2', [hall, e.body.id]);
    else if (e.type === 'alert.cleared') await client.query('UPDATE hall_alerts SET cleared = true WHERE hall = $1 AND id = $2', [hall, e.body.id]);
  }
};

/** What the city does with each batch, inside its transaction. */
export function cityHooks(): BatchHook[] {
  return [queueRatings, followAlerts];
}

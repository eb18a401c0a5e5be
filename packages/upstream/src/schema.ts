import type { ClientBase } from 'pg';
import { rollBack } from './transaction';

/**
 * The city's PostgreSQL schema, versioned like the hall's (each migration once, in order, in one
 * transaction with its version row). Every hub runs them at connect, under an advisory lock, so
 * that a city needs no step of its own beyond creating the database.
 */
export const CITY_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 70,
    name: 'halls with their shipping cursor, the event stream of every hall',
    sql: `
      CREATE TABLE halls (
        hall text PRIMARY KEY,
        name text NOT NULL,
        time_zone text NOT NULL DEFAULT 'Asia/Shanghai',
        -- The identity of the hall's event log (a hub restored from a backup starts a new one).
        log text,
        -- The cursor: every event up to shipped_seq is in hall_events, none after it.
        shipped_seq bigint NOT NULL DEFAULT 0,
        shipped_at timestamptz,
        -- The hall's own last sequence and time as its hub last said, so that the city sees how far behind a hall is.
        hall_seq bigint NOT NULL DEFAULT 0,
        hall_seen_at timestamptz,
        problem text
      );
      CREATE TABLE hall_events (
        hall text NOT NULL REFERENCES halls (hall),
        seq bigint NOT NULL,
        -- The hall's clock in epoch milliseconds, as its log holds it (not always whole).
        at double precision NOT NULL,
        type text NOT NULL,
        body jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (hall, seq)
      );
    `,
  },
  {
    version: 71,
    name: 'ratings for the provincial 好差评 platform: each once, retried, every attempt kept',
    sql: `
      CREATE TABLE rating_feed (
        hall text NOT NULL REFERENCES halls (hall),
        rating_id text NOT NULL,
        seq bigint NOT NULL,
        at double precision NOT NULL,
        record jsonb NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        sent_to text,
        PRIMARY KEY (hall, rating_id)
      );
      CREATE INDEX rating_feed_due ON rating_feed (next_at) WHERE state = 'pending';
      CREATE TABLE rating_feed_attempts (
        id bigserial PRIMARY KEY,
        hall text NOT NULL,
        rating_id text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        target text NOT NULL,
        ok boolean NOT NULL,
        status integer,
        answer text,
        record jsonb NOT NULL
      );
      CREATE INDEX rating_feed_attempts_rating ON rating_feed_attempts (hall, rating_id);
    `,
  },
  {
    version: 72,
    name: "the halls' supervisors' alerts as they stand, the city's accounts and their sessions",
    sql: `
      CREATE TABLE hall_alerts (
        hall text NOT NULL REFERENCES halls (hall),
        id text NOT NULL,
        seq bigint NOT NULL,
        at double precision NOT NULL,
        kind text NOT NULL,
        subject jsonb NOT NULL,
        acknowledged boolean NOT NULL DEFAULT false,
        cleared boolean NOT NULL DEFAULT false,
        PRIMARY KEY (hall, id)
      );
      CREATE INDEX hall_alerts_unhandled ON hall_alerts (hall, at) WHERE NOT acknowledged;
      -- 'city': every hall; 'hall': one hall's administrator, who sees that hall only.
      CREATE TABLE city_accounts (
        id text PRIMARY KEY,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('city', 'hall')),
        hall text,
        password_hash text NOT NULL,
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((role = 'hall') = (hall IS NOT NULL))
      );
      -- Only a hash of each session's secret is kept.
      CREATE TABLE city_sessions (
        id_hash text PRIMARY KEY,
        account text NOT NULL REFERENCES city_accounts (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 73,
    name: "a hall's parted tail: events the city held of a log the hall left at a failover or a restore, set aside",
    sql: `
      CREATE TABLE hall_events_parted (
        hall text NOT NULL REFERENCES halls (hall),
        -- The log they belonged to, and where the hall's log left it.
        log text,
        parted_after bigint NOT NULL,
        seq bigint NOT NULL,
        at double precision NOT NULL,
        type text NOT NULL,
        body jsonb NOT NULL,
        received_at timestamptz NOT NULL,
        parted_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX hall_events_parted_hall ON hall_events_parted (hall, parted_at, seq);
    `,
  },
  {
    version: 74,
    name: "a hall's terminals as its hub knows them, so that the city names them as the hall does",
    sql: `
      -- [{ terminal, role, window? }]: core's terminalNames makes 取号机 2, 1号窗口评价器 of them.
      ALTER TABLE halls ADD COLUMN terminals jsonb NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 75,
    name: "a hall's service items by code with their names, so that the city names them as the hall does",
    sql: `
      -- [{ code, name, nameEn? }] from the hall's catalogue: the city's reports say 居民身份证换领, not GA-SFZ-HL.
      ALTER TABLE halls ADD COLUMN items jsonb NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 76,
    name: "each hall's facts in a schema of its own: halls whose codes differed only in case or punctuation shared one",
    sql: `
      -- Before, a hall's schema was hall_ and its code lowercased with every other character as _ (cut to 63
      -- bytes by PostgreSQL): 330106-01 and 330106.01 wrote into one. Now (facts.ts hallSchema) a readable part
      -- and a hash of the exact code. A schema of one hall is renamed; one that two or more halls shared holds
      -- their facts mixed and is dropped: each hub makes its hall's again from its own log at its next connect.
      DO $$
      DECLARE
        r record;
      BEGIN
        FOR r IN
          SELECT old, array_agg(hall) AS halls
          FROM (SELECT hall, left('hall_' || regexp_replace(lower(hall), '[^a-z0-9_]', '_', 'g'), 63) AS old FROM halls) h
          GROUP BY old
        LOOP
          CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = r.old);
          IF cardinality(r.halls) = 1 THEN
            EXECUTE format('ALTER SCHEMA %I RENAME TO %I', r.old,
              'hall_' || left(lower(regexp_replace(r.halls[1], '[^A-Za-z0-9_]', '_', 'g')), 40) || '_' || left(md5(r.halls[1]), 10));
          ELSE
            EXECUTE format('DROP SCHEMA %I CASCADE', r.old);
          END IF;
        END LOOP;
      END $$;
    `,
  },
  {
    version: 77,
    name: "how far a hall's clock is from the city's, so that the city sees a hub whose clock is wrong",
    sql: `
      -- The hub's clock less the city database's, in milliseconds, as the hub last spoke (a batch, its word every
      -- minute): a hub hours off counts its day as another (the city's "today" for it is then empty).
      ALTER TABLE halls ADD COLUMN hall_clock_ahead_ms bigint;
    `,
  },
];

/** Applies the city's migrations not yet applied; several hubs may do so at once. */
export async function migrateCity(client: ClientBase): Promise<void> {
  await client.query('BEGIN');
  try {
    // One hub at a time: the others wait here, then find the work done.
    await client.query('SELECT pg_advisory_xact_lock(7017017)');
    await client.query('CREATE TABLE IF NOT EXISTS city_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM city_migrations')).rows.map((r) => r.version));
    for (const m of CITY_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO city_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await rollBack(client, error);
    throw error;
  }
}

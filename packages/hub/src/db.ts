import { NOTIFY_MIGRATION, NOTIFY_STAMP_MIGRATION, NOTIFY_UNKNOWN_MIGRATION } from '@servicehall/notify';
import Database from 'better-sqlite3';
import path from 'node:path';
import { checkDatabaseFile, DATABASE_FILE, databaseAccess, HubRefusal, makeDataFolder } from './files';
import { FENCING_MIGRATION } from './fencing';
import { LINEAGE_MIGRATION } from './lineage';
import { opsText, THEN_START_HUB, type Bilingual } from './ops-strings';
import { REPORTS_COMPLAINTS_MIGRATION, REPORTS_DAY_END_MIGRATION, REPORTS_DESK_DAYS_MIGRATION, REPORTS_MIGRATION } from './report-facts';

export type Db = Database.Database;

/** SQLite's page cache per connection, in KiB. */
export const PAGE_CACHE_KIB = 32 * 1024;

/** Versioned migrations: each runs once, in order, inside one transaction with its version row; `run` does what SQL alone cannot (a fold of the log). */
export const MIGRATIONS: readonly { version: number; name: string; sql: string; run?: (db: Db) => void }[] = [
  {
    version: 1,
    name: 'event log, command answers, read tables',
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        command_id TEXT,
        body TEXT NOT NULL
      );
      CREATE TABLE commands (
        id TEXT PRIMARY KEY,
        terminal TEXT NOT NULL,
        type TEXT NOT NULL,
        at INTEGER NOT NULL,
        answer TEXT NOT NULL
      );
      CREATE TABLE hall (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        number TEXT NOT NULL,
        service_code TEXT NOT NULL,
        state TEXT NOT NULL,
        lane TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (day, number)
      );
      CREATE INDEX tickets_day_state ON tickets (day, state);
      CREATE TABLE windows (number INTEGER PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE counters (key TEXT PRIMARY KEY, last INTEGER NOT NULL);
      CREATE TABLE appointments (code TEXT PRIMARY KEY, day TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE service_times (service_code TEXT PRIMARY KEY, body TEXT NOT NULL);
      -- The log is append-only: the database itself refuses to change or remove an event.
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'clerk PINs, cases, ratings, follow-ups, personal data with its access log',
    sql: `
      CREATE TABLE clerk_pins (
        clerk TEXT PRIMARY KEY,
        salt TEXT NOT NULL,
        hash TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE cases (number TEXT PRIMARY KEY, service_code TEXT NOT NULL, state TEXT NOT NULL, day TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL);
      CREATE TABLE ratings (id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL, day TEXT NOT NULL, level TEXT NOT NULL, window INTEGER NOT NULL, clerk TEXT, body TEXT NOT NULL);
      CREATE INDEX ratings_day ON ratings (day);
      CREATE TABLE follow_ups (id TEXT PRIMARY KEY, closed INTEGER NOT NULL, body TEXT NOT NULL);
      -- Names and ID numbers stay here, never in events or on screens (H-19).
      CREATE TABLE personal_data (case_number TEXT PRIMARY KEY, applicant TEXT NOT NULL, stored_at INTEGER NOT NULL);
      CREATE TABLE personal_data_access (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, who TEXT NOT NULL, case_number TEXT NOT NULL, purpose TEXT NOT NULL);
    `,
  },
  {
    version: 3,
    name: 'a year of history at constant cost: indexes for the lookups by ticket, day and state; correction deadlines',
    sql: `
      CREATE INDEX ratings_ticket ON ratings (ticket_id);
      CREATE INDEX cases_day ON cases (day);
      ALTER TABLE cases ADD COLUMN deadline TEXT;
      CREATE INDEX cases_waiting_deadline ON cases (deadline) WHERE state = 'correction';
      CREATE INDEX appointments_day ON appointments (day);
      CREATE INDEX follow_ups_closed ON follow_ups (closed);
      ALTER TABLE follow_ups ADD COLUMN day TEXT;
      CREATE INDEX follow_ups_day ON follow_ups (day);
      -- Today's tickets are found by the (day, number) key; an index on (day, state) only cost a write on every call.
      DROP INDEX tickets_day_state;
    `,
  },
  {
    version: 4,
    name: 'command answers kept for a bounded window, with the events they made: the log no longer repeats command ids',
    sql: `
      ALTER TABLE commands ADD COLUMN first_seq INTEGER;
      ALTER TABLE commands ADD COLUMN last_seq INTEGER;
      CREATE INDEX commands_at ON commands (at);
    `,
  },
  {
    version: 10,
    name: 'command ids scoped by their sender, with a keyed hash of the body',
    // The stored key is "<scope>|<id>" (until migration 120): a terminal's id, or ":http/<token tag>", ":hub", ":qr". Rows
    // from before keep their answers under the scope their sender column names.
    sql: `
      ALTER TABLE commands ADD COLUMN body_hash TEXT;
      UPDATE commands SET id = (CASE terminal WHEN 'http' THEN ':http' WHEN 'hub' THEN ':hub' WHEN 'qr-page' THEN ':qr' ELSE terminal END) || '|' || id;
    `,
  },
  {
    version: 11,
    name: "citizens' links used once",
    sql: `CREATE TABLE used_links (signature TEXT PRIMARY KEY, ticket_id TEXT NOT NULL, used_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);`,
  },
  {
    version: 12,
    name: 'personal-data access log: a note beside the purpose',
    sql: `ALTER TABLE personal_data_access ADD COLUMN note TEXT; CREATE INDEX personal_data_access_case ON personal_data_access (case_number);`,
  },
  {
    version: 20,
    name: 'staff accounts, console sessions, sign-in failures, audit, terminal credentials, clerk PIN changes',
    sql: `
      CREATE TABLE staff (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        department TEXT,
        password_hash TEXT NOT NULL,
        must_change INTEGER NOT NULL DEFAULT 1,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        created_by TEXT
      );
      -- Only a hash of each session's secret is kept: a copied database opens no session.
      CREATE TABLE staff_sessions (
        id_hash TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL,
        role TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        address TEXT
      );
      CREATE TABLE sign_in_failures (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until INTEGER NOT NULL, last_at INTEGER NOT NULL);
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        staff_id TEXT NOT NULL,
        staff_name TEXT NOT NULL,
        staff_role TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        before TEXT,
        after TEXT,
        command_id TEXT,
        seq INTEGER
      );
      CREATE INDEX audit_at ON audit (at);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TABLE terminal_credentials (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        terminal TEXT NOT NULL,
        window INTEGER,
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER,
        revoked_by TEXT,
        last_seen INTEGER,
        version TEXT,
        address TEXT
      );
      CREATE INDEX terminal_credentials_terminal ON terminal_credentials (terminal);
      ALTER TABLE clerk_pins ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0;
    `,
  },
  // The notification outbox (packages/notify): queued in the command's transaction.
  NOTIFY_MIGRATION,
  {
    version: 42,
    name: "supervisors' alerts: raised once per occurrence, acknowledged, cleared (H-04, H-16, H-18, N-03)",
    sql: `
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        kind TEXT NOT NULL,
        raised_at INTEGER NOT NULL,
        -- 1 while its condition lasts: a new day's view keeps these.
        standing INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX alerts_day ON alerts (day);
      CREATE INDEX alerts_standing ON alerts (standing);
    `,
  },
  {
    version: 60,
    name: "citizens' phones: one-time codes, sessions, the phone behind each number and booking (kept apart from events)",
    sql: `
      -- A phone number is never stored in the clear: 'holder' is its keyed hash (for the daily limit
      -- and the no-show rule), 'phone' its encryption (for the SMS alerts), erased once it is done with.
      CREATE TABLE phone_codes (
        holder TEXT PRIMARY KEY,
        code_hash TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        sent_at INTEGER NOT NULL,
        day TEXT NOT NULL,
        sent_today INTEGER NOT NULL
      );
      CREATE TABLE phone_sessions (
        id_hash TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        phone TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX phone_sessions_expiry ON phone_sessions (expires_at);
      CREATE TABLE phone_links (
        kind TEXT NOT NULL CHECK (kind IN ('ticket', 'appointment')),
        ref_id TEXT NOT NULL,
        holder TEXT NOT NULL,
        day TEXT NOT NULL,
        phone TEXT,
        -- 1: a number taken by phone (counted against the daily limit); 0: a booking's ticket, or the booking itself.
        remote INTEGER NOT NULL,
        first_ahead INTEGER,
        alerts TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        PRIMARY KEY (kind, ref_id)
      );
      CREATE INDEX phone_links_holder ON phone_links (holder, day);
      CREATE INDEX phone_links_day ON phone_links (day);
    `,
  },
  // The identity of the event log (lineage.ts): a restored hub's terminals notice it.
  LINEAGE_MIGRATION,
  // The epoch of the hub in charge (fencing.ts): a standby that takes over writes the next one.
  FENCING_MIGRATION,
  {
    version: 90,
    name: 'number leases for emergency issuing (应急取号): every day’s, so that a kiosk’s record that comes after midnight is checked against its lease',
    sql: `
      CREATE TABLE number_leases (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        terminal TEXT NOT NULL,
        prefix TEXT NOT NULL,
        first INTEGER NOT NULL,
        last INTEGER NOT NULL,
        granted_at INTEGER NOT NULL
      );
      CREATE INDEX number_leases_day ON number_leases (day, prefix);
    `,
  },
  {
    version: 100,
    name: 'the cases that need someone: complaints, cases handed between departments, deliveries of results, evidence files; the access log by staff and purpose',
    sql: `
      -- Each kept whole as its last event left it (core/casework); the columns are what lists filter by.
      CREATE TABLE complaints (id TEXT PRIMARY KEY, state TEXT NOT NULL, due TEXT NOT NULL, department TEXT, received_on TEXT NOT NULL, body TEXT NOT NULL);
      CREATE INDEX complaints_open ON complaints (state, due);
      CREATE INDEX complaints_received ON complaints (received_on);
      CREATE TABLE case_routes (case_number TEXT PRIMARY KEY, state TEXT NOT NULL, department TEXT, due TEXT, body TEXT NOT NULL);
      CREATE INDEX case_routes_open ON case_routes (state, due);
      CREATE TABLE deliveries (case_number TEXT PRIMARY KEY, body TEXT NOT NULL);
      -- Evidence of a follow-up's step, by the SHA-256 of its content: the events carry only the hash.
      CREATE TABLE evidence_files (hash TEXT PRIMARY KEY, type TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL, stored_at INTEGER NOT NULL, stored_by TEXT NOT NULL);
      ALTER TABLE personal_data_access ADD COLUMN staff_id TEXT;
      CREATE INDEX personal_data_access_staff ON personal_data_access (staff_id, id);
      CREATE INDEX personal_data_access_purpose ON personal_data_access (purpose, id);
    `,
  },
  {
    version: 110,
    name: "tickets kept by their id alone (the day's number is in it): no second key on (day, number), and the rows in the id's own tree",
    sql: `
      -- A ticket's id is its day and number ('2026-11-27-A001'): the key (day, number) repeated it, and
      -- a rowid table kept a third copy of the id in its primary key's index. About 60 B a ticket.
      CREATE TABLE tickets_by_id (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        number TEXT NOT NULL,
        service_code TEXT NOT NULL,
        state TEXT NOT NULL,
        lane TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO tickets_by_id SELECT id, day, number, service_code, state, lane, issued_at, seq, body FROM tickets;
      DROP TABLE tickets;
      ALTER TABLE tickets_by_id RENAME TO tickets;
    `,
  },
  {
    version: 120,
    name: "command answers kept under their id first, then the sender's namespace: ids that follow the clock add to the end of the index",
    sql: `
      -- "<scope>|<id>" becomes "<id>|<scope>", the id's '%' and '|' written %25 and %7C (store.ts,
      -- answerKey). A new table, not an UPDATE of the keys: no key is ever another's while it turns.
      -- The rowids stay, in the order the answers were given (retention and the standby's marks).
      CREATE TABLE commands_by_id (
        id TEXT PRIMARY KEY,
        terminal TEXT NOT NULL,
        type TEXT NOT NULL,
        at INTEGER NOT NULL,
        answer TEXT NOT NULL,
        first_seq INTEGER,
        last_seq INTEGER,
        body_hash TEXT
      );
      INSERT INTO commands_by_id (rowid, id, terminal, type, at, answer, first_seq, last_seq, body_hash)
        SELECT rowid, replace(replace(substr(id, instr(id, '|') + 1), '%', '%25'), '|', '%7C') || '|' || substr(id, 1, instr(id, '|') - 1),
          terminal, type, at, answer, first_seq, last_seq, body_hash
        FROM commands ORDER BY rowid;
      DROP TABLE commands;
      ALTER TABLE commands_by_id RENAME TO commands;
      CREATE INDEX commands_at ON commands (at);
    `,
  },
  NOTIFY_UNKNOWN_MIGRATION,
  {
    version: 150,
    name: "citizens' one-time codes asked from each client address in a hall day (the address as a keyed hash)",
    sql: `
      -- 'address' is a keyed hash of the client's address (an IPv6 one's /64), never the address itself; past days' rows go with the day.
      CREATE TABLE phone_code_addresses (
        day TEXT NOT NULL,
        address TEXT NOT NULL,
        sent INTEGER NOT NULL,
        PRIMARY KEY (day, address)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 160,
    name: "citizens' one-time codes and their counts by address stamped at each change: the standby is sent the rows changed since it last heard",
    sql: `
      -- 'changed' grows with every write of a row (PhoneBook.stamp): the rows are changed in place (a wrong
      -- try, a code spent, the day's count), so a rowid would not show a standby what changed. The rows
      -- there already get stamps in the order of their keys.
      ALTER TABLE phone_codes ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
      UPDATE phone_codes SET changed = rowid;
      CREATE INDEX phone_codes_changed ON phone_codes (changed);
      ALTER TABLE phone_code_addresses ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
      UPDATE phone_code_addresses SET changed = n FROM (SELECT day AS d, address AS a, row_number() OVER (ORDER BY day, address) AS n FROM phone_code_addresses) WHERE day = d AND address = a;
      CREATE INDEX phone_code_addresses_changed ON phone_code_addresses (changed);
    `,
  },
  {
    version: 170,
    name: "verified phones' sessions and the phone behind each number and booking stamped at each change: the standby is sent them as the codes (160)",
    sql: `
      -- The same stamp as the codes' (PhoneBook.stamp): a session written, a link written, its alerts
      -- marked, its phone forgotten. The rows there already get stamps in the order of their keys.
      ALTER TABLE phone_sessions ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
      UPDATE phone_sessions SET changed = rowid;
      CREATE INDEX phone_sessions_changed ON phone_sessions (changed);
      ALTER TABLE phone_links ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
      UPDATE phone_links SET changed = rowid;
      CREATE INDEX phone_links_changed ON phone_links (changed);
    `,
  },
  // The notices stamped at each change, as the phones' rows (170): the standby holds the outbox (replication.ts).
  NOTIFY_STAMP_MIGRATION,
  {
    version: 190,
    name: 'failed console sign-ins by their last failure: the housekeeping forgets those past the forget window a chunk at a time',
    sql: `CREATE INDEX sign_in_failures_last_at ON sign_in_failures (last_at);`,
  },
  {
    version: 200,
    name: 'the terminals linked with the hall token itself, remembered once heard: shown offline when they drop off (H-04)',
    sql: `
      CREATE TABLE hall_token_terminals (
        terminal TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        window INTEGER,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL
      );
    `,
  },
  {
    version: 210,
    name: 'the networks each console account signed in from: its owner there is not held back by the pace of its failures from every address',
    sql: `
      CREATE TABLE sign_in_known (account TEXT NOT NULL, network TEXT NOT NULL, last_at INTEGER NOT NULL, PRIMARY KEY (account, network));
      CREATE INDEX sign_in_known_last_at ON sign_in_known (last_at);
    `,
  },
  // The reports' fact tables, filled from the log (packages/reports): last, so that it folds the log on a database migrated whole.
  REPORTS_MIGRATION,
  REPORTS_COMPLAINTS_MIGRATION,
  REPORTS_DESK_DAYS_MIGRATION,
  REPORTS_DAY_END_MIGRATION,
];

/**
 * The bounds of a day's ticket ids ('<day>-<number>'), both outside: '<day>-' and '<day>.' ('.'
 * follows '-'). Tickets are kept by id alone (migration 110), so a day's are a range of their key.
 */
export const idsOfDay = (day: string): [string, string] => [`${day}-`, `${day}.`];

/** The schema this release writes: its last migration's version. Two hubs of one hall must have the same (replication.ts); a backup of a newer one is not restored (restore.ts). */
export const SCHEMA_VERSION = Math.max(0, ...MIGRATIONS.map((m) => m.version));

export function migrate(db: Db): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  // A database a newer release wrote (an upgrade taken back): this one would go on writing it in a form it has left.
  const newest = Math.max(0, ...applied);
  if (newest > SCHEMA_VERSION) throw new HubRefusal(opsText('newerSchema', { file: db.name, version: newest, known: SCHEMA_VERSION }));
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      m.run?.(db);
      record.run(m.version, m.name, Date.now());
    })();
  }
  return SCHEMA_VERSION;
}

/**
 * Opens (creating when new, owner-only) the hall database in `dataDir`: WAL, synchronous=FULL,
 * migrated. An empty hall.db in a folder that held a hall is refused (see checkDatabaseFile).
 */
/** `then` says what to do once the disk takes the database's writes again: start the hub, or run an operator's command again. */
export function openDatabase(dataDir: string, file = DATABASE_FILE, then: Bilingual = THEN_START_HUB): Db {
  makeDataFolder(dataDir);
  checkDatabaseFile(dataDir, file);
  databaseAccess(path.join(dataDir, file), 'write', then);
  let db: Db | undefined;
  try {
    db = new Database(path.join(dataDir, file));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // SQLite's default page cache is 2 MB: a year's indexes need more to keep the write path in memory.
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    // Each command of a batch is a savepoint: the pages it changes are kept for its rollback in memory, not in a temporary file.
    db.pragma('temp_store = MEMORY');
    migrate(db);
  } catch (error) {
    db?.close();
    // A disk with no room for a new hall's tables (or an upgrade's), or one gone read-only: each migration
    // is one transaction, rolled back, so the database is as it was; said as such, not as a stack trace.
    if (error instanceof Database.SqliteError && DISK_REFUSED.test(error.code))
      throw new HubRefusal(opsText('unreadable', { file: path.resolve(dataDir, file), problem: `${error.code}: ${error.message}`, then }));
    throw error;
  }
  return db;
}

/** SQLite's codes for a disk that refuses the database's writes, rather than a fault of the program or of the file. */
const DISK_REFUSED = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|PERM)/;

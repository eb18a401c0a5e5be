import { hallDay, type Catalogue } from '@servicehall/core';
import { addDays, FACT_TABLES, FACT_TABLE_LIST, MAX_COUNTERS, type Breakdown } from '@servicehall/reports';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Db } from '../packages/hub/src/db';
import { KEY_FILE } from '../packages/hub/src/files';
import { HallReports } from '../packages/hub/src/reports';
import { generateHistory } from '../packages/hub/src/testing/year';
import { cachedYear, YEAR_CACHE } from './year-cache';

/**
 * The reports on a busy hall's year: the fact tables filled from the year's log (migration 50, as
 * an upgraded hall gets them), then a day's, a month's and a year's reports by each breakdown, the
 * forecast and the staffing plan, each the median of five runs; and the database's size per ticket.
 * The year is the bench's cached one (see year-cache.ts), copied; `--days N` writes a shorter
 * history here instead (through the hub's own command path), and `--stretch-to D` then repeats its
 * fact rows over D working days, to time a year's reports on a year's rows.
 */
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const runs: number[] = [];
  let value!: T;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    value = fn();
    runs.push(performance.now() - t);
  }
  return { ms: median(runs), value };
}

const fmt = (ms: number) => `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;

function tableBytes(db: Db, name: string): number | undefined {
  try {
    return (db.prepare('SELECT SUM(pgsize) AS n FROM dbstat WHERE name = ? OR name LIKE ?').get(name, `${name}_%`) as { n: number }).n;
  } catch {
    return undefined;
  }
}

/**
 * Makes the fact tables a year's size from a shorter history's: the days before it are given the
 * rows of its days in turn (working days only), the months summed again. Only the reports' reading
 * is measured on them; the history's own figures (size, filling) are measured before.
 */
function stretchFacts(db: Db, toDays: number): number {
  const real = (db.prepare('SELECT DISTINCT day FROM report_item_hours ORDER BY day').all() as { day: string }[]).map((r) => r.day);
  if (real.length === 0) return 0;
  const extra: string[] = [];
  for (let d = addDays(real[0]!, -1); extra.length + real.length < toDays; d = addDays(d, -1)) {
    const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (wd !== 0 && wd !== 6) extra.push(d);
  }
  db.transaction(() => {
    for (const t of [FACT_TABLES.itemHours, FACT_TABLES.deskHours, FACT_TABLES.deskDays, FACT_TABLES.pauses]) {
      const rest = [...t.keys.slice(1), ...t.counters].map((c) => `"${c}"`).join(', ');
      const copy = db.prepare(`INSERT INTO ${t.name} (day, ${rest}) SELECT ?, ${rest} FROM ${t.name} WHERE day = ?`);
      extra.forEach((d, i) => copy.run(d, real[i % real.length]));
    }
    const m = FACT_TABLES.deskMonths;
    const keys = m.keys.slice(1).map((c) => `"${c}"`).join(', ');
    const sums = m.counters.map((c) => (MAX_COUNTERS.has(c) ? `MAX("${c}")` : `SUM("${c}")`)).join(', ');
    db.exec(`DELETE FROM ${m.name}`);
    db.exec(`INSERT INTO ${m.name} (month, ${keys}, ${m.counters.map((c) => `"${c}"`).join(', ')}) SELECT substr(day, 1, 7), ${keys}, ${sums} FROM ${FACT_TABLES.deskHours.name} GROUP BY substr(day, 1, 7), ${keys}`);
  })();
  return extra.length + real.length;
}

export async function runReportsBench(options: { days?: number; ticketsPerDay?: number; stretchTo?: number } = {}): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-bench-reports-'));
  const log = (line: string) => console.log(line);
  try {
    const dir = path.join(scratch, 'hall');
    fs.mkdirSync(dir);
    let source: string;
    if (options.days) {
      log(`Reports: a history of ${options.days} working days of ${options.ticketsPerDay} tickets written here through the hub's commands`);
      generateHistory({ dataDir: dir, days: options.days, ticketsPerDay: options.ticketsPerDay ?? 12_000 });
      source = 'written now';
    } else {
      const days = Number(process.env.BENCH_YEAR_DAYS ?? '250');
      const perDay = Number(process.env.BENCH_YEAR_TICKETS ?? '12000');
      if (fs.existsSync(path.join(YEAR_CACHE, `year-v2-${days}d-${perDay}.writing`)) && !fs.existsSync(path.join(YEAR_CACHE, `year-v2-${days}d-${perDay}.db`))) {
        log(`Reports: the year is still being written into ${YEAR_CACHE}; run again once it is there (or --days N for a shorter history)`);
        return;
      }
      const year = await cachedYear({ days, ticketsPerDay: perDay, log });
      log(`Reports on a busy hall's year: ${year.summary.tickets} tickets, ${year.summary.seq} events, ${year.summary.firstDay} to ${year.summary.lastDay} (${year.file})`);
      fs.copyFileSync(year.file, path.join(dir, 'hall.db'));
      fs.copyFileSync(year.keyFile, path.join(dir, KEY_FILE));
      fs.chmodSync(path.join(dir, KEY_FILE), 0o600);
      source = 'copied from the cache';
    }
    // The fact tables of a hall upgraded to reports: migration 50 folds the whole log (a generated history already has them, so they are dropped first).
    if (options.days) {
      const pre = openDatabase(dir);
      for (const t of FACT_TABLE_LIST) pre.exec(`DROP TABLE ${t.name}`);
      pre.exec('DELETE FROM schema_migrations WHERE version = 50');
      pre.close();
    }
    const started = performance.now();
    const cpu = process.cpuUsage();
    const db = openDatabase(dir);
    const backfill = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const events = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM events').get() as { n: number }).n;
    const tickets = (db.prepare('SELECT COUNT(*) AS n FROM tickets').get() as { n: number }).n;
    log(`  the history (${source}): ${tickets.toLocaleString()} tickets, ${events.toLocaleString()} events`);
    log(`  fact tables made on opening where the history lacks them (migration 50 folds the log, 52 sums the desk hours into days): ${(backfill / 1000).toFixed(1)} s (${((used.user + used.system) / 1e6).toFixed(1)} processor-seconds), ${((backfill * 1000) / Math.max(1, events)).toFixed(1)} µs an event`);
    const catalogue = JSON.parse((db.prepare("SELECT value FROM hall WHERE key = 'catalogue'").get() as { value: string }).value) as Catalogue;
    const size = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
    const facts = FACT_TABLE_LIST.map((t) => ({ name: t.name, rows: (db.prepare(`SELECT COUNT(*) AS n FROM ${t.name}`).get() as { n: number }).n, bytes: tableBytes(db, t.name) }));
    const factBytes = facts.reduce((a, t) => a + (t.bytes ?? 0), 0);
    log(`  database: ${(size / 1e9).toFixed(2)} GB, ${Math.round(size / Math.max(1, tickets))} bytes a ticket; the fact tables ${facts.every((t) => t.bytes !== undefined) ? `${(factBytes / 1e6).toFixed(1)} MB (${Math.round(factBytes / Math.max(1, tickets))} bytes a ticket)` : ''}: ${facts.map((t) => `${t.name} ${t.rows.toLocaleString()} rows${t.bytes !== undefined ? ` ${(t.bytes / 1e6).toFixed(1)} MB` : ''}`).join(', ')}`);
    if (options.stretchTo) {
      const n = stretchFacts(db, options.stretchTo);
      log(`  the fact tables stretched to ${n} working days (the history's days repeated before it) to read a year's reports from a year's rows: ${FACT_TABLE_LIST.map((t) => `${t.name} ${(db.prepare(`SELECT COUNT(*) AS n FROM ${t.name}`).get() as { n: number }).n.toLocaleString()}`).join(', ')} rows`);
    }
    const days = (db.prepare('SELECT MIN(day) AS first, MAX(day) AS last FROM report_item_hours').get() as { first: string; last: string });
    const last = days.last;
    const month = last.slice(0, 7);
    const prevMonth = (() => {
      const d = new Date(`${month}-01T00:00:00Z`);
      d.setUTCMonth(d.getUTCMonth() - 1);
      return d.toISOString().slice(0, 7);
    })();
    const monthEnd = new Date(Date.UTC(Number(prevMonth.slice(0, 4)), Number(prevMonth.slice(5, 7)), 0)).toISOString().slice(0, 10);
    const reports = new HallReports(db, () => catalogue, () => Date.parse(`${last}T02:00:00Z`) + 86_400_000);
    const periods: [string, string, string][] = [
      ['a day', last, last],
      ['a month', `${prevMonth}-01`, monthEnd],
      ['a year', days.first, last],
    ];
    const breakdowns: Breakdown[] = ['hall', 'clerk', 'window', 'item', 'department', 'hour', 'day'];
    log(`  reports, median of ${RUNS} runs (${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}); targets: a day under 50 ms, a month under 300 ms, a year under 1 s`);
    for (const [name, from, to] of periods) {
      const figures = breakdowns.map((b) => {
        const r = time(() => reports.report({ breakdown: b, from, to }));
        return { b, ms: r.ms, rows: r.value.rows.length };
      });
      const worst = Math.max(...figures.map((f) => f.ms));
      log(`    ${name.padEnd(8)} (${from} to ${to}): ${figures.map((f) => `${f.b} ${fmt(f.ms)}`).join(', ')}; slowest ${fmt(worst)}`);
    }
    const clerk = catalogue.clerks[0]?.number;
    if (clerk) log(`    one clerk's year by day: ${fmt(time(() => reports.report({ breakdown: 'day', from: days.first, to: last, filters: { clerk } })).ms)}; by hour: ${fmt(time(() => reports.report({ breakdown: 'hour', from: days.first, to: last, filters: { clerk } })).ms)}`);
    const today = hallDay(Date.parse(`${last}T02:00:00Z`) + 86_400_000, catalogue.hall.timeZone);
    const f = time(() => reports.forecast(7, today));
    const s = time(() => reports.staffing(undefined, 7, today));
    log(`  the forecast of 7 days from ${today} (a year of history): ${fmt(f.ms)}; with the staffing plan (Erlang C, every item and hour): ${fmt(s.ms)} (target under 1 s)`);
    log(`    its error on the last weeks: ${f.value.errors.map((e) => `${e.weekFrom} ${(e.dailyError * 100).toFixed(1)} % by day, ${(e.hourlyError * 100).toFixed(1)} % by hour`).join('; ')}`);
    db.close();
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--days');
  const stretch = process.argv.indexOf('--stretch-to');
  await runReportsBench(
    i > 0 ? { days: Number(process.argv[i + 1]), ticketsPerDay: Number(process.env.BENCH_TICKETS ?? '12000'), ...(stretch > 0 ? { stretchTo: Number(process.argv[stretch + 1]) } : {}) } : {},
  );
}

import { compileReport, compilerFor, finishReport, type Report, type ReportSpec } from '@servicehall/reports';
import Database from 'better-sqlite3';

/**
 * A hall's own reports, from its own fact tables in its SQLite (kept by the hub as events are
 * applied), with the report definitions compiled for SQLite: what the city's copy must equal.
 */
export function hallOwnReports(databaseFile: string, specs: readonly ReportSpec[]): Report[] {
  const db = new Database(databaseFile, { readonly: true });
  try {
    const sqlite = compilerFor('sqlite');
    return specs.map((spec) => {
      const compiled = compileReport(spec, sqlite);
      const run = (q: { sql: string; parameters: readonly unknown[] }) => db.prepare(q.sql).all(...q.parameters) as Record<string, unknown>[];
      return finishReport(spec, compiled.parts.map(run), run(compiled.pauses));
    });
  } finally {
    db.close();
  }
}

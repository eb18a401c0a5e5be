import { compileReport, compilerFor, factDdl, finishReport, FactFolder, incrementRows, upsertSql, type Report, type ReportSpec } from '@servicehall/reports';
import Database from 'better-sqlite3';
import { hallEventOf } from '../facts';
import type { LogRow } from '../mask';

/**
 * A hall's own report, as the hall works it out in its SQLite: its whole log folded by the fact
 * rules into the fact tables, the report definition compiled for SQLite. What the city's copy must equal.
 */
export function hallReportFromLog(databaseFile: string, specs: readonly ReportSpec[]): Report[] {
  const log = new Database(databaseFile, { readonly: true });
  const facts = new Database(':memory:');
  try {
    for (const statement of factDdl('sqlite')) facts.exec(statement);
    const folder = new FactFolder();
    const statements = new Map<string, Database.Statement>();
    facts.transaction(() => {
      for (const r of log.prepare<[], LogRow>('SELECT seq, at, type, command_id, body FROM events ORDER BY seq').iterate())
        for (const f of folder.apply(hallEventOf(r)))
          for (const change of incrementRows(f)) {
            const sql = upsertSql(change.table, change.counters, 'sqlite');
            const st = statements.get(sql) ?? statements.set(sql, facts.prepare(sql)).get(sql)!;
            st.run(...change.values);
          }
    })();
    const sqlite = compilerFor('sqlite');
    return specs.map((spec) => {
      const compiled = compileReport(spec, sqlite);
      const parts = compiled.parts.map((p) => facts.prepare(p.sql).all(...(p.parameters as unknown[])) as Record<string, unknown>[]);
      const pauses = facts.prepare(compiled.pauses.sql).all(...(compiled.pauses.parameters as unknown[])) as Record<string, unknown>[];
      return finishReport(spec, parts, pauses);
    });
  } finally {
    facts.close();
    log.close();
  }
}

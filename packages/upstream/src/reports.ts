import { compileReport, compilerFor, FACT_TABLE_LIST, finishReport, type Report, type ReportSpec } from '@servicehall/reports';
import type pg from 'pg';
import { hallSchema } from './facts';
import { rollBack } from './transaction';

const postgres = compilerFor('postgres');

/**
 * A hall's report on the city's PostgreSQL: the hall's own report definition (packages/reports),
 * compiled by kysely for PostgreSQL, run on that hall's fact tables. A hall whose facts the city has not
 * made yet (its hub connected, then lost the city before it made them; its next connect does) reports nothing yet.
 */
export async function cityReport(client: pg.ClientBase, hall: string, spec: ReportSpec, waitTargetMinutes?: number): Promise<Report> {
  const compiled = compileReport(spec, postgres);
  await client.query('BEGIN READ ONLY');
  try {
    const made = await client.query<{ made: boolean }>('SELECT to_regclass($1) IS NOT NULL AS made', [`"${hallSchema(hall)}"."${FACT_TABLE_LIST[0]!.name}"`]);
    if (!made.rows[0]!.made) {
      await client.query('COMMIT');
      return finishReport(spec, compiled.parts.map(() => []), [], waitTargetMinutes);
    }
    await client.query(`SET LOCAL search_path TO "${hallSchema(hall)}"`);
    const parts: Record<string, unknown>[][] = [];
    for (const part of compiled.parts) parts.push((await client.query(part.sql, part.parameters as unknown[])).rows);
    const pauses = (await client.query(compiled.pauses.sql, compiled.pauses.parameters as unknown[])).rows;
    await client.query('COMMIT');
    return finishReport(spec, parts, pauses, waitTargetMinutes);
  } catch (error) {
    await rollBack(client, error);
    throw error;
  }
}

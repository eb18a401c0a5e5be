import { compileReport, compilerFor, finishReport, type Report, type ReportSpec } from '@servicehall/reports';
import type pg from 'pg';
import { hallSchema } from './facts';

const postgres = compilerFor('postgres');

/**
 * A hall's report on the city's PostgreSQL: the hall's own report definition (packages/reports),
 * compiled by kysely for PostgreSQL, run on that hall's fact tables.
 */
export async function cityReport(client: pg.ClientBase, hall: string, spec: ReportSpec, waitTargetMinutes?: number): Promise<Report> {
  const compiled = compileReport(spec, postgres);
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(`SET LOCAL search_path TO "${hallSchema(hall)}"`);
    const parts: Record<string, unknown>[][] = [];
    for (const part of compiled.parts) parts.push((await client.query(part.sql, part.parameters as unknown[])).rows);
    const pauses = (await client.query(compiled.pauses.sql, compiled.pauses.parameters as unknown[])).rows;
    await client.query('COMMIT');
    return finishReport(spec, parts, pauses, waitTargetMinutes);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

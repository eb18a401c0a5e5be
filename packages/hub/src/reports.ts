import { hallCalendar, hallDay, type Catalogue } from '@servicehall/core';
import {
  addDays,
  arrivalsQuery,
  compileReport,
  compilerFor,
  finishReport,
  forecastArrivals,
  meanServiceTimes,
  serviceTimesQuery,
  staffingPlan,
  type CompiledQuery,
  type Forecast,
  type Report,
  type ReportSpec,
  type StaffingPlan,
  type WaitTarget,
} from '@servicehall/reports';
import type { Db } from './db';
import { DEFAULT_WAIT_TARGET } from './report-facts';

export { DEFAULT_WAIT_TARGET };

type Statement = ReturnType<Db['prepare']> & { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };


/** The reports of one hall, run on its SQLite with the definitions of packages/reports. */
export class HallReports {
  private readonly kysely = compilerFor('sqlite');
  private readonly prepared = new Map<string, Statement>();
  constructor(
    private readonly db: Db,
    private readonly catalogue: () => Catalogue,
    private readonly clock: () => number,
    /** Writes the fact rows still in memory (HallStore.writeFacts): a report holds every event committed before it. */
    private readonly writeFacts: () => void = () => undefined,
  ) {}

  private all(q: CompiledQuery): Record<string, unknown>[] {
    this.writeFacts();
    let st = this.prepared.get(q.sql);
    if (!st) this.prepared.set(q.sql, (st = this.db.prepare(q.sql)));
    return st.all(...(q.parameters as unknown[])) as Record<string, unknown>[];
  }

  report(spec: ReportSpec, target: WaitTarget = DEFAULT_WAIT_TARGET): Report {
    const compiled = compileReport(spec, this.kysely);
    return finishReport(spec, compiled.parts.map((q) => this.all(q)), this.all(compiled.pauses), target.minutes);
  }

  /** The next `days` days' arrivals from today, from the last year of the hall's own history. */
  forecast(days = 7, from?: string): Forecast {
    const catalogue = this.catalogue();
    const start = from ?? hallDay(this.clock(), catalogue.hall.timeZone);
    const history = this.all(arrivalsQuery(this.kysely, addDays(start, -371), addDays(start, -1)).compile()).map((r) => ({
      day: String(r.day),
      hour: Number(r.hour),
      serviceCode: String(r.service_code),
      arrivals: Number(r.arrivals),
    }));
    return forecastArrivals({ history, calendar: hallCalendar(catalogue), from: start, days });
  }

  /** The windows each item needs per hour to keep `target`, from the forecast and the last eight weeks' service times. */
  staffing(target: WaitTarget = DEFAULT_WAIT_TARGET, days = 7, from?: string): { forecast: Forecast; plan: StaffingPlan } {
    const forecast = this.forecast(days, from);
    const times = meanServiceTimes(this.all(serviceTimesQuery(this.kysely, addDays(forecast.from, -56), addDays(forecast.from, -1)).compile()));
    return { forecast, plan: staffingPlan(forecast, this.catalogue(), times, target) };
  }
}

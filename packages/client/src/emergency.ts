import { EmergencyCallSchema, NumberLeaseSchema, type EmergencyCall, type NumberLease } from '@servicehall/core';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** A call typed at a window in emergency mode, not yet ended (the citizen is at the counter). */
export type OpenCall = Omit<EmergencyCall, 'end' | 'endedAt'>;

const LedgerSchema = z.object({
  /** This terminal's leases as its view last held them: kept for a restart while no hub answers. */
  leases: z.array(NumberLeaseSchema).default([]),
  /** The last number given from each lease, by lease id. */
  used: z.record(z.string(), z.number().int()).default({}),
  /** Leases granted before this time are spent (a damaged ledger: which of their numbers were given is not known). */
  spentBefore: z.number().int().optional(),
  /** The last place in this terminal's own order of emergency records. */
  order: z.number().int().default(0),
  open: EmergencyCallSchema.omit({ end: true, endedAt: true }).optional(),
});
type LedgerState = z.infer<typeof LedgerSchema>;

/**
 * What a terminal did in emergency mode that must outlive a power cut before it reaches the hub:
 * the lease numbers a kiosk has given (never given twice), its own order of records, a window's
 * call still open. Written whole to a temporary file, flushed, then renamed (as the outbox). The
 * records themselves travel in the outbox.
 */
export class EmergencyLedger {
  private state: LedgerState;

  constructor(private readonly file?: string) {
    this.state = LedgerSchema.parse({});
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file)) return;
    const parsed = LedgerSchema.safeParse(safeJson(fs.readFileSync(file, 'utf8')));
    if (parsed.success) this.state = parsed.data;
    // A damaged file is kept aside, and the leases held until now are taken as spent: which of
    // their numbers were given is not known, and none may be given twice.
    else {
      const now = Date.now();
      fs.renameSync(file, `${file}.damaged-${now}`);
      this.state.spentBefore = now;
      this.state.order = now;
    }
  }

  /** Keeps the terminal's current leases (from its view); a new day's leases replace the old. */
  remember(leases: readonly NumberLease[]): void {
    if (JSON.stringify(leases) === JSON.stringify(this.state.leases)) return;
    const ids = new Set(leases.map((l) => l.id));
    this.state.leases = [...leases];
    this.state.used = Object.fromEntries(Object.entries(this.state.used).filter(([id]) => ids.has(id)));
    this.save();
  }

  get leases(): readonly NumberLease[] {
    return this.state.leases;
  }

  private lastUsed(lease: NumberLease): number {
    if (this.state.spentBefore !== undefined && lease.grantedAt < this.state.spentBefore) return lease.last;
    return this.state.used[lease.id] ?? lease.first - 1;
  }

  /** Numbers of `prefix` on `day` this terminal may still give. */
  remaining(prefix: string, day: string): number {
    return this.state.leases.filter((l) => l.prefix === prefix && l.day === day).reduce((n, l) => n + (l.last - this.lastUsed(l)), 0);
  }

  /** Takes the next lease number of `prefix` on `day`, durably, before it is printed; undefined when the leases are spent. */
  take(prefix: string, day: string): { lease: NumberLease; sequence: number; order: number } | undefined {
    const lease = this.state.leases.filter((l) => l.prefix === prefix && l.day === day && this.lastUsed(l) < l.last).sort((a, b) => a.grantedAt - b.grantedAt || a.first - b.first)[0];
    if (!lease) return undefined;
    const sequence = this.lastUsed(lease) + 1;
    this.state.used[lease.id] = sequence;
    const order = ++this.state.order;
    this.save();
    return { lease, sequence, order };
  }

  /** The next place in this terminal's own order, durably. */
  nextOrder(): number {
    const order = ++this.state.order;
    this.save();
    return order;
  }

  get openCall(): OpenCall | undefined {
    return this.state.open;
  }

  setOpenCall(call: OpenCall | undefined): void {
    if (call) this.state.open = call;
    else delete this.state.open;
    this.save();
  }

  private save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, JSON.stringify(this.state));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

import {
  currentRouteStep,
  hallCalendar,
  overdueItems,
  overdueReports,
  type OverdueItem,
  type OverdueReport,
  EVIDENCE_TYPES,
  inBothLanguages,
  MAX_EVIDENCE_BYTES,
  type CaseRoute,
  type Complaint,
  type Delivery,
  type EvidenceRef,
  type FollowUp,
  type HallEvent,
  type OpenCasework,
} from '@servicehall/core';
import { createHash } from 'node:crypto';
import type { Db } from './db';
import type { HallStore } from './store';

/** How many complaints or routes one list gives at most. */
export const CASEWORK_PAGE = 200;

export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

/** What a file is by its first bytes, whatever its sender called it: only photos and PDF are taken. */
export function sniffEvidence(data: Buffer): EvidenceType | undefined {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.length >= 5 && data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return undefined;
}

/**
 * The hall's records of complaints, cases handed between departments and deliveries of results
 * (kept as their last event left them), and the evidence files the follow-ups' steps name, stored
 * by content hash apart from the log.
 */
export class CaseworkRecords {
  private readonly st;

  constructor(private readonly db: Db) {
    this.st = {
      putComplaint: db.prepare(
        'INSERT INTO complaints (id, state, due, department, received_on, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, due = excluded.due, department = excluded.department, body = excluded.body',
      ),
      complaint: db.prepare<[string], { body: string }>('SELECT body FROM complaints WHERE id = ?'),
      openComplaints: db.prepare<[], { body: string }>("SELECT body FROM complaints WHERE state <> 'closed' ORDER BY due, id"),
      closedComplaints: db.prepare<[number], { body: string }>("SELECT body FROM complaints WHERE state = 'closed' ORDER BY rowid DESC LIMIT ?"),
      overdueComplaints: db.prepare<[string], { id: string }>("SELECT id FROM complaints WHERE state IN ('registered', 'assigned') AND due < ? AND json_extract(body, '$.escalated') IS NULL ORDER BY due"),
      putRoute: db.prepare(
        'INSERT INTO case_routes (case_number, state, department, due, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_number) DO UPDATE SET state = excluded.state, department = excluded.department, due = excluded.due, body = excluded.body',
      ),
      route: db.prepare<[string], { body: string }>('SELECT body FROM case_routes WHERE case_number = ?'),
      openRoutes: db.prepare<[], { body: string }>("SELECT body FROM case_routes WHERE state = 'moving' ORDER BY due, case_number"),
      doneRoutes: db.prepare<[number], { body: string }>("SELECT body FROM case_routes WHERE state = 'done' ORDER BY rowid DESC LIMIT ?"),
      putDelivery: db.prepare('INSERT INTO deliveries (case_number, body) VALUES (?, ?) ON CONFLICT (case_number) DO UPDATE SET body = excluded.body'),
      delivery: db.prepare<[string], { body: string }>('SELECT body FROM deliveries WHERE case_number = ?'),
      putFile: db.prepare('INSERT OR IGNORE INTO evidence_files (hash, type, size, data, stored_at, stored_by) VALUES (?, ?, ?, ?, ?, ?)'),
      hasFile: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM evidence_files WHERE hash = ?'),
      file: db.prepare<[string], { type: string; size: number; data: Buffer }>('SELECT type, size, data FROM evidence_files WHERE hash = ?'),
    };
  }

  /** Keeps the records in line with one event (inside its command's transaction). */
  follow(event: HallEvent): void {
    switch (event.type) {
      case 'complaint.changed': {
        const c = event.complaint;
        this.st.putComplaint.run(c.id, c.state, c.due, c.department ?? null, c.receivedOn, JSON.stringify(c));
        break;
      }
      case 'caseRoute.changed': {
        const r = event.route;
        const step = currentRouteStep(r);
        this.st.putRoute.run(r.caseNumber, r.state, step?.department ?? null, step?.due ?? null, JSON.stringify(r));
        break;
      }
      case 'delivery.recorded':
        this.st.putDelivery.run(event.delivery.caseNumber, JSON.stringify(event.delivery));
        break;
    }
  }

  readonly complaintOf = (id: string): Complaint | undefined => parsed(this.st.complaint.get(id));
  readonly routeOf = (caseNumber: string): CaseRoute | undefined => parsed(this.st.route.get(caseNumber));
  readonly deliveryOf = (caseNumber: string): Delivery | undefined => parsed(this.st.delivery.get(caseNumber));
  readonly hasEvidence = (hash: string): boolean => !!this.st.hasFile.get(hash);

  /** Open complaints by deadline; closed ones newest first. */
  complaints(closed: boolean, limit = CASEWORK_PAGE): Complaint[] {
    return (closed ? this.st.closedComplaints.all(limit) : this.st.openComplaints.all()).map((r) => JSON.parse(r.body) as Complaint);
  }

  /** Complaints past their deadline on `day` without a reply (to be escalated, once). */
  overdueComplaints(day: string): string[] {
    return this.st.overdueComplaints.all(day).map((r) => r.id);
  }

  /** Cases being handed between departments by the due day of their current step; finished ones newest first. */
  routes(done: boolean, limit = CASEWORK_PAGE): CaseRoute[] {
    return (done ? this.st.doneRoutes.all(limit) : this.st.openRoutes.all()).map((r) => JSON.parse(r.body) as CaseRoute);
  }

  /** What is open of the cases that need someone, for overdueItems. */
  open(openFollowUps: FollowUp[]): OpenCasework {
    return { followUps: openFollowUps, complaints: this.complaints(false), routes: this.routes(false) };
  }

  /** Stores a file of evidence once, by its content; refuses what is not a photo or PDF, or too large. */
  storeEvidence(data: Buffer, name: string, by: string, now: number): { ok: true; ref: EvidenceRef } | { ok: false; code: 'bad-request' | 'too-large'; message: string } {
    if (data.length === 0) return { ok: false, code: 'bad-request', message: inBothLanguages('上传的文件是空的：请选择要作为凭证的照片或 PDF 文件。未保存任何文件。', 'The file is empty: choose the photo or PDF to keep as evidence. Nothing was stored.') };
    if (data.length > MAX_EVIDENCE_BYTES) return { ok: false, code: 'too-large', message: `a file of evidence is at most ${MAX_EVIDENCE_BYTES} bytes` };
    const type = sniffEvidence(data);
    if (!type) return { ok: false, code: 'bad-request', message: inBothLanguages('凭证应为照片（JPEG、PNG）或 PDF 文件，所选文件不是。未保存任何文件。', 'Evidence is a photo (JPEG, PNG) or a PDF; the file chosen is neither. Nothing was stored.') };
    const hash = createHash('sha256').update(data).digest('hex');
    this.st.putFile.run(hash, type, data.length, data, now, by);
    return { ok: true, ref: { hash, name, type, size: data.length } };
  }

  evidence(hash: string): { type: string; size: number; data: Buffer } | undefined {
    return /^[0-9a-f]{64}$/.test(hash) ? this.st.file.get(hash) : undefined;
  }
}

function parsed<T>(row: { body: string } | undefined): T | undefined {
  return row ? (JSON.parse(row.body) as T) : undefined;
}

/** Every overdue follow-up step, complaint and case-route step in the hall's records at `now`. */
export function overdueNow(store: HallStore, now: number): OverdueItem[] {
  const { catalogue } = store.view;
  return overdueItems(store.casework.open(store.openFollowUps()), now, hallCalendar(catalogue), catalogue.hall.timeZone);
}

/** The same, as the supervisors' alerts take them: the `overdue` of the hub's reviewAlerts, each a 督办 alert. */
export const overdueAlertReports = (store: HallStore, now: number): OverdueReport[] => overdueReports(overdueNow(store, now));

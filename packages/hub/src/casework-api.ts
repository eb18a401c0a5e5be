import {
  AdvanceComplaintCommandSchema,
  CreateComplaintCommandSchema,
  EvidenceRefSchema,
  followUpDepartment,
  LINE_CONTROL_CHARACTER,
  FollowUpStepSchema,
  MAX_EVIDENCE_BYTES,
  nextFollowUpStep,
  RecordDeliveryCommandSchema,
  RouteCaseCommandSchema,
  type CaseRoute,
  type Catalogue,
  type CommandBody,
  type Complaint,
  type FollowUp,
  type StaffRole,
} from '@servicehall/core';
import { z } from 'zod';
import { flagQuery, HttpRefusal, refusalSaid, wholeQuery, type Operation, type Reply, type Request } from './http';
import { overdueNow } from './casework';
import { FOLLOW_UP_PAGE, type HallStore } from './store';

// The cases that need someone, for the console and integrations: bad ratings' follow-ups (N-03),
// complaints (H-15), cases handed between departments (H-10), delivery of results (H-12), and
// what of them is overdue (督办). Every change is a command through the one writer; core says who may.

const SUPERVISORS = ['administrator', 'supervisor'] as const;
const CONSOLE_STAFF = ['administrator', 'supervisor', 'department-head'] as const;
const ALL_STAFF = ['administrator', 'supervisor', 'department-head', 'clerk'] as const;

type Run = (req: Request, command: CommandBody, okStatus?: number) => Promise<Reply>;

/** What a staff member's role lets them see of a list: a department head their department's, a clerk their own. */
function scope(req: Request): { role?: StaffRole; department?: string; id?: string } {
  const s = req.session?.staff;
  return s ? { role: s.role, ...(s.department ? { department: s.department } : {}), id: s.id } : {};
}

function seesFollowUp(req: Request, f: FollowUp, catalogue: Catalogue): boolean {
  const s = scope(req);
  if (s.role === 'department-head') return followUpDepartment(f, catalogue) === s.department;
  if (s.role === 'clerk') return f.clerk === s.id;
  return true;
}

const seesComplaint = (req: Request, c: Complaint) => scope(req).role !== 'department-head' || c.department === scope(req).department;
const seesRoute = (req: Request, r: CaseRoute) => scope(req).role !== 'department-head' || r.steps.some((s) => s.department === scope(req).department || s.from === scope(req).department);

/** The day a follow-up's next step is due, for ordering by deadline. */
const nextDue = (f: FollowUp) => {
  const step = nextFollowUpStep(f);
  return step ? f.due[step] : '9999-12-31';
};

const body = <T>(req: Request) => req.body as T;

export function caseworkOperations(store: HallStore, run: Run, clock: () => number): Operation[] {
  const records = store.casework;
  const followUp = (req: Request): FollowUp => {
    const id = req.params.id!;
    const f = store.view.followUps.get(id) ?? store.followUp(id);
    if (!f || !seesFollowUp(req, f, store.view.catalogue)) throw new HttpRefusal('not-found', `there is no follow-up ${id}`);
    return f;
  };
  return [
    {
      method: 'GET',
      path: '/api/follow-ups',
      operationId: 'listFollowUps',
      summary: `Bad ratings' follow-up cases (核实, 整改, 反馈, 回访 with their due dates): the open ones by the deadline of their next step; ?closed=1 for closed ones, newest first, ${FOLLOW_UP_PAGE} a page (?before=next for the following page). A department head sees their department's, a clerk their own`,
      query: { closed: '1 or true for closed ones (0, false or none: the open ones)', before: 'the `next` of the previous page', limit: `how many at most (up to ${FOLLOW_UP_PAGE})` },
      staff: ALL_STAFF,
      handle: (req) => {
        if (!flagQuery(req.query, 'closed')) {
          const open = store.openFollowUps().filter((f) => seesFollowUp(req, f, store.view.catalogue));
          return { status: 200, body: { day: store.view.day, followUps: open.sort((a, b) => (nextDue(a) < nextDue(b) ? -1 : nextDue(a) > nextDue(b) ? 1 : 0)) } };
        }
        const whole = (v: string | null, name: string) => {
          if (v === null) return undefined;
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1) throw wholeQuery(`${name} must be a whole number, 1 or more`, name, 1, Number.MAX_SAFE_INTEGER);
          return n;
        };
        const page = store.closedFollowUps({ before: whole(req.query.get('before'), 'before'), limit: whole(req.query.get('limit'), 'limit') });
        return { status: 200, body: { day: store.view.day, ...page, followUps: page.followUps.filter((f) => seesFollowUp(req, f, store.view.catalogue)) } };
      },
    },
    {
      method: 'GET',
      path: '/api/follow-ups/{id}',
      operationId: 'getFollowUp',
      summary: 'One follow-up with its steps, their texts and evidence, the appeal and its decision',
      staff: ALL_STAFF,
      handle: (req) => ({ status: 200, body: { day: store.view.day, followUp: followUp(req) } }),
    },
    {
      method: 'POST',
      path: '/api/follow-ups/{id}/advance',
      operationId: 'advanceFollowUp',
      summary: "Completes the next step of a follow-up (核实, 整改, 反馈, 回访) with its text and the evidence uploaded for it (uploadEvidence); the revisit closes it. The department's head or a supervisor",
      staff: CONSOLE_STAFF,
      body: z.object({ step: FollowUpStepSchema, note: z.string().trim().min(1).max(500), evidence: z.array(EvidenceRefSchema).max(10).optional() }),
      handle: (req) => run(req, { type: 'advanceFollowUp', followUpId: req.params.id!, ...body<{ step: 'verify'; note: string }>(req) }),
    },
    {
      method: 'POST',
      path: '/api/follow-ups/{id}/appeal',
      operationId: 'appealFollowUp',
      summary: 'The clerk appeals the bad rating of their own follow-up for review (申诉复核)',
      staff: ALL_STAFF,
      body: z.object({ reason: z.string().trim().min(1).max(500) }),
      handle: (req) => run(req, { type: 'appealFollowUp', followUpId: req.params.id!, reason: body<{ reason: string }>(req).reason }),
    },
    {
      method: 'POST',
      path: '/api/follow-ups/{id}/appeal/decision',
      operationId: 'decideFollowUpAppeal',
      summary: "A supervisor's decision on a clerk's appeal: upheld closes the follow-up, rejected lets it go on",
      staff: SUPERVISORS,
      body: z.object({ upheld: z.boolean(), note: z.string().trim().min(1).max(500) }),
      handle: (req) => run(req, { type: 'decideFollowUpAppeal', followUpId: req.params.id!, ...body<{ upheld: boolean; note: string }>(req) }),
    },
    {
      method: 'POST',
      path: '/api/evidence',
      operationId: 'uploadEvidence',
      summary: `Stores a photo (JPEG, PNG) or PDF as a step's evidence, by the SHA-256 of its content, apart from the event log (at most ${MAX_EVIDENCE_BYTES} bytes); answers the reference a step then names. ?name= the file's name`,
      staff: CONSOLE_STAFF,
      query: { name: "the file's name as shown" },
      file: { contentType: 'application/octet-stream', maxBytes: MAX_EVIDENCE_BYTES },
      handle: (req) => {
        const name = (req.query.get('name') ?? '').trim() || 'evidence';
        if (name.length > 100 || LINE_CONTROL_CHARACTER.test(name) || /[/\\]/.test(name))
          throw refusalSaid('bad-request', 'the name is one line of at most 100 characters, without slashes', '文件名（name）只能写一行，最多 100 个字符，不含斜杠和控制字符。未保存任何文件。', "The file's name (name) is one line of at most 100 characters, without slashes or control characters. Nothing was stored.");
        const stored = records.storeEvidence(req.raw ?? Buffer.alloc(0), name, req.session?.staff.id ?? 'hall-token', clock());
        if (!stored.ok) throw new HttpRefusal(stored.code, stored.message);
        return { status: 201, body: { ok: true, evidence: stored.ref } };
      },
    },
    {
      method: 'GET',
      path: '/api/evidence/{hash}',
      operationId: 'getEvidence',
      summary: 'A stored file of evidence, by its hash',
      staff: ALL_STAFF,
      handle: (req) => {
        const f = records.evidence(req.params.hash!);
        if (!f) throw new HttpRefusal('not-found', `there is no evidence ${req.params.hash}`);
        const ext = f.type === 'application/pdf' ? 'pdf' : f.type === 'image/png' ? 'png' : 'jpg';
        return { status: 200, body: null, file: { contentType: f.type, name: `${req.params.hash!.slice(0, 12)}.${ext}`, data: f.data } };
      },
    },
    {
      method: 'GET',
      path: '/api/complaints',
      operationId: 'listComplaints',
      summary: 'Complaints (H-15): the open ones by deadline, with whether each is overdue and escalated; ?closed=1 for the latest closed ones. A department head sees their department\'s',
      query: { closed: '1 or true for closed ones (0, false or none: the open ones)' },
      staff: CONSOLE_STAFF,
      handle: (req) => {
        const list = records.complaints(flagQuery(req.query, 'closed')).filter((c) => seesComplaint(req, c));
        return { status: 200, body: { day: store.view.day, complaints: list } };
      },
    },
    {
      method: 'GET',
      path: '/api/complaints/{id}',
      operationId: 'getComplaint',
      summary: 'One complaint with its assignment, escalation, reply, closure and history',
      staff: CONSOLE_STAFF,
      handle: (req) => {
        const c = records.complaintOf(req.params.id!);
        if (!c || !seesComplaint(req, c)) throw new HttpRefusal('not-found', `there is no complaint ${req.params.id}`);
        return { status: 200, body: { day: store.view.day, complaint: c } };
      },
    },
    {
      method: 'POST',
      path: '/api/complaints',
      operationId: 'createComplaint',
      summary: 'Registers a complaint from the 12345 line, the complaint window, a QR page or a letter, linked to a ticket, case, window or clerk where known; its deadline in working days (a supervisor)',
      staff: SUPERVISORS,
      body: CreateComplaintCommandSchema.omit({ type: true }),
      handle: async (req) => {
        const reply = await run(req, { type: 'createComplaint', ...body<object>(req) } as CommandBody, 201);
        const answer = reply.body as { ok: boolean; seq?: number };
        // The new complaint's number, from the event the command made.
        const made = answer.ok && answer.seq !== undefined ? store.eventsSince(answer.seq - 1, 1)[0] : undefined;
        return made?.type === 'complaint.changed' ? { ...reply, body: { ...answer, complaint: made.complaint } } : reply;
      },
    },
    {
      method: 'POST',
      path: '/api/complaints/{id}/advance',
      operationId: 'advanceComplaint',
      summary: "A complaint's next step: assign (to a department or staff member), reply (to the complainant, by phone, SMS, letter, in person or the hotline), close. A supervisor; the assigned department's head replies",
      staff: CONSOLE_STAFF,
      body: AdvanceComplaintCommandSchema.omit({ type: true, complaintId: true }),
      handle: (req) => run(req, { type: 'advanceComplaint', complaintId: req.params.id!, ...body<object>(req) } as CommandBody),
    },
    {
      method: 'GET',
      path: '/api/case-routes',
      operationId: 'listCaseRoutes',
      summary: 'Cases handed between departments (H-10): who holds each, since when, due when, by due day; ?done=1 for the latest finished ones',
      query: { done: '1 or true for finished routes (0, false or none: the open ones)' },
      staff: CONSOLE_STAFF,
      handle: (req) => ({ status: 200, body: { day: store.view.day, routes: records.routes(flagQuery(req.query, 'done')).filter((r) => seesRoute(req, r)) } }),
    },
    {
      method: 'POST',
      path: '/api/cases/{caseNumber}/route',
      operationId: 'routeCase',
      summary: 'Hands a case to another department with a deadline in working days, or finishes its route (a supervisor, or the head of the department holding it)',
      staff: CONSOLE_STAFF,
      body: RouteCaseCommandSchema.omit({ type: true, caseNumber: true }),
      handle: (req) => run(req, { type: 'routeCase', caseNumber: req.params.caseNumber!, ...body<object>(req) } as CommandBody),
    },
    {
      method: 'GET',
      path: '/api/cases/{caseNumber}/delivery',
      operationId: 'getDelivery',
      summary: "How a case's result reaches the citizen: notices, post with tracking number, hand-over, originals returned (H-12); its route between departments beside it",
      staff: ALL_STAFF,
      handle: (req) => {
        const n = req.params.caseNumber!;
        const c = store.caseOf(n);
        if (!c) throw new HttpRefusal('not-found', `there is no case ${n}`);
        return { status: 200, body: { case: c, delivery: records.deliveryOf(n) ?? null, route: records.routeOf(n) ?? null } };
      },
    },
    {
      method: 'POST',
      path: '/api/cases/{caseNumber}/delivery',
      operationId: 'recordDelivery',
      summary: "Records a step of a result's delivery: notify (the channel), send (post with its tracking number, or electronically), hand-over (who signed), return-originals (what, who signed)",
      staff: ALL_STAFF,
      body: RecordDeliveryCommandSchema.omit({ type: true, caseNumber: true }),
      handle: (req) => run(req, { type: 'recordDelivery', caseNumber: req.params.caseNumber!, ...body<object>(req) } as CommandBody),
    },
    {
      method: 'GET',
      path: '/api/overdue',
      operationId: 'listOverdue',
      summary: 'Every overdue follow-up step, complaint and case-route step (督办), the oldest first: kind, id, due day, working days late, department',
      staff: CONSOLE_STAFF,
      handle: (req) => {
        const s = scope(req);
        const items = overdueNow(store, clock());
        return { status: 200, body: { day: store.view.day, items: s.role === 'department-head' ? items.filter((i) => i.department === s.department) : items } };
      },
    },
  ];
}

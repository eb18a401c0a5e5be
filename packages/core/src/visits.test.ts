import { describe, expect, it } from 'vitest';
import demo from '../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { correctionNotice, maskIdNumber, maskName, type Case } from './cases';
import { CatalogueSchema } from './catalogue';
import { mayCommand, type Actor, type CommandBody } from './commands';
import { applyEvent, askedRating, decide, emptyView, type Decision, type HallView } from './hall';
import { exportRating, isBadRating, ratingLevelCode, RATING_LEVELS, type Rating } from './ratings';
import type { Result } from './result';

const DAY = '2026-09-28';
const at = (time: string, day = DAY) => Date.parse(`${day}T${time}:00+08:00`);
const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const win7: Actor = { role: 'window', terminal: 'window-7', window: 7 };
const pad7: Actor = { role: 'rating-pad', terminal: 'pad-7', window: 7 };
const pad8: Actor = { role: 'rating-pad', terminal: 'pad-8', window: 8 };
const hub: Actor = { role: 'admin', terminal: 'hub' };

function run(view: HallView, command: CommandBody, actor: Actor, now: number): Result<Decision> {
  const r = decide(view, command, { now, actor });
  if (r.ok) for (const e of r.value.events) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  return r;
}

function must(view: HallView, command: CommandBody, actor: Actor, now: number): Decision {
  const r = run(view, command, actor, now);
  if (!r.ok) throw new Error(`${command.type} refused: ${r.code}: ${r.message}`);
  return r.value;
}

/** A hall on 2026-09-28 (the Monday before 国庆) with window 7 open and 企业设立登记 being served there. */
function serving(): { view: HallView; ticketId: string } {
  const view = emptyView(CatalogueSchema.parse(demo), DAY);
  must(view, { type: 'openWindow', window: 7, clerk: '1011' }, win7, at('08:30'));
  const t = must(view, { type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' }, kiosk, at('09:00')).ticket!;
  must(view, { type: 'callNext', window: 7 }, win7, at('09:01'));
  must(view, { type: 'startService', window: 7 }, win7, at('09:02'));
  return { view, ticketId: t.id };
}

const outcome = (o: Partial<Extract<CommandBody, { type: 'recordOutcome' }>>): CommandBody => ({ type: 'recordOutcome', window: 7, serviceCode: 'SJ-QY-SL', outcome: 'accepted', ...o });

describe('the outcome of a visit (H-07)', () => {
  it('accepts with a case number and due dates counted in working days across 国庆 (N-05)', () => {
    const { view } = serving();
    const d = must(view, outcome({ outcome: 'accepted' }), win7, at('09:10'));
    // The event carries the case's number and where it was decided; its item (the ticket's), clerks,
    // time, outcome and statutory due dates follow from the view.
    expect(d.events).toEqual([{ type: 'case.recorded', outcome: 'accepted', case: { number: 'SL202609280001', window: 7 } }]);
    expect(view.cases.get('SL202609280001')).toMatchObject({
      number: 'SL202609280001',
      state: 'accepted',
      acceptedOn: DAY,
      promisedDue: '2026-09-29',
      // 15 working days from 09-28: 09-29 and 09-30 (2), 10-01..07 off, 10-08 and 10-09 (4), the make-up Saturday 10-10 (5),
      // 10-12..16 (10), 10-19..23 (15).
      legalDue: '2026-10-23',
      firstClerk: '1011',
      dueCertain: true,
      outcome: 'accepted',
      amendments: [],
    });
  });

  it('numbers the day’s cases one after another', () => {
    const { view } = serving();
    must(view, outcome({ outcome: 'consultation' }), win7, at('09:10'));
    const d = must(view, outcome({ outcome: 'accepted', serviceCode: 'SJ-GT-SL' }), win7, at('09:11'));
    expect(d.events[0]!.type === 'case.recorded' && d.events[0]!.case.number).toBe('SL202609280002');
    // An item other than the ticket's is named in the event, and its own due dates follow from it.
    expect(d.events[0]!.type === 'case.recorded' && d.events[0]!.case.serviceCode).toBe('SJ-GT-SL');
    expect(view.cases.get('SL202609280002')).toMatchObject({ serviceCode: 'SJ-GT-SL', state: 'accepted', acceptedOn: DAY, openedAt: at('09:11') });
  });

  it('needs the service to have started', () => {
    const view = emptyView(CatalogueSchema.parse(demo), DAY);
    must(view, { type: 'openWindow', window: 7, clerk: '1011' }, win7, at('08:30'));
    expect(run(view, outcome({}), win7, at('09:00'))).toMatchObject({ ok: false, code: 'illegal-transition' });
  });

  it('refuses a rejection without its reason, and a correction without materials or with unknown ones', () => {
    const { view } = serving();
    expect(run(view, outcome({ outcome: 'rejected' }), win7, at('09:10'))).toMatchObject({ ok: false, code: 'bad-request' });
    expect(run(view, outcome({ outcome: 'correction', materials: [] }), win7, at('09:10'))).toMatchObject({ ok: false, code: 'bad-request' });
    expect(run(view, outcome({ outcome: 'correction', materials: ['m1', 'm99'] }), win7, at('09:10'))).toMatchObject({ ok: false, message: expect.stringContaining('m99') });
  });

  /** The citizen of the visit being served leaves; another visit (the same citizen back, or the next one) starts at window 7. */
  function nextVisit(view: HallView, time: string): string {
    must(view, { type: 'finishService', window: 7 }, win7, at(time));
    const t = must(view, { type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' }, kiosk, at(time)).ticket!;
    must(view, { type: 'callNext', window: 7 }, win7, at(time));
    must(view, { type: 'startService', window: 7 }, win7, at(time));
    return t.id;
  }
  /** The case a decision recorded, as the view folded it (a new case's event carries only what the outcome decided). */
  const caseIn = (view: HallView, d: Decision): Case => {
    const e = d.events[0]!;
    if (e.type !== 'case.recorded' && e.type !== 'case.amended') throw new Error(`no case in ${e.type}`);
    return view.cases.get(e.case.number)!;
  };

  it('warns of a correction notice that asks for material the first did not name, and gives it only with the clerk’s reason (H-03)', () => {
    const { view } = serving();
    const first = caseIn(view, must(view, outcome({ outcome: 'correction', materials: ['m2', 'm5'] }), win7, at('09:10')));
    // The notice gives ten working days for the corrections, across 国庆.
    expect(first.notices[0]).toMatchObject({ materials: ['m2', 'm5'], breach: false, deadline: '2026-10-16' });
    nextVisit(view, '10:00');
    // Refused before anything is printed: the clerk's screen warns and asks why.
    const warned = run(view, outcome({ outcome: 'correction', caseNumber: first.number, materials: ['m2', 'm6'] }), win7, at('10:01'));
    expect(warned).toMatchObject({ ok: false, code: 'notice-breach', message: expect.stringContaining('m6') });
    expect(view.cases.get(first.number)!.notices).toHaveLength(1);
    const again = caseIn(view, must(view, outcome({ outcome: 'correction', caseNumber: first.number, materials: ['m2', 'm6'], breachReason: '申请人变更了经营范围' }), win7, at('10:02')));
    expect(again.notices[1]).toMatchObject({ materials: ['m2', 'm6'], newMaterials: ['m6'], breach: true, breachReason: '申请人变更了经营范围' });
    nextVisit(view, '10:05');
    const same = caseIn(view, must(view, outcome({ outcome: 'correction', caseNumber: first.number, materials: ['m5'] }), win7, at('10:05')));
    expect(same.notices[2]).toMatchObject({ breach: false, newMaterials: [] });
    expect(same.notices[2]!.breachReason).toBeUndefined();
    nextVisit(view, '10:10');
    expect(caseIn(view, must(view, outcome({ outcome: 'accepted', caseNumber: first.number }), win7, at('10:10')))).toMatchObject({ number: first.number, state: 'accepted' });
    nextVisit(view, '10:20');
    expect(run(view, outcome({ outcome: 'correction', caseNumber: first.number, materials: ['m1'] }), win7, at('10:20'))).toMatchObject({ ok: false, code: 'illegal-transition' });
  });

  it('records one outcome per item in a visit: a second one is refused and points to the amendment (H-07)', () => {
    const { view } = serving();
    const c = caseIn(view, must(view, outcome({ outcome: 'correction', materials: ['m2'] }), win7, at('09:10')));
    for (const again of [outcome({ outcome: 'consultation' }), outcome({ outcome: 'accepted' }), outcome({ outcome: 'correction', caseNumber: c.number, materials: ['m3'] })])
      expect(run(view, again, win7, at('09:12'))).toMatchObject({ ok: false, code: 'outcome-recorded', message: expect.stringContaining(c.number) });
    // Another item of the same visit has its own outcome.
    expect(caseIn(view, must(view, outcome({ outcome: 'consultation', serviceCode: 'SJ-GT-SL' }), win7, at('09:13')))).toMatchObject({ state: 'consulted', outcome: 'consultation' });
    expect([...view.cases.values()].filter((x) => x.serviceCode === 'SJ-QY-SL')).toHaveLength(1);
  });

  it('amends 补正 to 仅咨询 to 受理 in one visit: one case, each change logged with its reason, none left 待补正', () => {
    const { view } = serving();
    const c = caseIn(view, must(view, outcome({ outcome: 'correction', materials: ['m2', 'm5'] }), win7, at('09:10')));
    const amend = (o: object): CommandBody => ({ type: 'amendOutcome', window: 7, caseNumber: c.number, outcome: 'consultation', amendReason: '群众只是咨询', ...o });
    const d1 = must(view, amend({}), win7, at('09:12'));
    expect(d1.events).toEqual([{ type: 'case.amended', outcome: 'consultation', from: 'correction', reason: '群众只是咨询', by: 'window-7', case: expect.objectContaining({ number: c.number, state: 'consulted', outcome: 'consultation', notices: [] }) }]);
    const accepted = caseIn(view, must(view, amend({ outcome: 'accepted', amendReason: '材料当场补齐' }), win7, at('09:20')));
    expect(accepted).toMatchObject({ number: c.number, state: 'accepted', outcome: 'accepted', acceptedOn: DAY, promisedDue: '2026-09-29' });
    expect(accepted.amendments).toEqual([
      { at: at('09:12'), clerk: '1011', from: 'correction', to: 'consultation', reason: '群众只是咨询' },
      { at: at('09:20'), clerk: '1011', from: 'consultation', to: 'accepted', reason: '材料当场补齐' },
    ]);
    expect([...view.cases.values()]).toHaveLength(1);
    expect([...view.cases.values()].filter((x) => x.state === 'correction')).toHaveLength(0);
    // Back to 不予受理: the due dates go, the reason comes.
    const rejected = caseIn(view, must(view, amend({ outcome: 'rejected', reason: '不属于本中心受理范围', amendReason: '核实后不属于受理范围' }), win7, at('09:25')));
    expect(rejected).toMatchObject({ state: 'rejected', rejectReason: '不属于本中心受理范围' });
    expect(rejected.promisedDue).toBeUndefined();
    expect(run(view, amend({ outcome: 'rejected', reason: '同上', amendReason: '重复' }), win7, at('09:26'))).toMatchObject({ ok: false, code: 'conflict' });
  });

  it('replaces the notice of the visit when a correction is amended before the citizen leaves: one complete notice, no breach', () => {
    const { view } = serving();
    const c = caseIn(view, must(view, outcome({ outcome: 'correction', materials: ['m2'] }), win7, at('09:10')));
    const amended = caseIn(view, must(view, { type: 'amendOutcome', window: 7, caseNumber: c.number, outcome: 'correction', materials: ['m2', 'm5'], amendReason: '漏列了一项材料' }, win7, at('09:11')));
    expect(amended.notices).toEqual([expect.objectContaining({ materials: ['m2', 'm5'], breach: false, newMaterials: [] })]);
  });

  it('amends only a case of the visit being served, at the window serving it', () => {
    const { view } = serving();
    const c = caseIn(view, must(view, outcome({ outcome: 'accepted' }), win7, at('09:10')));
    const amend: CommandBody = { type: 'amendOutcome', window: 7, caseNumber: c.number, outcome: 'consultation', amendReason: '误操作' };
    expect(run(view, { ...amend, caseNumber: 'SL209912310001' }, win7, at('09:11'))).toMatchObject({ ok: false, code: 'not-found' });
    expect(run(view, { ...amend, window: 8 }, { role: 'window', terminal: 'window-8', window: 8 }, at('09:11'))).toMatchObject({ ok: false, code: 'illegal-transition' });
    nextVisit(view, '09:30');
    expect(run(view, amend, win7, at('09:31'))).toMatchObject({ ok: false, code: 'illegal-transition' });
    expect(mayCommand(pad7, amend)).toBe(false);
  });

  it('keeps only masked personal data in the event (H-19)', () => {
    const { view } = serving();
    const d = must(view, outcome({ applicant: { name: '张三丰', idNumber: '110101199003071234' } }), win7, at('09:10'));
    const json = JSON.stringify(d.events);
    expect(json).not.toContain('三丰');
    expect(json).not.toContain('110101199003071234');
    expect(d.events[0]!.type === 'case.recorded' && d.events[0]!.case.applicant).toEqual({ name: '张**', idNumber: '1101**********1234' });
  });

  it.each([
    ['张三', '张*'],
    ['欧阳娜娜', '欧***'],
    ['李', '李'],
  ])('masks the name %s as %s', (name, masked) => expect(maskName(name)).toBe(masked));

  it('masks an ID number but for its first and last four', () => expect(maskIdNumber('11010119900307123X')).toBe('1101**********123X'));

  it('treats a first notice as the reference and any addition later as a breach', () => {
    const first = correctionNotice([], ['m1', 'm1', 'm2'], 1);
    expect(first).toMatchObject({ materials: ['m1', 'm2'], breach: false });
    expect(correctionNotice([first], ['m3'], 2)).toMatchObject({ newMaterials: ['m3'], breach: true });
  });
});

describe('rating a service (N-01, H-13)', () => {
  function finished() {
    const s = serving();
    must(s.view, outcome({ outcome: 'accepted' }), win7, at('09:10'));
    must(s.view, { type: 'finishService', window: 7 }, win7, at('09:12'));
    return s;
  }
  const rate = (level: Rating['level'], extra: object = {}): CommandBody => ({ type: 'rate', level, aspects: {}, reasons: [], channel: 'window-pad', ...extra });
  /** A pad's rating: it always names the service it asked about. */
  const padRate = (view: HallView, level: Rating['level'], extra: object = {}): CommandBody => rate(level, { ticketId: askedRating(view, 7)?.ticketId ?? 'nothing-asked', ...extra });
  /** Serves one more citizen of 个体工商户登记 at window 7, from the kiosk to 办结. */
  function serveAnother(view: HallView, from: string, until: string): string {
    const t = must(view, { type: 'issueTicket', serviceCode: 'SJ-GT-SL', lane: 'ordinary' }, kiosk, at(from)).ticket!;
    must(view, { type: 'callNext', window: 7 }, win7, at(from));
    must(view, { type: 'startService', window: 7 }, win7, at(from));
    must(view, { type: 'finishService', window: 7 }, win7, at(until));
    return t.id;
  }

  it('asks the window’s pad once the service is finished, and records one rating with every field (N-02)', () => {
    const { view, ticketId } = finished();
    expect(view.ratingRequests.get(ticketId)).toMatchObject({ window: 7, clerk: '1011', serviceCode: 'SJ-QY-SL' });
    const d = must(view, padRate(view, 'very-satisfied', { aspects: { efficiency: 'satisfied' }, text: '办事很快' }), pad7, at('09:13'));
    // The event carries what the citizen gave; the record follows from the service that waited for it.
    expect(d.events).toEqual([{ type: 'rating.recorded', rating: { ticketId, level: 'very-satisfied', aspects: { efficiency: 'satisfied' }, text: '办事很快' } }]);
    const r = view.ratings.get(ticketId)?.[0];
    expect(r).toMatchObject({
      ticketId,
      serviceCode: 'SJ-QY-SL',
      caseNumber: 'SL202609280001',
      caseState: 'accepted',
      window: 7,
      clerk: '1011',
      channel: 'window-pad',
      raterType: 'citizen',
      anonymous: true,
      level: 'very-satisfied',
      aspects: { efficiency: 'satisfied' },
      text: '办事很快',
      at: at('09:13'),
      count: 1,
      isDefault: false,
    });
    expect(view.ratingRequests.has(ticketId)).toBe(false);
  });

  it('refuses a second rating at the counter', () => {
    const { view, ticketId } = finished();
    must(view, padRate(view, 'satisfied'), pad7, at('09:13'));
    expect(run(view, rate('very-dissatisfied', { ticketId }), pad7, at('09:14'))).toMatchObject({ ok: false, code: 'already-rated' });
  });

  it('lets only the pad of the window that served rate it, and never the clerk', () => {
    const { view, ticketId } = finished();
    expect(run(view, rate('satisfied', { ticketId }), pad8, at('09:13'))).toMatchObject({ ok: false, code: 'forbidden' });
    expect(mayCommand(win7, rate('very-satisfied'))).toBe(false);
    expect(mayCommand(pad7, rate('very-satisfied', { window: 8 }))).toBe(false);
    expect(mayCommand(pad7, rate('very-satisfied', { channel: 'qr' }))).toBe(false);
    expect(mayCommand(pad7, { type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' })).toBe(false);
  });

  it('takes a later second rating by QR, and no third', () => {
    const { view, ticketId } = finished();
    must(view, padRate(view, 'satisfied'), pad7, at('09:13'));
    const second = must(view, rate('basically-satisfied', { ticketId, channel: 'qr' }), hub, at('12:00')).events[0]!;
    expect(second.type === 'rating.recorded' && second.rating).toMatchObject({ count: 2, channel: 'qr', level: 'basically-satisfied' });
    expect(run(view, rate('satisfied', { ticketId, channel: 'qr' }), hub, at('12:01'))).toMatchObject({ ok: false, code: 'already-rated' });
  });

  it('opens a follow-up for a bad rating with deadlines in working days (N-03)', () => {
    const { view } = finished();
    const d = must(view, padRate(view, 'dissatisfied', { reasons: ['等候时间长'] }), pad7, at('09:13'));
    const f = d.events[1]!.type === 'followUp.opened' ? d.events[1]!.followUp : undefined;
    // verify 1, fix 3, reply 5, revisit 10 working days from 09-28, across 国庆.
    expect(f?.due).toEqual({ verify: '2026-09-29', fix: '2026-10-08', reply: '2026-10-10', revisit: '2026-10-16' });
    expect(run(view, { type: 'advanceFollowUp', followUpId: f!.id, step: 'fix', note: '跳过核实' }, hub, at('10:00'))).toMatchObject({ ok: false, code: 'illegal-transition' });
    for (const step of ['verify', 'fix', 'reply', 'revisit'] as const) must(view, { type: 'advanceFollowUp', followUpId: f!.id, step, note: `${step} 完成` }, hub, at('10:00'));
    expect(view.followUps.get(f!.id)).toMatchObject({ closed: true });
  });

  it('gives the default level, marked as default, to a service left unrated past its time (N-04)', () => {
    const { view, ticketId } = finished();
    expect(run(view, { type: 'defaultRating', ticketId }, hub, at('09:15'))).toMatchObject({ ok: false, code: 'conflict' });
    must(view, { type: 'defaultRating', ticketId }, hub, at('09:23'));
    expect(view.ratings.get(ticketId)?.[0]).toMatchObject({ level: 'satisfied', isDefault: true, raterType: 'system' });
    expect(run(view, rate('very-dissatisfied', { ticketId }), pad7, at('09:24'))).toMatchObject({ ok: false });
  });

  it('refuses a rating from the counter that does not name the service the pad asked about', () => {
    const { view } = finished();
    expect(run(view, rate('satisfied'), pad7, at('09:13'))).toMatchObject({ ok: false, code: 'bad-request' });
    expect(run(view, rate('satisfied', { channel: 'key-pad' }), pad7, at('09:13'))).toMatchObject({ ok: false, code: 'bad-request' });
  });

  it('asks only about the latest service: after one citizen rates, an earlier unrated service is not asked again', () => {
    const { view, ticketId: first } = finished();
    // The first citizen left without rating; the next one is served and rates.
    const second = serveAnother(view, '09:20', '09:30');
    expect(askedRating(view, 7)?.ticketId).toBe(second);
    must(view, padRate(view, 'very-satisfied'), pad7, at('09:31'));
    // The first service is still unrated (its default comes later), yet the pad asks nothing.
    expect(view.ratingRequests.has(first)).toBe(true);
    expect(askedRating(view, 7)).toBeUndefined();
    // A pad that has sent its rating and waits for the hub does not fall back to an older service either.
    const third = serveAnother(view, '09:40', '09:50');
    expect(askedRating(view, 7, new Set([third]))).toBeUndefined();
  });

  it('stops asking once the window serves the next citizen, and asks nothing at a window with nothing finished', () => {
    const { view, ticketId } = finished();
    expect(askedRating(view, 7)?.ticketId).toBe(ticketId);
    must(view, { type: 'issueTicket', serviceCode: 'SJ-GT-SL', lane: 'ordinary' }, kiosk, at('09:14'));
    must(view, { type: 'callNext', window: 7 }, win7, at('09:15'));
    // Called, not yet at the counter: the citizen who was served may still be rating.
    expect(askedRating(view, 7)?.ticketId).toBe(ticketId);
    must(view, { type: 'startService', window: 7 }, win7, at('09:16'));
    expect(askedRating(view, 7)).toBeUndefined();
    expect(askedRating(view, 8)).toBeUndefined();
  });

  it('takes reasons and text added after the press as the same rating, amended once, from its own pad, in time', () => {
    const { view, ticketId } = finished();
    const d = must(view, padRate(view, 'dissatisfied', { aspects: { attitude: 'dissatisfied' } }), pad7, at('09:13'));
    expect(d.events.map((e) => e.type)).toEqual(['rating.recorded', 'followUp.opened']);
    const amend: CommandBody = { type: 'amendRating', ticketId, aspects: { efficiency: 'dissatisfied' }, reasons: ['等候时间长'], text: '材料没有一次说清' };
    expect(mayCommand(pad7, amend)).toBe(true);
    expect(mayCommand(win7, amend)).toBe(false);
    expect(run(view, amend, pad8, at('09:14'))).toMatchObject({ ok: false, code: 'forbidden' });
    const amended = must(view, amend, pad7, at('09:14'));
    expect(amended.events).toEqual([{ type: 'rating.amended', ratingId: `${ticketId}#1`, ticketId, aspects: { efficiency: 'dissatisfied' }, reasons: ['等候时间长'], text: '材料没有一次说清' }]);
    expect(view.ratings.get(ticketId)).toEqual([
      expect.objectContaining({ level: 'dissatisfied', aspects: { attitude: 'dissatisfied', efficiency: 'dissatisfied' }, reasons: ['等候时间长'], text: '材料没有一次说清', amendedAt: at('09:14'), count: 1 }),
    ]);
    // One follow-up, one rating: the amendment opens nothing new.
    expect([...view.followUps.values()]).toHaveLength(1);
    expect(run(view, amend, pad7, at('09:15'))).toMatchObject({ ok: false, code: 'already-rated' });
  });

  it('refuses to amend what was never rated at the counter, or once the time to rate is over', () => {
    const { view, ticketId } = finished();
    const amend: CommandBody = { type: 'amendRating', ticketId, aspects: {}, reasons: ['其他'] };
    expect(run(view, amend, pad7, at('09:13'))).toMatchObject({ ok: false, code: 'not-found' });
    must(view, padRate(view, 'very-dissatisfied'), pad7, at('09:13'));
    expect(run(view, amend, pad7, at('09:40'))).toMatchObject({ ok: false, code: 'conflict' });
  });

  it.each(RATING_LEVELS.map((l, i) => [l, i + 1, 5 - i]))('codes %s as %i nationally and %i in reversed provincial interfaces', (level, national, provincial) => {
    expect(ratingLevelCode(level, 'national')).toBe(national);
    expect(ratingLevelCode(level, 'provincial-reversed')).toBe(provincial);
  });

  it('exports a record with its level codes mapped per target', () => {
    const { view, ticketId } = finished();
    must(view, padRate(view, 'very-dissatisfied', { aspects: { attitude: 'dissatisfied' }, reasons: ['态度生硬'] }), pad7, at('09:13'));
    const r = view.ratings.get(ticketId)?.[0];
    expect(exportRating(r!, 'national')).toMatchObject({ level: 5, aspects: { attitude: 4 }, channel: 'hall-terminal', text: '态度生硬', caseNumber: 'SL202609280001' });
    expect(exportRating(r!, 'provincial-reversed')).toMatchObject({ level: 1, aspects: { attitude: 2 } });
    expect(isBadRating('basically-satisfied')).toBe(false);
  });
});

describe('signing in', () => {
  it('opens the window for a known clerk, and refuses one signed in elsewhere', () => {
    const view = emptyView(CatalogueSchema.parse(demo), DAY);
    must(view, { type: 'signIn', window: 7, clerk: '1011', pin: '1234' }, win7, at('08:30'));
    expect(view.windows.get(7)).toMatchObject({ open: true, clerk: '1011' });
    expect(run(view, { type: 'signIn', window: 8, clerk: '1011', pin: '1234' }, { role: 'window', terminal: 'w8', window: 8 }, at('08:31'))).toMatchObject({ ok: false, code: 'conflict' });
    expect(run(view, { type: 'signIn', window: 8, clerk: '9999', pin: '1234' }, { role: 'window', terminal: 'w8', window: 8 }, at('08:31'))).toMatchObject({ ok: false, code: 'not-found' });
  });
});

describe('referring a citizen (指引, H-06)', () => {
  it('is recorded with its reason in the ticket’s history and keeps the first-responsible clerk', () => {
    const { view, ticketId } = serving();
    const d = must(view, { type: 'transferTicket', window: 7, toService: 'ZX-ZH-ZX', toWindow: 15, reason: '涉及多个部门，请到综合咨询台', referral: true }, win7, at('09:05'));
    expect(d.events[0]).toMatchObject({ type: 'ticket.transferred', referral: true });
    expect(view.tickets.get(ticketId)).toMatchObject({ state: 'issued', targetWindow: 15, firstClerk: '1011', transfers: [{ referral: true, reason: '涉及多个部门，请到综合咨询台', fromWindow: 7 }] });
  });
});

describe('an appointment whose ticket was voided', () => {
  it('checks in again: the print failed, nobody holds the first ticket', () => {
    const view = emptyView(CatalogueSchema.parse(demo), DAY);
    must(view, { type: 'bookAppointment', code: 'YY0001', serviceCode: 'SJ-QY-SL', slotStart: at('10:00'), slotEnd: at('10:30') }, hub, at('08:00'));
    const first = must(view, { type: 'checkInAppointment', code: 'YY0001' }, kiosk, at('09:50')).ticket!;
    expect(run(view, { type: 'checkInAppointment', code: 'YY0001' }, kiosk, at('09:51'))).toMatchObject({ ok: false, code: 'appointment-used' });
    must(view, { type: 'voidTicket', ticketId: first.id, reason: '打印失败' }, kiosk, at('09:51'));
    const second = must(view, { type: 'checkInAppointment', code: 'YY0001' }, kiosk, at('09:52')).ticket!;
    expect(second.id).not.toBe(first.id);
    expect(view.appointments.get('YY0001')?.ticketId).toBe(second.id);
  });
});

describe('civil language in what clerks and administrators write (H-14)', () => {
  it('refuses a rejection reason with a forbidden phrase, since it is printed for the citizen', () => {
    const { view } = serving();
    expect(run(view, outcome({ outcome: 'rejected', reason: '材料的事我不清楚，你自己看' }), win7, at('09:10'))).toMatchObject({ ok: false, code: 'bad-request', message: expect.stringContaining('不清楚') });
    expect(run(view, outcome({ outcome: 'rejected', reason: '申请事项不属于本机关职权范围，请向市场监管部门申请' }), win7, at('09:10'))).toMatchObject({ ok: true });
  });

  it('refuses a catalogue whose citizen-facing text uses a forbidden phrase, naming where', () => {
    const input = JSON.parse(JSON.stringify(demo));
    input.items[0].steps[1] = '窗口受理，急什么';
    const r = CatalogueSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toContain('items.0.steps.1: uses a phrase the handbook forbids (H-14): 急什么');
  });
});

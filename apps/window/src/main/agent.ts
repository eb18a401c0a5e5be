import { deviceReport, pollDevice, SteadyState, type AgentContext, type AgentParts } from '@servicehall/agent';
import { EmergencyLedger } from '@servicehall/client';
import {
  ApplicantSchema,
  currentTicket,
  decide,
  findItem,
  findWindow,
  forbiddenPhrasesIn,
  normaliseNumber,
  type Case,
  type CommandBody,
  type HallEvent,
} from '@servicehall/core';
import { healthAfter, ReopeningPrinter, type PrintDocument } from '@servicehall/escpos-printer';
import { newCommandId, type Answer } from '@servicehall/protocol';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { AmendRequest, DeviceState, Done, EmergencyCallCard, EmergencyDesk, OutcomeDone, OutcomeRequest, PrintRecord, PrintResult, TransferRequest, WindowShape } from '../shared/api';
import { stringsFor } from '../shared/strings';
import { caseCard, deskOf, displayFaceOf, type DisplayFace } from './desk';
import { WindowDisplay } from './display';
import { noticeFor } from './documents';
import { WindowOptionsSchema, type WindowOptions } from './options';

const REMEMBERED_COMMANDS = 50;
/** How soon a number display in fault is tried again (one replugged or switched on again shows the call by itself). */
const DISPLAY_RETRY_MS = 15_000;
const REMEMBERED_NOTICES = 30;

/** "wrong PIN for clerk 1005 (3 tries left)" → 3. */
export function triesLeftIn(message: string): number | undefined {
  const m = /\((\d+) tries left\)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** A refusal the clerk reads; the screen turns the code into a sentence. */
function refused(code: Extract<Done, { ok: false }>['code'], message: string): Extract<Done, { ok: false }> {
  return { ok: false, code, message };
}

const text = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined);

export interface WindowAgentDeps {
  /** This terminal's own clock (kept with a typed call, a print); how long the hub has been away is counted by the link's steady clock, what the hall's clock says by its `hubNow`. */
  now?: () => number;
  /** How soon a number display in fault is tried again; DISPLAY_RETRY_MS by default. */
  displayRetryMs?: number;
}

export interface WindowAgentParts extends AgentParts<WindowShape> {
  /** What the window's number display was last asked to show. */
  face(): DisplayFace | undefined;
}

/**
 * The window terminal's agent: the clerk's commands to the hub, the desk (this window's part of the
 * hall) to the screen, the notices to the receipt printer and the call to the number display.
 */
export function createWindowAgent(ctx: AgentContext<WindowShape>, options: WindowOptions = WindowOptionsSchema.parse({}), deps: WindowAgentDeps = {}): WindowAgentParts {
  const now = deps.now ?? Date.now;
  // The hall's time is the hub's: this PC's clock may be minutes off (set by hand, drifting).
  const hubNow = () => ctx.client.hubNow();
  const window = ctx.config.window;
  if (window === undefined) throw new Error('a window terminal needs the number of its window');
  const strings = stringsFor(ctx.config.language);
  const { printer: printerConfig, display: displayConfig } = ctx.config.devices;
  const printer = printerConfig ? new ReopeningPrinter(printerConfig, ctx.log) : undefined;
  const display = displayConfig ? new WindowDisplay(displayConfig, strings.display, ctx.log, () => displayLost()) : undefined;
  const devices: { printer: DeviceState; display: DeviceState } = {
    printer: printer ? { kind: 'ok' } : { kind: 'absent' },
    display: display ? { kind: 'ok' } : { kind: 'absent' },
  };
  let lastPrint: PrintRecord | undefined;
  let stopped = false;
  const ledger = new EmergencyLedger(path.join(ctx.config.dataDir, 'emergency.json'));
  /** This outage's typed calls, newest first (the screen's list); the records themselves are in the outbox. */
  let recent: EmergencyCallCard[] = [];
  /** When this window last lost its hub (the link's steady clock: a PC's clock put right does not start emergency mode); undefined while online. */
  let lostAt: number | undefined = ctx.client.state.status === 'online' ? undefined : ctx.client.steadyNow();
  const eventsByCommand = new Map<string, HallEvent[]>();
  const notices = new Map<string, { document: PrintRecord['document']; doc: PrintDocument }>();

  const pushDesk = () => {
    const view = ctx.client.view;
    if (!view) return ctx.push('desk', null);
    try {
      ctx.push('desk', deskOf(view, window, hubNow(), { devices, ...(lastPrint ? { lastPrint } : {}) }));
    } catch (error) {
      ctx.log(`the desk could not be made: ${error instanceof Error ? error.message : error}`);
    }
  };

  let reported = '';
  /** The printer as the device board is told it: a fault at once, its end once it has held (a flapping printer is not reported at every poll). */
  let toldPrinter: DeviceState = devices.printer;
  const report = () => {
    const list = [deviceReport('printer', 'notice-printer', toldPrinter), deviceReport('display', 'window-display', devices.display)];
    const key = JSON.stringify(list);
    if (key === reported || stopped) return;
    reported = key;
    // Only a change becomes an event at the hub; the outbox carries it over a lost link.
    ctx.client.send({ type: 'reportDevices', devices: list }).then(
      (a) => {
        if (!a.ok) ctx.log(`the hub did not take the device report: ${a.code}`);
      },
      () => undefined,
    );
  };

  const printerTold = new SteadyState<DeviceState>(options.printerRecoveryMs, (state) => {
    toldPrinter = state;
    report();
  });
  printerTold.see(devices.printer);

  const setDevice = (which: 'printer' | 'display', state: DeviceState) => {
    if (which === 'printer') printerTold.see(state);
    if (JSON.stringify(devices[which]) === JSON.stringify(state)) return;
    devices[which] = state;
    pushDesk();
    report();
  };

  // The display follows the hub's view: one face at a time, the latest wins.
  let face: DisplayFace | undefined;
  let faceKey = '';
  let showing: Promise<void> = Promise.resolve();
  const follow = () => {
    const view = ctx.client.view;
    const open = ledger.openCall;
    if (!view && !open) return;
    // A number called by typing shows above the window while it is dealt with, whatever the hub last said.
    const next: DisplayFace = open ? { kind: open.startedAt !== undefined ? 'serving' : 'call', number: open.number, window } : displayFaceOf(view!, window);
    const t = next.kind === 'call' && view && !open ? view.tickets.get(view.current.get(window) ?? '') : undefined;
    // A recall shows the call again.
    const key = JSON.stringify({ ...next, recalls: t?.recalls ?? 0 });
    if (key === faceKey) return;
    faceKey = key;
    face = next;
    showFace(next);
  };

  const showFace = (next: DisplayFace) => {
    if (!display) return;
    showing = showing.then(async () => {
      if (stopped || face !== next) return;
      const state = await display.show(next);
      setDevice('display', state);
      if (state.kind === 'fault') retryDisplayLater();
    });
  };

  /** A display in fault is given the face it should show again, until it takes it: replugged or switched back on, it shows the call by itself (H-17). */
  let displayRetry: NodeJS.Timeout | undefined;
  const retryDisplayLater = () => {
    if (stopped || displayRetry) return;
    displayRetry = setTimeout(() => {
      displayRetry = undefined;
      if (face) showFace(face);
    }, deps.displayRetryMs ?? DISPLAY_RETRY_MS);
  };
  /** The display's line went away under it (unplugged): said on the device board now, not at the next call. */
  const displayLost = () => {
    if (stopped) return;
    setDevice('display', { kind: 'fault', code: 'offline' });
    retryDisplayLater();
  };

  /** 应急模式: no hub for longer than the set time, or a typed call still open from it. */
  const inEmergency = (): boolean => ledger.openCall !== undefined || (lostAt !== undefined && ctx.client.state.status !== 'online' && ctx.client.steadyNow() - lostAt >= options.emergencyAfterSeconds * 1000);
  let emergencyKey = '';
  const pushEmergency = () => {
    const open = ledger.openCall;
    const clerk = open?.clerk ?? ctx.client.view?.windows.get(window)?.clerk;
    const desk: EmergencyDesk = {
      active: inEmergency(),
      window,
      ...(clerk ? { clerk } : {}),
      ...(open ? { current: { number: open.number, state: open.startedAt !== undefined ? 'serving' : 'called', calledAt: open.calledAt } } : {}),
      recent: recent.slice(0, 8),
      waiting: ctx.client.waiting,
    };
    const key = JSON.stringify(desk);
    if (key === emergencyKey) return;
    emergencyKey = key;
    ctx.push('emergency', desk);
  };
  const emergencyTimer = setInterval(pushEmergency, 1000);
  emergencyTimer.unref?.();

  const unsubscribe = ctx.client.subscribe((change) => {
    if (change.kind === 'state') {
      if (change.state.status === 'online') lostAt = undefined;
      else lostAt ??= ctx.client.steadyNow();
      // A new outage starts a new list.
      if (change.state.status === 'online' && !ledger.openCall && change.state.waiting === 0) recent = [];
      pushEmergency();
      return;
    }
    for (const e of change.events) {
      if (!e.commandId) continue;
      eventsByCommand.set(e.commandId, [...(eventsByCommand.get(e.commandId) ?? []), e]);
      if (eventsByCommand.size > REMEMBERED_COMMANDS) eventsByCommand.delete(eventsByCommand.keys().next().value!);
    }
    pushDesk();
    follow();
  });
  pushDesk();
  follow();
  pushEmergency();

  // Asked again once it has answered: a silent printer's asks never pile up in front of a notice to print.
  const stopPolling = printer ? pollDevice(() => printer.health(), options.printerPollMs, (health) => setDevice('printer', health)) : undefined;
  report();

  /** Sends a command when the hub is there; a clerk's action is never left to happen minutes later unseen. */
  const run = async (body: CommandBody, id: string = newCommandId()): Promise<{ done: Done; answer?: Answer }> => {
    // A PIN, a name or an ID number is never written to the outbox file (H-19).
    const volatile = body.type === 'signIn' || (body.type === 'recordOutcome' && body.applicant !== undefined);
    const sent = await ctx.client.sendNow(body, { id, timeoutMs: options.answerTimeoutMs, volatile });
    if (!sent.ok)
      return { done: sent.reason === 'offline' ? refused('offline', `the hub is ${ctx.client.state.status}`) : refused('timeout', `no answer within ${options.answerTimeoutMs} ms`) };
    const answer = sent.answer;
    if (!answer.ok) {
      const left = answer.code === 'unauthorised' ? triesLeftIn(answer.message) : undefined;
      return { done: { ok: false, code: answer.code, message: answer.message, ...(left !== undefined ? { triesLeft: left } : {}) }, answer };
    }
    // The screen hears the answer after its desk has moved.
    await ctx.client.whenInStep(answer.seq, options.answerTimeoutMs).catch(() => undefined);
    return { done: { ok: true, ...(answer.ticket ? { ticket: answer.ticket.number } : {}) }, answer };
  };
  const act = async (body: CommandBody): Promise<Done> => (await run(body)).done;

  const print = async (document: PrintRecord['document'], doc: PrintDocument, caseNumber?: string): Promise<PrintResult> => {
    if (caseNumber) {
      notices.set(caseNumber, { document, doc });
      if (notices.size > REMEMBERED_NOTICES) notices.delete(notices.keys().next().value!);
    }
    if (!printer) {
      lastPrint = { document, ...(caseNumber ? { caseNumber } : {}), ok: false, code: 'absent', at: now() };
      pushDesk();
      return { ok: false, code: 'absent' };
    }
    const r = await printer.print(doc);
    // Sent whole, its end not reported: most likely on paper, so the clerk is not asked to print it twice.
    const failed = !r.ok && r.code !== 'unknown-after-write' ? r.code : undefined;
    lastPrint = { document, ...(caseNumber ? { caseNumber } : {}), ok: !failed, ...(failed ? { code: failed } : {}), at: now() };
    setDevice('printer', healthAfter(r));
    pushDesk();
    return failed ? { ok: false, code: failed } : { ok: true };
  };

  type Parsed = { materials: { id: string; reason?: string }[]; reason?: string; breachReason?: string };
  /** What an outcome form says, checked: every material named, the reasons printed for the citizen civil (H-14). */
  const parseOutcome = (req: Pick<OutcomeRequest, 'outcome' | 'materials' | 'reason' | 'breachReason'>): Parsed | Extract<Done, { ok: false }> => {
    const kinds = ['accepted', 'correction', 'rejected', 'consultation'] as const;
    if (!kinds.includes(req.outcome)) return refused('invalid', 'one of four outcomes');
    const materials = Array.isArray(req.materials) ? req.materials.filter((m) => m && typeof m.id === 'string').slice(0, 50) : [];
    const uncivil = materials.flatMap((m) => forbiddenPhrasesIn(text(m.reason, 60) ?? ''));
    if (uncivil.length > 0) return refused('invalid', `a reason printed for the citizen uses a phrase the handbook forbids: ${[...new Set(uncivil)].join('、')}`);
    const reason = text(req.reason, 300);
    if (req.outcome === 'correction' && materials.length === 0) return refused('invalid', 'a correction names every missing material');
    if (req.outcome === 'rejected' && !reason) return refused('invalid', 'not accepting needs the reason');
    const breachReason = text(req.breachReason, 200);
    return { materials, ...(reason ? { reason } : {}), ...(breachReason ? { breachReason } : {}) };
  };

  /**
   * A command's id from what it says: the same press again (its answer was late) is the same command
   * (rule 2, H-08). The ticket served comes first, as the day and its number order it, so that the
   * hub adds the answer near the end of its index (see newCommandId); with no ticket, a new id.
   */
  const outcomeId = (kind: string, parts: unknown[]): string => {
    const serving = ctx.client.view ? currentTicket(ctx.client.view, window)?.id : undefined;
    if (serving === undefined) return `${kind}-${newCommandId()}`;
    return `${kind}-${serving}-${createHash('sha256')
      .update(JSON.stringify([serving, ...parts]))
      .digest('hex')
      .slice(0, 32)}`;
  };

  /**
   * The names of the materials a correction would add to those earlier notices named (H-03): as the
   * hub's refusal names them (the case is often an earlier day's, which this view does not hold), or
   * as core decides it on this view for a hub that does not name them.
   */
  const breachMaterials = (body: CommandBody, named?: readonly string[]): string[] => {
    const view = ctx.client.view;
    if (named) {
      const code = body.type === 'recordOutcome' ? body.serviceCode : body.type === 'amendOutcome' ? view?.cases.get(body.caseNumber)?.serviceCode : undefined;
      const item = view && code ? findItem(view.catalogue, code) : undefined;
      return named.map((id) => item?.materials.find((m) => m.id === id)?.name ?? id);
    }
    if (!view) return [];
    const preview = decide(view, { ...body, breachReason: '-' } as CommandBody, { now: hubNow(), actor: { role: 'window', terminal: ctx.config.terminal, window } });
    const e = preview.ok ? preview.value.events[0] : undefined;
    // Only a continued case can add to earlier notices, and its event carries it whole.
    const c = e && (e.type === 'case.recorded' || e.type === 'case.amended') ? e.case : undefined;
    const item = c?.serviceCode ? findItem(view.catalogue, c.serviceCode) : undefined;
    return (c?.notices?.at(-1)?.newMaterials ?? []).map((id) => item?.materials.find((m) => m.id === id)?.name ?? id);
  };

  /** Sends an outcome or its amendment; once the hub has it, prints the notice it calls for. */
  const recordAndPrint = async (body: Extract<CommandBody, { type: 'recordOutcome' | 'amendOutcome' }>, id: string, parsed: Parsed): Promise<OutcomeDone> => {
    const { done, answer } = await run(body, id);
    if (!done.ok) return done.code === 'notice-breach' ? { ...done, newMaterials: breachMaterials(body, answer?.ok === false ? answer.materials : undefined) } : done;
    const view = ctx.client.view;
    const recorded = (eventsByCommand.get(id) ?? []).find((e) => e.type === 'case.recorded' || e.type === 'case.amended');
    // The case as the view folded it (a new case's event carries only what the outcome decided).
    const c: Case | undefined = recorded?.type === 'case.recorded' || recorded?.type === 'case.amended' ? view?.cases.get(recorded.case.number) : undefined;
    if (!view || !c || !answer) return { ok: true, printed: { ok: false, code: 'not-in-step' } };
    const notice = noticeFor(
      view,
      { outcome: body.outcome, case: c, reasons: Object.fromEntries(parsed.materials.map((m) => [m.id, text(m.reason, 60) ?? ''])), ...(parsed.reason ? { rejectReason: parsed.reason } : {}) },
      { windowName: findWindow(view.catalogue, window)?.name ?? strings.windowLabel(window), clerk: view.windows.get(window)?.clerk, lang: ctx.config.language, correctionDays: options.correctionDays },
    );
    const printed = notice ? await print(notice.document, notice.doc, c.number) : { ok: false as const, code: 'no-item' };
    return { ok: true, case: caseCard(view, view.cases.get(c.number) ?? c), printed };
  };

  const outcome = async (req: OutcomeRequest): Promise<OutcomeDone> => {
    if (!req || typeof req !== 'object' || typeof req.serviceCode !== 'string') return refused('invalid', 'an outcome names an item and one of four outcomes');
    const parsed = parseOutcome(req);
    if ('ok' in parsed) return parsed;
    let applicant: OutcomeRequest['applicant'];
    const name = text(req.applicant?.name, 40);
    if (name) {
      const checked = ApplicantSchema.safeParse({ name, idNumber: text(req.applicant?.idNumber, 18), phone: text(req.applicant?.phone, 16) });
      if (!checked.success) return refused('invalid', checked.error.issues.map((i) => i.message).join('; '));
      applicant = checked.data;
    }
    const caseNumber = text(req.caseNumber, 40)?.toUpperCase();
    const { materials, reason, breachReason } = parsed;
    const id = outcomeId('outcome', [req.serviceCode, req.outcome, caseNumber ?? '', materials.map((m) => m.id).sort(), reason ?? '', breachReason ?? '']);
    const body: Extract<CommandBody, { type: 'recordOutcome' }> = {
      type: 'recordOutcome',
      window,
      serviceCode: req.serviceCode,
      outcome: req.outcome,
      ...(caseNumber ? { caseNumber } : {}),
      ...(req.outcome === 'correction' ? { materials: materials.map((m) => m.id) } : {}),
      ...(reason && req.outcome === 'rejected' ? { reason } : {}),
      ...(breachReason && req.outcome === 'correction' ? { breachReason } : {}),
      ...(applicant ? { applicant } : {}),
    };
    return recordAndPrint(body, id, parsed);
  };

  /** An outcome recorded wrongly in this visit, corrected with the reason: the same case, its notice printed again (H-07). */
  const amendOutcome = async (req: AmendRequest): Promise<OutcomeDone> => {
    if (!req || typeof req !== 'object') return refused('invalid', 'an amendment names its case, the new outcome and why');
    const caseNumber = text(req.caseNumber, 40)?.toUpperCase();
    const amendReason = text(req.amendReason, 200);
    if (!caseNumber || !amendReason) return refused('invalid', 'an amendment names its case and why the outcome was wrong');
    const parsed = parseOutcome(req);
    if ('ok' in parsed) return parsed;
    const { materials, reason, breachReason } = parsed;
    const id = outcomeId('amend', [caseNumber, req.outcome, materials.map((m) => m.id).sort(), reason ?? '', amendReason, breachReason ?? '']);
    const body: Extract<CommandBody, { type: 'amendOutcome' }> = {
      type: 'amendOutcome',
      window,
      caseNumber,
      outcome: req.outcome,
      amendReason,
      ...(req.outcome === 'correction' ? { materials: materials.map((m) => m.id) } : {}),
      ...(reason && req.outcome === 'rejected' ? { reason } : {}),
      ...(breachReason && req.outcome === 'correction' ? { breachReason } : {}),
    };
    return recordAndPrint(body, id, parsed);
  };

  return {
    face: () => face,
    handlers: {
      hello: () => ({ terminal: ctx.config.terminal, window, language: ctx.config.language }),
      signIn: async (arg) => {
        const clerk = text(arg?.clerk, 16);
        const pin = typeof arg?.pin === 'string' ? arg.pin : '';
        if (!clerk || !/^[0-9A-Za-z]{1,16}$/.test(clerk) || !/^\d{4,8}$/.test(pin)) return refused('invalid', 'a clerk number and a PIN of 4 to 8 digits');
        return act({ type: 'signIn', window, clerk, pin });
      },
      signOut: () => act({ type: 'closeWindow', window }),
      pause: async (arg) => {
        const reason = text(arg?.reason, 200);
        if (!reason) return refused('invalid', 'a pause needs its reason');
        return act({ type: 'pauseWindow', window, reason });
      },
      resume: () => act({ type: 'resumeWindow', window }),
      callNext: () => act({ type: 'callNext', window }),
      callTicket: async (arg) => {
        const ticketId = text(arg?.ticketId, 80);
        if (!ticketId) return refused('invalid', 'which ticket?');
        const reason = text(arg?.reason, 200);
        return act({ type: 'callTicket', window, ticketId, ...(reason ? { reason } : {}) });
      },
      recall: () => act({ type: 'recall', window }),
      start: () => act({ type: 'startService', window }),
      finish: () => act({ type: 'finishService', window }),
      noShow: () => act({ type: 'markNoShow', window }),
      hold: () => act({ type: 'holdTicket', window }),
      transfer: async (arg: TransferRequest) => {
        const reason = text(arg?.reason, 200);
        const toService = text(arg?.toService, 40);
        const toWindow = typeof arg?.toWindow === 'number' && Number.isInteger(arg.toWindow) ? arg.toWindow : undefined;
        if (!reason || (!toService && toWindow === undefined)) return refused('invalid', 'a transfer names where and why');
        return act({ type: 'transferTicket', window, ...(toService ? { toService } : {}), ...(toWindow !== undefined ? { toWindow } : {}), reason, referral: arg.referral === true });
      },
      outcome,
      amendOutcome,
      emergencyCall: async (arg) => {
        if (!inEmergency()) return refused('bad-request', 'numbers are typed only in emergency mode; call from the queue');
        if (ledger.openCall) return refused('window-busy', `window ${window} is still with ${ledger.openCall.number}`);
        const digits = ctx.client.view?.catalogue.numbering.digits ?? 3;
        const number = typeof arg?.number === 'string' ? normaliseNumber(arg.number, digits) : undefined;
        if (!number) return refused('invalid', 'a ticket number, such as A012');
        const at = hubNow();
        const clerk = ctx.client.view?.windows.get(window)?.clerk;
        ledger.setOpenCall({ number, window, ...(clerk ? { clerk } : {}), calledAt: at, terminalAt: now(), order: ledger.nextOrder() });
        recent = [{ number, state: 'called', calledAt: at }, ...recent.filter((c) => c.number !== number || c.calledAt !== at)];
        follow();
        pushEmergency();
        return { ok: true, ticket: number };
      },
      emergencyStart: async () => {
        const open = ledger.openCall;
        if (!open) return refused('not-found', `window ${window} has no number called`);
        if (open.startedAt === undefined) ledger.setOpenCall({ ...open, startedAt: hubNow() });
        recent = recent.map((c, i) => (i === 0 && c.number === open.number ? { ...c, state: 'serving' } : c));
        follow();
        pushEmergency();
        return { ok: true, ticket: open.number };
      },
      emergencyEnd: async (arg) => {
        const open = ledger.openCall;
        if (!open) return refused('not-found', `window ${window} has no number called`);
        const end = arg?.end === 'noShow' ? 'noShow' : arg?.end === 'finished' ? 'finished' : undefined;
        if (!end) return refused('invalid', 'finished or no-show');
        const endedAt = hubNow();
        // The record goes into the outbox first; the call is closed only once it is kept there.
        void ctx.client.send({ type: 'recordEmergencyCall', ...open, end, endedAt }, `emergency-call-${ctx.config.terminal}-${open.calledAt}-${open.order}`).then((a) => {
          if (!a.ok) ctx.log(`the hub did not take the typed call of ${open.number}: ${a.code} ${a.message}`);
          pushEmergency();
        });
        ledger.setOpenCall(undefined);
        recent = recent.map((c, i) => (i === 0 && c.number === open.number ? { ...c, state: end } : c));
        follow();
        pushEmergency();
        return { ok: true, ticket: open.number };
      },
      reprint: async (arg) => {
        const n = text(arg?.caseNumber, 40);
        const notice = n ? notices.get(n) : undefined;
        if (!notice) return { ok: false, code: 'not-found' };
        return print(notice.document, notice.doc, n);
      },
    },
    async stop() {
      stopped = true;
      stopPolling?.();
      printerTold.close();
      clearInterval(emergencyTimer);
      clearTimeout(displayRetry);
      unsubscribe();
      await showing;
      await Promise.all([printer?.close(), display?.close()]);
    },
  };
}

import { pollDevice, SteadyState, type AgentContext, type AgentParts } from '@servicehall/agent';
import { EmergencyLedger } from '@servicehall/client';
import {
  bookedAppointment,
  commandBody,
  emergencyTicket,
  findItem,
  formatTicketNumber,
  hallDay,
  issuingRefusal,
  LEASE_LOW,
  leasesOf,
  ticketWait,
  waitPhrase,
  type CommandBody,
  type HallView,
  type RefusalCode,
  type Ticket,
} from '@servicehall/core';
import { healthAfter, ReopeningPrinter } from '@servicehall/escpos-printer';
import type { Answer } from '@servicehall/protocol';
import { publicLink } from '@servicehall/protocol/node';
import path from 'node:path';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Guide, KioskRefusal, KioskSettings, KioskShape, Lang, QueryResult, TakeResult, TicketShown } from '../shared/api';
import {
  caseProgress,
  clock,
  findTicket,
  guideDocument,
  guideOf,
  homeOf,
  issuingHoursText,
  kioskStatus,
  parseQuery,
  printerReport,
  publicBaseOf,
  slotText,
  ticketDocument,
  ticketProgress,
  type BusyThreshold,
  type PrinterState,
} from './logic';
import { loadKioskSettings, type KioskSettingsConfig } from './settings';

const ANSWER_WITHIN_MS = 8000;
/** How often the home screen's cards are worked out again without a change in the hall. */
const HOME_REFRESH_MS = 20_000;
/** Failures worth one more try, before anything was written: the line hiccupped (or its status was noise), the printer itself did not report a fault. */
const TRANSIENT = new Set(['timeout', 'write-failed', 'status-unknown']);

const LangSchema = z.enum(['zh-CN', 'en']).catch('zh-CN');
const TakeSchema = z.object({
  serviceCode: z.string().min(1).max(40),
  lane: z.enum(['ordinary', 'priority']).default('ordinary'),
  priorityReason: z.enum(['elderly', 'disabled', 'military', 'pregnant']).optional(),
  lang: LangSchema,
});
const CodeSchema = z.object({ code: z.string().trim().min(1).max(40), lang: LangSchema });

/**
 * The kiosk's agent: the home screen's figures, the service guides, and the one flow that issues
 * a ticket and prints it (DESIGN rule 4: a ticket exists when printed or shown; a failed print
 * voids it). It watches its printer and reports it; a fault turns the screen out of service
 * until the printer recovers (H-17).
 */
export function createKioskAgent(
  ctx: AgentContext<KioskShape>,
  settings: KioskSettingsConfig = loadKioskSettings(undefined, process.env),
  deps: { now?: () => number } = {},
): AgentParts<KioskShape> {
  const { client, config } = ctx;
  // This PC's own clock, kept with an emergency ticket; how long the hub has been away is counted by the link's steady clock
  // (a PC's clock put right does not start emergency mode); every wait, date and time the citizen reads is the hub's (client.hubNow()).
  const now = deps.now ?? Date.now;
  const ledger = new EmergencyLedger(path.join(config.dataDir, 'emergency.json'));
  const threshold: BusyThreshold = { minutes: settings.busyMinutes, people: settings.busyPeople };
  /** Where citizens' phones reach the hub: this kiosk's own setting, else the hall's; never the hub's loopback address. */
  const publicBase = (view: HallView): string | undefined => publicBaseOf(settings.publicUrl ?? view.catalogue.hall.publicUrl);
  const printer = config.devices.printer ? new ReopeningPrinter(config.devices.printer, ctx.log) : undefined;
  const kioskSettings: KioskSettings = { terminal: config.terminal, language: config.language, idleSeconds: settings.idleSeconds, idleWarnSeconds: settings.idleWarnSeconds, hasPrinter: Boolean(printer) };
  let printerState: PrinterState = printer ? { kind: 'checking' } : { kind: 'absent' };
  let reported = '';
  let stopped = false;

  /** When this kiosk last lost its hub (the link's steady clock); undefined while online. */
  let lostAt: number | undefined = client.state.status === 'online' ? undefined : client.steadyNow();
  /** No hub for longer than the set time, for a reason that is not the hall's setup or this kiosk's token: give numbers from the leases. */
  const inEmergency = (): boolean => {
    if (settings.leaseSize === 0 || lostAt === undefined || client.state.status === 'online') return false;
    if (client.state.status === 'offline' && (client.state.reason === 'unconfigured' || client.state.reason === 'unauthorised')) return false;
    return client.steadyNow() - lostAt >= settings.emergencyAfterSeconds * 1000;
  };
  /** The hall day on the hub's clock as this kiosk last knew it. */
  const hubDay = (view: HallView) => hallDay(client.hubNow(), view.catalogue.hall.timeZone);
  const leasesLeft = (): boolean => {
    const view = client.view;
    if (!view) return false;
    const day = hubDay(view);
    return [...new Set(view.catalogue.items.map((i) => i.prefix))].some((p) => ledger.remaining(p, day) > 0);
  };
  let lastStatus = '';
  const pushStatus = () => {
    const status = kioskStatus(printerState, client.state.status, client.state.status === 'offline' ? client.state.reason : undefined, inEmergency() ? { leasesLeft: leasesLeft() } : undefined);
    lastStatus = JSON.stringify(status);
    ctx.push('status', status);
  };
  /** The printer as the hall is told it (the device board, the log): a fault at once, its end once it has held. */
  const told = new SteadyState<PrinterState>(settings.printerRecoveryMs, (state) => {
    if (state.kind === 'fault' || state.kind === 'warning') ctx.log(`printer: ${state.kind} ${state.code}`);
    const devices = [printerReport(state)];
    const text = JSON.stringify(devices);
    if (text === reported || stopped) return;
    reported = text;
    client.send({ type: 'reportDevices', devices }).catch(() => undefined);
  });
  const report = () => {
    if (printerState.kind !== 'checking') told.see(printerState);
  };
  /**
   * Asked just now, the printer cannot take a job: a fault, or a status that cannot be read (noise,
   * a wrong speed), on which the driver sends no job. Either way no number is given to be voided.
   */
  const cannotPrint = () => printerState.kind === 'fault' || (printerState.kind === 'warning' && printerState.code === 'status-unknown');
  const setPrinter = (state: PrinterState) => {
    const changed = JSON.stringify(state) !== JSON.stringify(printerState);
    printerState = state;
    if (changed) pushStatus();
    report();
  };
  let homeSent = '';
  const pushHome = (view: HallView | undefined) => {
    if (!view) return;
    const home = homeOf(view, threshold, client.hubNow());
    const text = JSON.stringify(home);
    if (text === homeSent) return;
    homeSent = text;
    ctx.push('home', home);
  };

  const leasesAsked = new Set<string>();
  /** While online, keeps a lease of each prefix with enough numbers in it; a lease asked twice under one id is granted once. */
  const keepLeases = (view: HallView) => {
    ledger.remember(leasesOf(view, config.terminal));
    if (settings.leaseSize === 0 || client.state.status !== 'online' || view.catalogue.items.length === 0) return;
    for (const prefix of new Set(view.catalogue.items.map((i) => i.prefix))) {
      if (ledger.remaining(prefix, view.day) >= Math.min(LEASE_LOW, settings.leaseSize)) continue;
      const held = ledger.leases.filter((l) => l.prefix === prefix && l.day === view.day).length;
      const id = `lease-${config.terminal}-${view.day}-${prefix}-${held + 1}`;
      // Asked once: a lease refused (no numbers left to lease) is not asked again at every change of the hall.
      if (leasesAsked.has(id)) continue;
      leasesAsked.add(id);
      void client.send({ type: 'takeLease', prefix, size: settings.leaseSize }, id).then((a) => {
        if (!a.ok && a.code !== 'numbers-exhausted') ctx.log(`no lease of ${prefix}: ${a.code} ${a.message}`);
      });
    }
  };

  const unsubscribe = client.subscribe((change) => {
    if (change.kind === 'view') {
      pushHome(change.view);
      keepLeases(change.view);
    } else {
      if (change.state.status === 'online') lostAt = undefined;
      else lostAt ??= client.steadyNow();
      pushStatus();
      if (change.state.status === 'online' && client.view) keepLeases(client.view);
    }
  });
  // Emergency mode begins a set time after the hub went: the screen hears it without waiting for another change.
  const emergencyTimer = setInterval(() => {
    const before = lastStatus;
    const status = kioskStatus(printerState, client.state.status, client.state.status === 'offline' ? client.state.reason : undefined, inEmergency() ? { leasesLeft: leasesLeft() } : undefined);
    if (JSON.stringify(status) !== before) pushStatus();
  }, 1000);
  emergencyTimer.unref?.();
  // The hall's clock moves with no event: an item's issuing hours begin or end, its waits shorten.
  const homeTimer = setInterval(() => pushHome(client.view), HOME_REFRESH_MS);
  homeTimer.unref?.();
  ctx.push('settings', kioskSettings);
  pushStatus();
  pushHome(client.view);
  if (client.view) keepLeases(client.view);
  report();

  const stopPolling = printer ? pollDevice(() => printer.health(), settings.printerPollMs, setPrinter) : undefined;

  const qrCache = new Map<string, string>();
  const qr = async (data: string): Promise<string> => {
    let url = qrCache.get(data);
    if (!url) {
      const svg = await QRCode.toString(data, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } });
      url = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
      if (qrCache.size > 200) qrCache.clear();
      qrCache.set(data, url);
    }
    return url;
  };

  /**
   * A ticket command answered within a bound. When the answer is late the command stays in the
   * outbox until the hub has it, and a ticket it made after the citizen was told no is voided
   * then (rule 4: no number in the queue that nobody holds), across reconnects.
   */
  const sendWithin = async (body: Extract<CommandBody, { type: 'issueTicket' | 'checkInAppointment' }>, ms = ANSWER_WITHIN_MS): Promise<Answer | undefined> => {
    const sent = await client.sendNow(body, { timeoutMs: ms, keepOnTimeout: true });
    if (sent.ok) return sent.answer;
    if (sent.reason === 'timeout') void sent.late.then((a) => (a.ok && a.ticket ? voidTicket(a.ticket, 'the hub answered after the kiosk had given up') : undefined));
    return undefined;
  };

  /** Voids through the outbox under an id of its own: delivered once, however long the hub is away. */
  const voidTicket = (t: Ticket, reason: string): void => {
    ctx.log(`voiding ${t.number}: ${reason}`);
    void client.send({ type: 'voidTicket', ticketId: t.id, reason }, `void-${t.id}`).then((a) => {
      if (!a.ok && a.code !== 'illegal-transition') ctx.log(`${t.number} could not be voided: ${a.code} ${a.message}`);
    });
  };

  // A press left in the outbox file when this kiosk stopped (its PC restarted before the hub answered): the citizen
  // was told no, or left with nothing; a ticket it makes now is one nobody holds, and is voided once the hub answers (rule 4).
  for (const left of client.waitingCommands())
    if (left.type === 'issueTicket' || left.type === 'checkInAppointment') {
      void client.send(commandBody(left), left.id).then((a) => (a.ok && a.ticket ? voidTicket(a.ticket, 'the kiosk restarted before the hub answered its press') : undefined));
    }

  const refusal = async (code: KioskRefusal, serviceCode: string | undefined, lang: Lang, number?: string): Promise<TakeResult> => {
    const view = client.view;
    const item = serviceCode && view ? findItem(view.catalogue, serviceCode) : undefined;
    if (!view || !item) return { ok: false, code, ...(number ? { number } : {}) };
    return {
      ok: false,
      code,
      ...(number ? { number } : {}),
      itemName: item.name,
      ...(item.nameEn ? { itemNameEn: item.nameEn } : {}),
      issuingHours: issuingHoursText(item, view.day, lang),
      ...(item.onlineUrl ? { onlineUrl: item.onlineUrl, onlineQr: await qr(item.onlineUrl) } : {}),
    };
  };

  /** A booking the hall cancelled when it stopped offering its service: the service named, as the hall's view keeps it. */
  const withdrawn = async (code: string, lang: Lang): Promise<TakeResult> => {
    const was = client.view && bookedAppointment(client.view, code)?.withdrawn;
    if (!was) return refusal('appointment-withdrawn', undefined, lang);
    return { ok: false, code: 'appointment-withdrawn', itemName: was.itemName, ...(was.itemNameEn ? { itemNameEn: was.itemNameEn } : {}) };
  };

  let chain: Promise<unknown> = Promise.resolve();
  /** One ticket at a time: a second press waits for the first to be printed or voided. */
  const oneAtATime = <T>(task: () => Promise<T>): Promise<T> => {
    const run = chain.then(task, task);
    chain = run.catch(() => undefined);
    return run;
  };

  const issue = (body: Extract<CommandBody, { type: 'issueTicket' | 'checkInAppointment' }>, lang: Lang): Promise<TakeResult> =>
    oneAtATime(async () => {
      const serviceCode = body.type === 'issueTicket' ? body.serviceCode : undefined;
      if (!stopped && body.type === 'issueTicket' && inEmergency() && client.view) return emergencyIssue(body, lang);
      if (stopped || client.state.status !== 'online' || !client.view) return refusal('hub-offline', serviceCode, lang);
      if (printer) {
        // Ask the printer before issuing: no number is given that cannot be printed.
        setPrinter(await printer.health());
        if (cannotPrint()) return refusal('out-of-service', serviceCode, lang);
      }
      const answer = await sendWithin(body);
      if (!answer) return refusal('hub-offline', serviceCode, lang);
      if (!answer.ok) return answer.code === 'appointment-withdrawn' && body.type === 'checkInAppointment' ? withdrawn(body.code, lang) : refusal(answer.code, serviceCode, lang);
      const t = answer.ticket;
      if (!t) return refusal('internal', serviceCode, lang);
      try {
        // The hub signs the ticket's progress link and hands it over with the ticket: the kiosk holds no key.
        if (!answer.link) throw new Error('the hub gave no progress link with the ticket');
        return await handOver(t, answer.seq, answer.link, lang);
      } catch (error) {
        // Whatever failed between issuing and handing the ticket over, nobody holds it (rule 4).
        ctx.log(`the ticket could not be handed over: ${error instanceof Error ? error.message : error}`);
        voidTicket(t, `the kiosk failed before handing the ticket over at ${config.terminal}`);
        return refusal('print-failed', t.serviceCode, lang);
      }
    });

  /**
   * 应急取号: a number from this kiosk's lease, taken durably before it is printed, printed with the
   * words that no wait is known, and recorded in the outbox (original time, this kiosk's order) for
   * the hub to take in when it answers again. A print that fails leaves the number unused: no ticket.
   */
  const emergencyIssue = async (body: Extract<CommandBody, { type: 'issueTicket' }>, lang: Lang): Promise<TakeResult> => {
    const view = client.view!;
    const item = findItem(view.catalogue, body.serviceCode);
    if (!item) return refusal('not-found', body.serviceCode, lang);
    const issuedAt = client.hubNow();
    const closed = issuingRefusal(item, view, issuedAt);
    if (closed && closed.code !== 'daily-quota-reached') return refusal(closed.code, item.code, lang);
    if (printer) {
      setPrinter(await printer.health());
      if (cannotPrint()) return refusal('out-of-service', item.code, lang);
    }
    const day = hubDay(view);
    const taken = ledger.take(item.prefix, day);
    if (!taken) {
      pushStatus();
      return refusal('leases-spent', item.code, lang);
    }
    const number = formatTicketNumber(item.prefix, taken.sequence, view.catalogue.numbering.digits);
    const t = emergencyTicket({
      number,
      day,
      serviceCode: item.code,
      lane: body.lane,
      priorityReason: body.priorityReason,
      issuedAt,
      terminal: config.terminal,
      emergency: { terminalAt: now(), order: taken.order },
      place: 0,
    });
    const tz = view.catalogue.hall.timeZone;
    const shown: TicketShown = {
      id: t.id,
      number,
      serviceCode: item.code,
      materials: item.materials,
      itemName: item.name,
      ...(item.nameEn ? { itemNameEn: item.nameEn } : {}),
      lane: t.lane,
      ...(t.priorityReason ? { priorityReason: t.priorityReason } : {}),
      ahead: 0,
      minutes: 0,
      wait: { kind: 'next' },
      caveats: [],
      issuedAt: clock(issuedAt, tz),
      printed: false,
      emergency: true,
    };
    const record = () =>
      void client
        .send(
          {
            type: 'recordEmergencyTicket',
            number,
            serviceCode: item.code,
            lane: t.lane as 'ordinary' | 'priority',
            ...(t.priorityReason ? { priorityReason: t.priorityReason } : {}),
            issuedAt,
            terminalAt: t.emergency!.terminalAt,
            order: taken.order,
          },
          `emergency-${config.terminal}-${t.id}`,
        )
        .then((a) => {
          if (!a.ok) ctx.log(`the hub did not take emergency ticket ${number}: ${a.code} ${a.message}`);
        });
    if (!printer) {
      record();
      return { ok: true, ticket: shown };
    }
    const printed = await printer.print(ticketDocument({ view, ticket: t, ahead: 0, minutes: 0, lang, emergency: true }));
    setPrinter(printed.ok ? healthAfter(printed) : await printer.health());
    if (printed.ok || printed.code === 'unknown-after-write') {
      record();
      return { ok: true, ticket: { ...shown, printed: true, ...(printed.ok ? {} : { printUnconfirmed: true as const }) } };
    }
    ctx.log(`emergency ticket ${number} did not print (${printed.code}): the number is left unused`);
    if (printed.written !== 'none') return refusal('print-cut-off', item.code, lang, number);
    return refusal('print-failed', item.code, lang);
  };

  /** Shows and prints an issued ticket; a print that fails voids it. */
  const handOver = async (t: Ticket, seq: number, link: string, lang: Lang): Promise<TakeResult> => {
    const view = await client.whenInStep(seq, 2000).catch(() => {
      if (!client.view) throw new Error('the kiosk has no view of the hall');
      return client.view;
    });
    const wait = ticketWait(view, t, client.hubNow());
    const item = findItem(view.catalogue, t.serviceCode);
    // The hub signed the link and handed it over with the ticket; the kiosk only puts the hall's public address before it.
    const base = publicBase(view);
    const progressUrl = base ? publicLink(base, link) : undefined;
    const tz = view.catalogue.hall.timeZone;
    const slot = slotText(t, tz);
    const shown: TicketShown = {
      id: t.id,
      number: t.number,
      serviceCode: t.serviceCode,
      materials: item?.materials ?? [],
      itemName: item?.name ?? t.serviceCode,
      ...(item?.nameEn ? { itemNameEn: item.nameEn } : {}),
      lane: t.lane,
      ...(t.priorityReason ? { priorityReason: t.priorityReason } : {}),
      ahead: wait.ahead,
      minutes: wait.minutes,
      wait: waitPhrase(wait),
      caveats: wait.caveats,
      issuedAt: clock(t.issuedAt, tz),
      ...(progressUrl ? { progressUrl, qr: await qr(progressUrl) } : {}),
      printed: false,
      ...(slot ? { slot } : {}),
    };
    if (!printer) return { ok: true, ticket: shown };

    const doc = ticketDocument({ view, ticket: t, ahead: wait.ahead, minutes: wait.minutes, progressUrl, lang });
    let printed = await printer.print(doc);
    // Once only, and only when not a byte of it was written: a second slip of one number is never printed.
    if (!printed.ok && printed.written === 'none' && TRANSIENT.has(printed.code)) {
      const state = await printer.health();
      if (state.kind !== 'fault') printed = await printer.print(doc);
    }
    if (printed.ok) {
      setPrinter(healthAfter(printed));
      return { ok: true, ticket: { ...shown, printed: true } };
    }
    if (printed.code === 'unknown-after-write') {
      // All of it was sent; the printer did not say how it went. The citizen most likely holds the
      // slip: the number stands, is shown on screen as well, and the printer is reported.
      ctx.log(`${t.number} was sent to the printer, which did not report how the job went`);
      setPrinter(healthAfter(printed));
      return { ok: true, ticket: { ...shown, printed: true, printUnconfirmed: true } };
    }
    // Rule 4: nobody holds this number (or only part of a slip), so it leaves the queue.
    voidTicket(t, `the ticket did not print at ${config.terminal} (${printed.code}${printed.fault ? ` ${printed.fault}` : ''}, ${printed.written} written)`);
    setPrinter(await printer.health());
    if (printed.written !== 'none') return refusal('print-cut-off', t.serviceCode, lang, t.number);
    return refusal('print-failed', t.serviceCode, lang);
  };

  /** The ticket behind a scanned live page's address: only the hub knows which reference is whose. */
  const askTicket = async (ref: string): Promise<QueryResult> => {
    const reply = await client.ask({ kind: 'ticketByRef', ref });
    const id = reply.ok && typeof reply.value.ticketId === 'string' ? reply.value.ticketId : undefined;
    const t = id && client.view ? client.view.tickets.get(id) : undefined;
    if (t) return ticketProgress(client.view!, t, client.hubNow());
    if (reply.ok || reply.code === 'not-found') return { kind: 'not-found', text: '' };
    ctx.log(`a ticket query was not answered: ${reply.code} ${reply.message}`);
    return { kind: 'unavailable' };
  };

  /** A case's progress, asked of the hub over the terminal's own link: numbers and states only, never its applicant. */
  const askCase = async (caseNumber: string): Promise<QueryResult> => {
    const reply = await client.ask({ kind: 'caseProgress', caseNumber });
    if (reply.ok) return caseProgress(client.view, caseNumber, reply.value);
    if (reply.code === 'not-found') return { kind: 'not-found', text: caseNumber };
    ctx.log(`a case query was not answered: ${reply.code} ${reply.message}`);
    return { kind: 'unavailable' };
  };

  return {
    handlers: {
      hello: () => kioskSettings,
      async guide(arg) {
        const code = typeof arg?.code === 'string' ? arg.code : '';
        const view = client.view;
        const guide = view ? guideOf(view, code, threshold, client.hubNow()) : null;
        if (!guide) return null;
        return { ...guide, ...(guide.onlineUrl ? { onlineQr: await qr(guide.onlineUrl) } : {}) } satisfies Guide;
      },
      async takeNumber(arg) {
        const parsed = TakeSchema.safeParse(arg);
        if (!parsed.success) return { ok: false, code: 'bad-request' };
        const { serviceCode, lane, priorityReason, lang } = parsed.data;
        return issue({ type: 'issueTicket', serviceCode, lane, ...(lane === 'priority' ? { priorityReason: priorityReason ?? 'elderly' } : {}) }, lang);
      },
      async checkIn(arg) {
        const parsed = CodeSchema.safeParse(arg);
        if (!parsed.success) return { ok: false, code: 'appointment-unknown' };
        return issue({ type: 'checkInAppointment', code: parsed.data.code }, parsed.data.lang);
      },
      async printGuide(arg) {
        const parsed = CodeSchema.safeParse(arg);
        const view = client.view;
        const item = parsed.success && view ? findItem(view.catalogue, parsed.data.code) : undefined;
        if (!parsed.success || !view || !item) return { ok: false, code: 'not-found' };
        if (!printer) return { ok: false, code: 'no-printer' };
        return oneAtATime(async () => {
          setPrinter(await printer.health());
          if (cannotPrint()) return { ok: false, code: 'out-of-service' } as const;
          const printed = await printer.print(guideDocument(view, item, parsed.data.lang, client.hubNow()));
          // A notice sent whole whose end the printer did not report has most likely printed: never printed twice.
          const done = printed.ok || printed.code === 'unknown-after-write';
          setPrinter(printed.ok || done ? healthAfter(printed) : await printer.health());
          return done ? ({ ok: true } as const) : ({ ok: false, code: 'print-failed' } as const);
        });
      },
      async query(arg) {
        const text = typeof arg?.text === 'string' ? arg.text : '';
        const key = parseQuery(text);
        if (key.kind === 'invalid') return { kind: 'not-found', text: text.slice(0, 40) };
        if (key.kind === 'ref') return askTicket(key.ref);
        if (key.kind === 'ticket') {
          const t = client.view ? findTicket(client.view, key.key) : undefined;
          if (t) return ticketProgress(client.view!, t, client.hubNow());
        }
        return askCase(key.key);
      },
    },
    async stop() {
      stopped = true;
      stopPolling?.();
      told.close();
      clearInterval(emergencyTimer);
      clearInterval(homeTimer);
      unsubscribe();
      await printer?.close();
    },
  };
}

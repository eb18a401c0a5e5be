import {
  appointmentPolicyOf,
  bookableDays,
  dailyQuotaLeft,
  findItem,
  hallDay,
  isBookable,
  issuingRefusal,
  itemToday,
  itemWaits,
  localTime,
  phonePolicyOf,
  slotsOf,
  ticketWait,
  type Actor,
  type BookedAppointment,
  type HallView,
  type ServiceItem,
} from '@servicehall/core';
import type { Answer } from '@servicehall/protocol';
import {
  BookBodySchema,
  PHONE_SESSION_HEADER,
  PublicRefSchema,
  SendCodeBodySchema,
  TakeRemoteBodySchema,
  VerifyBodySchema,
  type PhoneAppointment,
  type PhoneCase,
  type PhoneGuide,
  type PhoneHall,
  type PhoneMine,
  type PhoneSlots,
  type PhoneTicket,
} from '@servicehall/protocol/phone';
import type { z } from 'zod';
import { answerReply, HttpRefusal, plainNumber, refusalSaid, type Operation, type Reply, type Request } from '../http';
import type { ServerResponse } from 'node:http';
import type { GroupCommit } from '../commit';
import type { HallNotifications } from '../notifications';
import { CODE_MINUTES, CODE_RESEND_MS, PhoneBook, SESSION_MS, type PhoneSession } from '../phones';
import { Tally, type PhoneLimits } from '../limits';
import type { HallStore } from '../store';
import type { PhoneStreams } from './streams';
import { opsText } from '../ops-strings';
import { addressNetwork } from '../address-network';
import { openEventStream, toldAhead, type TicketWatch } from './watch';

/** When a phone refused a stream or a long poll (its address holds its share, or the hall all it can) may ask again. */
const HELD_RETRY_MS = 10_000;

/** The hub's phone pages act as one actor; the phone's identity travels beside the command, never in it. */
export const PHONE_ACTOR: Actor = { role: 'admin', terminal: 'phone' };

export interface PhoneApiParts {
  store: HallStore;
  /** The hub's one group commit: a phone's commands are run with the terminals' and the API's. */
  commits: GroupCommit;
  watch: TicketWatch;
  /** The phones' own process, which the streams are handed to while it serves (see PhoneStreams); none: the hub serves them. */
  streams?: PhoneStreams | undefined;
  phones: PhoneBook;
  notifications: HallNotifications;
  clock: () => number;
  limits: PhoneLimits;
  /** Tells the hall's operator (the hub's log), in Chinese then English. */
  warn?: (line: string) => void;
}

/**
 * The namespace of a phone's command ids (see commandScope): its verified number's holder, so that
 * one phone's Idempotency-Key never answers another phone; a phone without a session (a booking
 * cancelled by its reference) shares the phones' own.
 */
export const phoneScope = (session?: PhoneSession) => (session ? `:phone/${session.holder}` : ':phone');

/** The hours `item` issues on `day`: today's change of them (今日调整) where there is one, as the refusal says. */
const hoursText = (item: ServiceItem, day: string) => itemToday(item, day).issuingHours.map((h) => `${h.from}-${h.to}`).join(', ');

function refParam(req: Request): string {
  const ref = PublicRefSchema.safeParse(req.params.ref);
  if (!ref.success) throw new HttpRefusal('not-found', 'there is no such ticket or booking');
  return ref.data;
}

/** The citizen's phone: the hall's items, one-time codes, numbers by phone followed live, bookings, case progress. All public, rate-limited. */
export function phoneOperations(parts: PhoneApiParts): Operation[] {
  const { store, commits, watch, streams, phones, notifications, clock, limits, warn = () => {} } = parts;
  /**
   * The day the hall's codes ran out, said once; and who asked for today's codes, for the operator then,
   * counted by network as the limits count them (an IPv6 address by its /64: one subscriber's, whose
   * phone may take a new address in it at every request).
   */
  let spentSaidOn: string | undefined;
  const codesAsked = { day: '', byNetwork: new Map<string, number>() };
  const askedFrom = (address: string, day: string) => {
    if (codesAsked.day !== day) Object.assign(codesAsked, { day, byNetwork: new Map() });
    const network = addressNetwork(address);
    // Bounded: past 10,000 networks in a day the newest are not counted (those already counted are).
    if (codesAsked.byNetwork.size < 10_000 || codesAsked.byNetwork.has(network)) codesAsked.byNetwork.set(network, (codesAsked.byNetwork.get(network) ?? 0) + 1);
  };
  const mostAsked = () =>
    [...codesAsked.byNetwork]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([network, n]) => `${network} (${n})`)
      .join(', ') || '-';
  /** The addresses (as their limits count them: an IPv6 one's /64) already said today to have asked for their codes of the day. */
  const limitSaid = { day: '', networks: new Set<string>() };
  const addressLimitReached = (address: string, day: string) => {
    if (limitSaid.day !== day) Object.assign(limitSaid, { day, networks: new Set() });
    const network = addressNetwork(address);
    // Bounded as codesAsked is: past 10,000 addresses in a day the newest are not said.
    if (limitSaid.networks.has(network) || limitSaid.networks.size >= 10_000) return;
    limitSaid.networks.add(network);
    warn(opsText('addressCodeLimit', { address: network, n: phonePolicyOf(store.view.catalogue).codesPerAddressPerDay }));
  };
  /**
   * A code is sent and checked only by the hub in charge. A standby (or a primary holding at its start)
   * has no SMS sending (its outbox waits for it to take charge), and what it wrote would be overwritten by
   * the primary's rows: a citizen would wait for a code that never comes. The page asks again in a moment.
   */
  const inCharge = () => {
    if (!store.role.inCharge) throw new HttpRefusal('not-in-charge', 'this hub is not the one in charge of the hall: ask the hub in charge');
  };
  const refs = store.refs;
  /**
   * The streams and long polls each address holds open now (an IPv6 one by its /64, as the rates count
   * it): together at most streamsPerAddress, so that one address cannot take every connection of the
   * citizens' port and leave no phone a way to follow its number.
   */
  const heldByAddress = new Tally();
  /** Holds one of `req`'s address's places until the function given back is called (once is enough; more change nothing). */
  const hold = (req: Request): (() => void) => {
    const address = addressNetwork(req.address ?? 'unknown');
    if (heldByAddress.of(address) >= limits.streamsPerAddress)
      throw new HttpRefusal('rate-limited', `too many phones follow their numbers from this address at once (${limits.streamsPerAddress}, an IPv6 one counted by its /64): the page asks again in a moment`, undefined, HELD_RETRY_MS);
    heldByAddress.add(address, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      heldByAddress.add(address, -1);
    };
  };

  const session = (req: Request): PhoneSession => {
    const s = phones.session(req.header(PHONE_SESSION_HEADER), clock());
    if (!s) throw new HttpRefusal('phone-unverified', `verify a phone number first and send its session in ${PHONE_SESSION_HEADER}`);
    return s;
  };
  const history = (holder: string) => () => phones.history(holder, store.view, PhoneBook.historySince(store.view.day, appointmentPolicyOf(store.view.catalogue).noShow));
  const ticketOf = (req: Request) => {
    const t = refs.ticket(refParam(req));
    if (!t) throw new HttpRefusal('not-found', 'there is no such ticket today');
    return t;
  };
  const appointment = (view: HallView, a: BookedAppointment): PhoneAppointment => {
    const item = findItem(view.catalogue, a.serviceCode);
    const zone = view.catalogue.hall.timeZone;
    const now = clock();
    const state = a.cancelledAt !== undefined ? 'cancelled' : a.ticketId ? 'checked-in' : a.day < view.day ? 'missed' : 'booked';
    const ticket = a.ticketId ? view.tickets.get(a.ticketId) : undefined;
    const itemNameEn = item ? item.nameEn : a.withdrawn?.itemNameEn;
    return {
      ref: refs.ofAppointment(a.code),
      code: a.code,
      serviceCode: a.serviceCode,
      // An item the hall no longer has is named as it was when the hall cancelled the booking.
      itemName: item?.name ?? a.withdrawn?.itemName ?? a.serviceCode,
      ...(itemNameEn ? { itemNameEn } : {}),
      day: a.day,
      from: localTime(a.slotStart, zone).time,
      to: localTime(a.slotEnd, zone).time,
      slotStart: a.slotStart,
      slotEnd: a.slotEnd,
      state,
      ...(a.withdrawn ? { withdrawn: true } : {}),
      ...(ticket ? { ticketRef: refs.ofTicket(ticket.id) } : {}),
      cancellable: state === 'booked' && now < a.slotEnd,
    };
  };
  const appointmentOf = (req: Request) => {
    const code = refs.appointmentCode(refParam(req));
    const a = code ? store.view.appointments.get(code) : undefined;
    if (!a) throw new HttpRefusal('not-found', 'there is no such booking');
    return a;
  };
  const ok = (status: number, body: object): Reply => ({ status, body: { ok: true, ...body } });
  const refused = (answer: Extract<Answer, { ok: false }>, status?: number) => answerReply(answer, status ?? 200);

  const operations: Operation[] = [
    {
      method: 'GET',
      path: '/api/phone/hall',
      operationId: 'getPhoneHall',
      summary: "The hall for a phone: its items with people waiting and the expected wait, whether each gives numbers now, and the phone's rules",
      public: true,
      rate: limits.read,
      handle: () => {
        const view = store.view;
        const now = clock();
        const c = view.catalogue;
        const departments = new Map(c.departments.map((d) => [d.name, d.nameEn]));
        const phone = phonePolicyOf(c);
        // The wait of a number taken now, for every item at once (H-09: the queue policy played forward).
        const waits = itemWaits(view, now);
        const hall: PhoneHall = {
          hallName: c.hall.name,
          ...(c.hall.nameEn ? { hallNameEn: c.hall.nameEn } : {}),
          complaintPhone: c.hall.complaintPhone,
          timeZone: c.hall.timeZone,
          today: hallDay(now, c.hall.timeZone),
          items: c.items.map((item) => {
            const wait = waits.get(item.code)!;
            const left = dailyQuotaLeft(view, item);
            const nameEn = departments.get(item.department);
            return {
              code: item.code,
              name: item.name,
              ...(item.nameEn ? { nameEn: item.nameEn } : {}),
              department: item.department,
              ...(nameEn ? { departmentEn: nameEn } : {}),
              waiting: wait.waiting,
              ahead: wait.ahead,
              minutes: wait.minutes,
              noWindowOpen: wait.noWindowOpen,
              issuingNow: phone.remoteTickets && issuingRefusal(item, view, now) === undefined,
              issuingHours: hoursText(item, view.day),
              ...(left !== undefined ? { quotaLeft: left } : {}),
              bookable: isBookable(c, item),
            };
          }),
          remoteTickets: phone.remoteTickets,
          ticketsPerPersonPerDay: phone.ticketsPerPersonPerDay,
          nearAhead: phone.nearAhead,
          daysAhead: appointmentPolicyOf(c).daysAhead,
          noShow: appointmentPolicyOf(c).noShow,
          sms: notifications.smsCarries('phone-code'),
        };
        return { status: 200, body: hall };
      },
    },
    {
      method: 'GET',
      path: '/api/phone/items/{code}',
      operationId: 'getPhoneGuide',
      summary: "An item's guide (办事指南, H-01): conditions, materials, steps, fees, time limits, issuing hours",
      public: true,
      rate: limits.read,
      handle: (req) => {
        const item = findItem(store.view.catalogue, req.params.code!);
        if (!item) throw new HttpRefusal('not-found', `there is no service item ${req.params.code}`);
        const guide: PhoneGuide = {
          code: item.code,
          name: item.name,
          ...(item.nameEn ? { nameEn: item.nameEn } : {}),
          department: item.department,
          conditions: item.conditions,
          materials: item.materials,
          steps: item.steps,
          fees: item.fees,
          legalLimitDays: item.legalLimitDays,
          promisedLimitDays: item.promisedLimitDays,
          issuingHours: hoursText(item, store.view.day),
          ...(item.onlineUrl ? { onlineUrl: item.onlineUrl } : {}),
        };
        return { status: 200, body: guide };
      },
    },
    {
      method: 'POST',
      path: '/api/phone/code',
      operationId: 'sendPhoneCode',
      summary:
        "Sends a one-time code by SMS to a mainland mobile number (one a minute; the hall's phone.codesPerPhonePerDay a day a number, five by default, and phone.codesPerAddressPerDay a day from one client address, 60 by default); the number and the address are kept only as keyed hashes",
      public: true,
      rate: limits.code,
      body: SendCodeBodySchema,
      handle: (req) => {
        inCharge();
        if (!notifications.smsCarries('phone-code')) throw new HttpRefusal('remote-closed', 'the hall has no SMS channel for one-time codes');
        const { phone } = req.body as z.infer<typeof SendCodeBodySchema>;
        const now = clock();
        const sent = store.withTransaction(() => {
          const r = phones.requestCode(phone, now, store.view.day, phonePolicyOf(store.view.catalogue), req.address ?? 'unknown');
          if (!r.ok) return r;
          const { code, e164, holder, expiresAt, replacesSentAt } = r.value;
          // The earlier code no longer opens anything: its SMS, if the provider has not taken it yet, is not sent late.
          if (replacesSentAt !== undefined) notifications.withdraw(`phone-code:${holder}:${replacesSentAt}`, 'a newer code replaces it');
          const queued = notifications.toCitizen({ kind: 'phone-code', code, minutes: CODE_MINUTES }, `phone-code:${holder}:${now}`, e164, expiresAt);
          if (!queued.ok) throw new HttpRefusal('internal', `the code could not be queued: ${queued.code}`);
          return r;
        });
        if (!sent.ok) {
          if (sent.code === 'codes-spent' && spentSaidOn !== store.view.day) {
            spentSaidOn = store.view.day;
            warn(opsText('codesSpent', { n: phonePolicyOf(store.view.catalogue).codesPerDay, top: mostAsked() }));
          }
          if (sent.code === 'address-code-limit') addressLimitReached(req.address ?? 'unknown', store.view.day);
          // Asked again within the minute (a page reloaded): the code sent holds, and when the next may go, for the page's countdown.
          throw new HttpRefusal(sent.code, sent.message, sent.retryAfterMs !== undefined ? { codeSent: true } : undefined, sent.retryAfterMs);
        }
        askedFrom(req.address ?? 'unknown', store.view.day);
        notifications.wake();
        return ok(202, { expiresInSeconds: CODE_MINUTES * 60, resendInSeconds: CODE_RESEND_MS / 1000 });
      },
    },
    {
      method: 'POST',
      path: '/api/phone/verify',
      operationId: 'verifyPhone',
      summary: `Checks a one-time code; the answer's session (send it in ${PHONE_SESSION_HEADER}) lets this phone take numbers and book for ${SESSION_MS / 3600_000} hours`,
      public: true,
      rate: limits.code,
      body: VerifyBodySchema,
      handle: (req) => {
        inCharge();
        const { phone, code } = req.body as z.infer<typeof VerifyBodySchema>;
        const now = clock();
        const r = phones.verify(phone, code, now);
        if (!r.ok) throw new HttpRefusal(r.code, r.message);
        return ok(200, { session: r.value.session, phone: r.value.masked, expiresAt: now + SESSION_MS, expiresInMs: SESSION_MS });
      },
    },
    {
      method: 'POST',
      path: '/api/phone/tickets',
      operationId: 'takeRemoteTicket',
      summary: '扫码取号: takes a number on a verified phone, in the issuing hours and quotas of the kiosk, a few a day a phone (N-06); answers its live state and reference',
      public: true,
      rate: limits.write,
      body: TakeRemoteBodySchema,
      handle: async (req) => {
        const s = session(req);
        const { serviceCode } = req.body as z.infer<typeof TakeRemoteBodySchema>;
        let firstAhead: number | null = null;
        const { answer, repeated } = await commits.submit({ id: req.commandId, type: 'takeRemoteTicket', serviceCode }, PHONE_ACTOR, {
          scope: phoneScope(s),
          holder: history(s.holder),
          within: (a) => {
            const t = store.view.tickets.get(a.ticket!.id)!;
            firstAhead = toldAhead(ticketWait(store.view, t, clock()));
            phones.link('ticket', t.id, s, t.day, true, clock(), firstAhead);
          },
        });
        if (!answer.ok) return refused(answer);
        const t = store.view.tickets.get(answer.ticket!.id);
        if (!t) throw new HttpRefusal('not-found', 'the number is no longer today’s');
        if (!repeated) watch.addTarget({ ticketId: t.id, sealed: s.sealed, firstAhead, alerts: new Set() });
        return ok(201, { ticket: watch.stateOf(t) });
      },
    },
    {
      method: 'GET',
      path: '/api/phone/tickets/{ref}',
      operationId: 'getTicketStatus',
      summary: 'A ticket as its phone sees it; with ?after=VERSION it waits (long poll, the fallback of watchTicket) until the ticket changes or 25 s pass',
      public: true,
      rate: limits.read,
      query: { after: 'the version last seen: wait for a newer one' },
      handle: async (req) => {
        const t = ticketOf(req);
        const after = req.query.get('after');
        if (after === null) return { status: 200, body: watch.stateOf(t) };
        const version = plainNumber(after, 0, Number.MAX_SAFE_INTEGER);
        if (version === undefined)
          throw refusalSaid(
            'bad-request',
            'after is the version last seen, a whole number, 0 or more',
            '查询条件 after 应为上次收到的号码状态的版本号（version）：0 或更大的整数，只写数字。',
            'after must be the version of the ticket last received (its version): a whole number, 0 or more, in digits only.',
          );
        // A long poll holds a connection as a stream does: counted with the address's streams, and given back
        // as soon as the phone goes (its connection closed), not at the poll's end up to pollMs later; the poll itself ends then too.
        const release = hold(req);
        req.closed.addEventListener('abort', release, { once: true });
        let state: PhoneTicket | undefined;
        try {
          state = await watch.poll(t, version, limits.pollMs, req.closed);
        } finally {
          req.closed.removeEventListener('abort', release);
          release();
        }
        if (!state) throw new HttpRefusal('not-found', 'the ticket is no longer today’s');
        return { status: 200, body: state };
      },
    },
    {
      method: 'GET',
      path: '/api/phone/tickets/{ref}/watch',
      operationId: 'watchTicket',
      summary: "The ticket's push stream (server-sent events): `ticket` with its state at once and at every change (people ahead, expected wait, the call), `gone` when it is no longer today's",
      public: true,
      rate: limits.watch,
      handle: () => ({ status: 405, body: {} }),
      stream: (req: Request, res: ServerResponse) => {
        const t = ticketOf(req);
        if (watch.watching + (streams?.watching ?? 0) >= limits.streams)
          throw new HttpRefusal('rate-limited', 'the hall follows as many phones as it can; the page falls back to asking now and then', undefined, HELD_RETRY_MS);
        const closed = hold(req);
        // Served by the phones' own process where it runs; else here.
        if (streams?.handOver(t, res, closed)) return;
        res.on('close', closed);
        watch.stream(t, openEventStream(res));
      },
    },
    {
      method: 'GET',
      path: '/api/phone/slots',
      operationId: 'listSlots',
      summary: "An item's bookable slots: from tomorrow up to the hall's days ahead, working days only, with the places left in each",
      public: true,
      rate: limits.read,
      query: { service: 'service item code (required)' },
      handle: (req) => {
        const view = store.view;
        const code = req.query.get('service') ?? '';
        const item = findItem(view.catalogue, code);
        if (!item) throw new HttpRefusal('not-found', `there is no service item ${code}`);
        const body: PhoneSlots = {
          serviceCode: item.code,
          days: !isBookable(view.catalogue, item) ? [] : bookableDays(view.catalogue, view.day).map((day) => ({ day, slots: slotsOf(view, item, day).map(({ booked: _booked, ...s }) => s) })),
        };
        return { status: 200, body };
      },
    },
    {
      method: 'POST',
      path: '/api/phone/appointments',
      operationId: 'bookAppointment',
      summary: 'Books a slot on a verified phone: within the quotas, on a working day, unless missed bookings have paused booking; answers the booking with its code for the kiosk',
      public: true,
      rate: limits.write,
      body: BookBodySchema,
      handle: async (req) => {
        const s = session(req);
        const body = req.body as z.infer<typeof BookBodySchema>;
        const scope = phoneScope(s);
        // A retry of the same press books the same code, once.
        const code = store.links.bookingCode(`${scope}|${req.commandId}`);
        const { answer } = await commits.submit({ id: req.commandId, type: 'bookAppointment', code, ...body, remote: true }, PHONE_ACTOR, {
          scope,
          holder: history(s.holder),
          within: () => {
            const a = store.view.appointments.get(code)!;
            phones.link('appointment', code, s, a.day, false, clock());
          },
        });
        if (!answer.ok) return refused(answer);
        const a = store.view.appointments.get(code);
        if (!a) throw new HttpRefusal('not-found', 'the booking is past');
        return ok(201, { appointment: appointment(store.view, a) });
      },
    },
    {
      method: 'GET',
      path: '/api/phone/appointments/{ref}',
      operationId: 'getAppointment',
      summary: 'A booking: its item, day and slot, its code and state (booked, checked in, cancelled, missed)',
      public: true,
      rate: limits.read,
      handle: (req) => ({ status: 200, body: appointment(store.view, appointmentOf(req)) }),
    },
    {
      method: 'POST',
      path: '/api/phone/appointments/{ref}/cancel',
      operationId: 'cancelAppointment',
      summary: 'Cancels a booking before its slot ends (not once checked in); the slot is free again',
      public: true,
      rate: limits.write,
      handle: async (req) => {
        const a = appointmentOf(req);
        const { answer } = await commits.submit({ id: req.commandId, type: 'cancelAppointment', code: a.code }, PHONE_ACTOR, phoneScope());
        if (!answer.ok) return refused(answer);
        return ok(200, { appointment: appointment(store.view, store.view.appointments.get(a.code)!) });
      },
    },
    {
      method: 'GET',
      path: '/api/phone/mine',
      operationId: 'listMine',
      summary: "A verified phone's numbers of today and its bookings to come (its number masked)",
      public: true,
      rate: limits.read,
      handle: (req) => {
        const s = session(req);
        const view = store.view;
        const mine = phones.holderRefs(s.holder, view.day);
        const body: PhoneMine = {
          phone: s.masked,
          tickets: mine.tickets.flatMap((id) => {
            const t = view.tickets.get(id);
            return t ? [watch.stateOf(t)] : [];
          }),
          appointments: mine.appointments.flatMap((code) => {
            const a = view.appointments.get(code);
            return a ? [appointment(view, a)] : [];
          }),
        };
        return { status: 200, body };
      },
    },
    {
      method: 'GET',
      path: '/api/phone/cases/{caseNumber}',
      operationId: 'getPhoneCase',
      summary: "A case's progress by its number (H-11), as getCaseProgress gives it to terminals: item, state, due dates, materials still asked for; never the applicant",
      public: true,
      rate: limits.cases,
      handle: (req) => {
        // As a phone's keyboard gives it: full-width from a Chinese input method (ＳＬ２０…), lower case, spaces between its groups.
        const number = (req.params.caseNumber ?? '').normalize('NFKC').replace(/\s+/g, '').toUpperCase();
        if (!/^[A-Z0-9-]{4,40}$/.test(number)) throw new HttpRefusal('not-found', 'there is no such case');
        const c = store.caseProgress(number);
        if (!c) throw new HttpRefusal('not-found', `there is no case ${number}`);
        const item = findItem(store.view.catalogue, c.serviceCode);
        const body: PhoneCase = {
          caseNumber: c.number,
          serviceCode: c.serviceCode,
          itemName: item?.name ?? c.serviceCode,
          ...(item?.nameEn ? { itemNameEn: item.nameEn } : {}),
          state: c.state,
          ...(c.acceptedOn ? { acceptedOn: c.acceptedOn } : {}),
          ...(c.promisedDue ? { promisedDue: c.promisedDue } : {}),
          ...(c.legalDue ? { legalDue: c.legalDue } : {}),
          missing: (c.missing ?? []).map((id) => item?.materials.find((m) => m.id === id)?.name ?? id),
        };
        return { status: 200, body };
      },
    },
  ];
  // A phone may be the first to ask after midnight: it sees the new day, not yesterday's.
  return operations.map((op) => ({
    ...op,
    handle: (req: Request) => {
      store.openDayIfDue();
      return op.handle(req);
    },
    ...(op.stream
      ? {
          stream: (req: Request, res: ServerResponse) => {
            store.openDayIfDue();
            op.stream!(req, res);
          },
        }
      : {}),
  }));
}

import type { HubTimeCall, LinkTopic } from '@servicehall/agent/contract';
import type { CaseState, Lane, PriorityReason, RatingLevel, RefusalCode, WaitPhrase } from '@servicehall/core';

import type { WindowLanguage } from './strings';

export type { WindowLanguage };

/** A waiting or held ticket as the clerk sees it: the number and what it is for, never a name (H-19). */
export interface TicketCard {
  id: string;
  number: string;
  serviceCode: string;
  serviceName: string;
  lane: Lane;
  priorityReason?: PriorityReason;
  issuedAt: number;
  /** Sent here (or to this item) by another window. */
  transferred: boolean;
  /** Taken on the citizen's phone (扫码取号), not at the kiosk. */
  remote: boolean;
}

export interface TransferCard {
  at: number;
  fromService: string;
  toService: string;
  fromWindow?: number;
  toWindow?: number;
  reason: string;
}

/** The ticket the window is dealing with now. */
export interface CurrentTicket extends TicketCard {
  state: 'called' | 'serving';
  calledAt?: number;
  servingAt?: number;
  recalls: number;
  recallLimit: number;
  /** When the next recall is allowed (the hub's clock). */
  recallReadyAt?: number;
  /** 首问负责 (H-02): the first clerk who received this citizen, kept through transfers. */
  firstClerk?: { number: string; name?: string };
  transfers: TransferCard[];
}

export interface MaterialCard {
  id: string;
  name: string;
  form: 'original' | 'copy' | 'original-and-copy' | 'electronic';
  count: number;
  note?: string;
}

/** A service item this window handles, with the checklist the clerk ticks. */
export interface ItemCard {
  code: string;
  name: string;
  department: string;
  promisedLimitDays: number;
  legalLimitDays: number;
  materials: MaterialCard[];
}

export interface NoticeCard {
  at: number;
  materials: string[];
  /** Material names this notice added to earlier ones on the case. */
  newMaterials: string[];
  /** 一次性告知 broken (H-03). */
  breach: boolean;
  /** Why the clerk gave it all the same, confirmed before it was printed. */
  breachReason?: string;
}

/** An outcome corrected in its visit (H-07). */
export interface AmendmentCard {
  at: number;
  from: OutcomeKind;
  to: OutcomeKind;
  reason: string;
}

/** A case of this window's visits; the applicant arrives masked from the hub (H-19). */
export interface CaseCard {
  number: string;
  serviceCode: string;
  serviceName: string;
  state: CaseState;
  /** The outcome of its latest visit. */
  outcome: OutcomeKind;
  /** The visit that last recorded its outcome. */
  ticketId?: string;
  ticketNumber?: string;
  openedAt: number;
  acceptedOn?: string;
  promisedDue?: string;
  legalDue?: string;
  dueCertain?: boolean;
  rejectReason?: string;
  applicant?: { name: string; idNumber?: string };
  firstClerk?: string;
  notices: NoticeCard[];
  breach: boolean;
  amendments: AmendmentCard[];
}

export type DeviceState =
  | { kind: 'absent' }
  | { kind: 'ok' }
  | { kind: 'warning'; code: string }
  /** `detail`: which port, what is wrong, what to do, when the line said (a serial port that cannot be opened). */
  | { kind: 'fault'; code: string; detail?: string };

export interface PrintRecord {
  document: 'acceptance' | 'correction' | 'rejection' | 'one-time';
  caseNumber?: string;
  ok: boolean;
  code?: string;
  at: number;
}

/** Everything the clerk's screen shows, made by the agent from the hub's view for this window only. */
export interface Desk {
  seq: number;
  day: string;
  hallName: string;
  timeZone: string;
  window: { number: number; name: string; department?: string };
  open: boolean;
  clerk?: { number: string; name?: string };
  pausedSince?: number;
  pauseReason?: string;
  /** Closed by the last hall day's end (its clerk did not sign out), at the hall's closing time: said on the sign-in screen. */
  dayEndedAt?: number;
  current?: CurrentTicket;
  /** Waiting tickets in the order this window would call them (core windowQueue). */
  queue: TicketCard[];
  waitingTotal: number;
  /** Per item: the people waiting here, and how a ticket taken now would wait (H-09). */
  byItem: { code: string; name: string; waiting: number; minutes: number; wait: WaitPhrase }[];
  held: TicketCard[];
  serves: ItemCard[];
  /** Where a ticket can be transferred or referred. */
  targets: {
    items: { code: string; name: string; department: string; windows: number[] }[];
    /** `open`: a clerk is signed in there (perhaps paused); a transfer to a window nobody is signed in at waits until someone signs in (the dialog warns). */
    windows: { number: number; name: string; serves: string[]; open: boolean }[];
    /** 综合咨询台: the window that serves the general consultation item, for multi-department matters (H-06). */
    consultationWindow?: number;
  };
  /** The other windows that serve any of this window's items: their current numbers only. */
  neighbours: { number: number; name: string; open: boolean; paused: boolean; ticket?: string }[];
  cases: CaseCard[];
  /** The cases the visit being served has recorded (H-07: one outcome per item, corrected by amendment). */
  visitCases: CaseCard[];
  /** The rating of the last service finished here: the citizen rates on the pad, never the clerk (H-13). */
  rating?: { ticketNumber: string; state: 'waiting' | 'rated'; level?: RatingLevel; isDefault?: boolean };
  devices: { printer: DeviceState; display: DeviceState };
  lastPrint?: PrintRecord;
  recallCooldownSeconds: number;
  recallLimit: number;
}

/** An answer to the clerk: done, or a code the screen turns into a polite sentence. */
export type Done =
  | { ok: true; ticket?: string }
  | {
      ok: false;
      code: RefusalCode | 'offline' | 'timeout' | 'invalid';
      message: string;
      triesLeft?: number;
      /** notice-breach: the materials the notice would add to those earlier notices named (H-03). */
      newMaterials?: string[];
    };

export type PrintResult = { ok: true } | { ok: false; code: string };

/** A number called by typing while no hub answered, as this window recorded it. */
export interface EmergencyCallCard {
  number: string;
  state: 'called' | 'serving' | 'finished' | 'noShow';
  calledAt: number;
}

/**
 * 应急模式: no hub for a while. The clerk types the number to call (应急手动叫号) and records how
 * the visit ended; this window keeps the record until the hub takes it in.
 */
export interface EmergencyDesk {
  active: boolean;
  window: number;
  clerk?: string;
  /** The number being dealt with now. */
  current?: EmergencyCallCard;
  /** The window's calls of this outage, newest first. */
  recent: EmergencyCallCard[];
  /** Records not yet taken in by the hub. */
  waiting: number;
}

export type OutcomeDone = (Done & { ok: false }) | { ok: true; case?: CaseCard; printed: PrintResult };

export type OutcomeKind = 'accepted' | 'correction' | 'rejected' | 'consultation';

export interface OutcomeRequest {
  serviceCode: string;
  outcome: OutcomeKind;
  /** An earlier case this continues (the citizen is back with corrections). */
  caseNumber?: string;
  /** For a correction: every missing material, with why it is needed again. */
  materials?: { id: string; reason: string }[];
  reason?: string;
  applicant?: { name: string; idNumber?: string; phone?: string };
  /** Confirms a correction notice that adds material earlier notices did not name (一次性告知, H-03). */
  breachReason?: string;
}

/** An outcome of this visit corrected (H-07): the same case, the new outcome, why. */
export interface AmendRequest {
  caseNumber: string;
  outcome: OutcomeKind;
  amendReason: string;
  materials?: { id: string; reason: string }[];
  reason?: string;
  breachReason?: string;
}

export interface TransferRequest {
  toService?: string;
  toWindow?: number;
  reason: string;
  /** 指引 (H-06): referred elsewhere rather than handed over. */
  referral: boolean;
}

/** The window terminal's bridge: what its renderer may call and what its agent pushes. */
export interface WindowShape {
  /** hubTime: the screen counts every wait and pause by the hub's clock, not by this PC's. */
  calls: HubTimeCall & {
    hello(): { terminal: string; window: number; language: WindowLanguage };
    signIn(arg: { clerk: string; pin: string }): Done;
    signOut(): Done;
    pause(arg: { reason: string }): Done;
    resume(): Done;
    callNext(): Done;
    callTicket(arg: { ticketId: string; reason?: string }): Done;
    recall(): Done;
    start(): Done;
    finish(): Done;
    noShow(): Done;
    hold(): Done;
    transfer(arg: TransferRequest): Done;
    outcome(arg: OutcomeRequest): OutcomeDone;
    amendOutcome(arg: AmendRequest): OutcomeDone;
    reprint(arg: { caseNumber: string }): PrintResult;
    emergencyCall(arg: { number: string }): Done;
    emergencyStart(): Done;
    emergencyEnd(arg: { end: 'finished' | 'noShow' }): Done;
  };
  topics: LinkTopic & { desk: Desk | null; emergency: EmergencyDesk };
}

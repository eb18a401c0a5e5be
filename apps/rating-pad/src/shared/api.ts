import type { LinkTopic } from '@servicehall/agent/contract';
import type { RatingLevel, RefusalCode } from '@servicehall/core';
import type { ReasonId } from './strings';

export type PadLanguage = 'zh-CN' | 'en';

/** The window clerk's card on the idle screen (工作人员信息公示). */
export interface ClerkCard {
  number: string;
  name: string;
  /** Shown in the placeholder when there is no photo. */
  surname: string;
  department: string;
  departmentEn?: string;
  title?: string;
  /** A data: URL, made by the agent from the catalogue's photo. */
  photo?: string;
}

/** A finished service of this window waiting for the citizen's rating. */
export interface PadRequest {
  ticketId: string;
  ticketNumber: string;
  serviceName: string;
  serviceNameEn?: string;
  finishedAt: number;
  /** The signed link of the hub's phone rating page, and its QR code as a data: URL (second channel). */
  link?: string;
  qr?: string;
}

/** After a rating: what became of it. `queued` means it waits in the outbox for the hub. */
export interface PadThanks {
  ticketId: string;
  ticketNumber: string;
  level: RatingLevel;
  status: 'sending' | 'recorded' | 'queued' | 'refused';
  code?: RefusalCode;
  /** What the status is about: the rating itself, or the reasons added to it (the level stands either way). */
  part?: 'rating' | 'details';
}

/**
 * A bad rating recorded at the press (the level is the rating): the pad offers to add reasons and
 * a comment, which amend that same rating. Walking away leaves the level as it was pressed.
 */
export interface PadDetails {
  ticketId: string;
  ticketNumber: string;
  level: RatingLevel;
  /** What became of the level pressed. */
  status: PadThanks['status'];
}

/** The window's current number, and whether the clerk has started serving it or only called it. */
export interface CurrentTicket {
  number: string;
  state: 'called' | 'serving';
}

export interface PadScreen {
  phase: 'idle' | 'asking' | 'details' | 'thanks';
  /** The terminal's configured language: the screen returns to it for each new citizen. */
  language: PadLanguage;
  hallName: string;
  hallNameEn?: string;
  complaintPhone: string;
  window: number;
  windowName: string;
  department?: string;
  departmentEn?: string;
  windowStatus: 'open' | 'paused' | 'closed';
  clerk?: ClerkCard;
  /** The ticket the window is calling or serving now (a number, never a name: H-19). */
  current?: CurrentTicket;
  request?: PadRequest;
  thanks?: PadThanks;
  details?: PadDetails;
  /**
   * A key press that rates nothing: nothing is asked (`nothing-to-rate`), or the citizen has just
   * rated (`already-rated`, during the thanks or the reasons): acknowledged, logged and dropped.
   */
  notice?: 'nothing-to-rate' | 'already-rated';
  /** `unanswered`: presses are read and count, but the key pad's acknowledgements are not taken by its line, so it lights its error lamp. */
  keypad: 'absent' | 'ok' | 'fault' | 'unanswered';
}

/** A level pressed: the rating, recorded at once, with the aspects chosen before it. */
export interface RateInput {
  ticketId: string;
  level: RatingLevel;
  aspects?: { efficiency?: RatingLevel; skill?: RatingLevel; attitude?: RatingLevel };
}

/** Reasons and a comment added to the bad rating just recorded (the same rating, amended). */
export interface AmendInput {
  ticketId: string;
  reasons?: ReasonId[];
  text?: string;
}

export type RateOutcome = { status: 'recorded' } | { status: 'queued' } | { status: 'refused'; code: RefusalCode };

/** The rating pad's bridge: what its renderer may call and what its agent pushes. */
export interface RatingPadShape {
  calls: {
    hello(): { terminal: string; window: number; language: PadLanguage };
    rate(input: RateInput): RateOutcome;
    /** Adds reasons and a comment to the rating on the reasons screen; nothing added just closes it. */
    amend(input: AmendInput): RateOutcome;
  };
  topics: LinkTopic & { pad: PadScreen };
}

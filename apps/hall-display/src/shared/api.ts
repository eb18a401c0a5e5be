import type { HubTimeCall, LinkTopic } from '@servicehall/agent/contract';
import type { WaitPhrase } from '@servicehall/core';
import type { Announcement } from './announcer';
import type { VoiceMode } from './voice';

/** One call shown on the hall screen: numbers only, never names (H-19). */
export interface CallShown extends Announcement {
  windowName: string;
  /** The number was taken on a phone (扫码取号): its citizen was alerted there and may be on the way. */
  remote?: boolean;
}

export interface Board {
  /** The hub's sequence this board was made from. */
  seq: number;
  hallName: string;
  hallNameEn?: string;
  timeZone: string;
  /** Calls newest first; a recall comes to the top again. Calls known only from a snapshot have seq 0. */
  calls: CallShown[];
  /** Tickets each window has called and is waiting for now: an announcement is said only while its call stands. */
  calledNow: { ticket: string; window: number }[];
  /** Items with people waiting: how many, and how a ticket taken now would wait (never "0 minutes" behind others). */
  waiting: { code: string; name: string; waiting: number; minutes: number; wait: WaitPhrase }[];
  notices: string[];
  /** H-15: the complaint channels shown to citizens. */
  complaint: { phone: string; window?: { number: number; name: string } };
}

/** Where the voice runs and how it is paced; decided by the agent once the screen says what it can do. */
export interface VoicePlan {
  mode: VoiceMode | 'deciding';
  /** 'renderer': the screen runs the announcement queue; 'agent': the agent does (espeak-ng). */
  runsIn: 'renderer' | 'agent';
  repeat: number;
  gapMs: number;
  chimeMs: number;
  /** How long the sentence stays on screen when it cannot be spoken (chime only). */
  captionMs: number;
  maxAgeMs: number;
}

/** What the screen can do with its own voice. */
export interface ScreenVoice {
  /** The zh-CN speechSynthesis voice, if the platform has one. */
  zhVoice?: string;
}

/** One utterance as the hall heard it: the announcement log, kept by the agent wherever the voice ran. */
export interface Announced {
  seq: number;
  ticket: string;
  window: number;
  recall: boolean;
  text: string;
  /** 1 for the first saying, 2 for the second ... ; 0 for a call that was skipped. */
  time: number;
  voice: VoiceMode;
  at: number;
  skipped?: 'no-longer-called' | 'too-old';
  /** Why the voice could not say it (one line): the call was shown, not heard. */
  failed?: string;
}

/** The sentence being announced now, for the caption. */
export interface Announcing {
  ticket: string;
  window: number;
  text: string;
}

/** The hall screen's bridge: what its renderer may call and what its agent pushes. */
export interface HallDisplayShape {
  /** hubTime: the header's clock and a call's age (too old to announce) are the hub's time, not this PC's. */
  calls: HubTimeCall & {
    /** pageMs: how long each page of the waiting list stays (the hall screen's setting). */
    hello(): { terminal: string; language: 'zh-CN' | 'en'; pageMs: number };
    /** The screen says which voice it has; the agent answers with the plan (and reports the voice to the hub). */
    screenVoice(voice: ScreenVoice): VoicePlan;
    /** The screen's announcer tells the agent what it said (or skipped), for the log. */
    announced(entry: Announced): void;
  };
  topics: LinkTopic & { board: Board; voice: VoicePlan; announcing: Announcing | null };
}

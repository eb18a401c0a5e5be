import type { HubTimeCall, LinkTopic } from '@servicehall/agent/contract';
import type { Material, PriorityReason, RefusalCode, TicketState, WaitCaveat, WaitPhrase } from '@servicehall/core';

export type Lang = 'zh-CN' | 'en';

/** One service item as a touch target on the home screen (H-09: people waiting and expected wait). */
export interface ItemCard {
  code: string;
  name: string;
  nameEn?: string;
  department: string;
  prefix: string;
  /** Pinyin initials of the name, lower case (居民身份证换领 → jmsfzhl), for search. */
  initials: string;
  /** Full pinyin of the name without spaces or tones, for search. */
  pinyin: string;
  /** Tickets of the item waiting now. */
  waiting: number;
  /** The people called before a ticket taken now, by the queue policy itself. */
  ahead: number;
  minutes: number;
  /** How the wait of a ticket taken now is said: 即将叫号, 约 N 分钟, N–M 分钟, or no window open. */
  wait: WaitPhrase;
  noWindowOpen: boolean;
  /** The wait passes the kiosk's threshold: suggest self-service and online channels (H-16). */
  busy: boolean;
  onlineUrl?: string;
  /** Closed for the rest of the day from the console: the notice citizens read (H-16). */
  closedNotice?: string;
  /** No number now, as the hub would refuse one: today's quota is taken (`full`), or it is not within today's `issuingHours`. */
  notIssuing?: 'full' | 'hours';
  /** Today's issuing periods, with `notIssuing: 'hours'`: 08:30-11:30, 13:30-17:00 (joined in the screen's language). */
  issuingHours?: string[];
}

export interface Home {
  hallName: string;
  hallNameEn?: string;
  /** The hall's time zone (the catalogue's): the top bar's clock and date are the hub's time in it. */
  timeZone: string;
  complaintPhone: string;
  departments: { name: string; nameEn?: string }[];
  items: ItemCard[];
  /** Some item is busy: the home screen suggests online and self-service channels. */
  busy: boolean;
  threshold: { minutes: number; people: number };
}

/** What the kiosk can do now. The screen turns to "out of service" when it cannot issue tickets (H-17). */
export interface KioskStatus {
  printer: 'ok' | 'warning' | 'fault' | 'absent' | 'checking';
  /** paper-near-end, paper-end, cover-open, offline, timeout, ... */
  printerCode?: string;
  outOfService: boolean;
  /** `leases-spent`: in emergency mode with no lease numbers left. */
  reason?: 'printer' | 'hub' | 'unconfigured' | 'leases-spent';
  /** 应急取号: no hub for a while; numbers come from the kiosk's leases and no wait is known. */
  emergency?: boolean;
}

export interface KioskSettings {
  terminal: string;
  language: Lang;
  /** After this long without a touch the kiosk asks whether the citizen is still there... */
  idleSeconds: number;
  /** ...and counts this long down before it goes back home. */
  idleWarnSeconds: number;
  hasPrinter: boolean;
}

/** 办事指南 (H-01): everything a citizen needs to know before taking a number. */
export interface Guide {
  code: string;
  name: string;
  nameEn?: string;
  department: string;
  conditions: string[];
  materials: Material[];
  steps: string[];
  fees: string;
  legalLimitDays: number;
  promisedLimitDays: number;
  issuingHours: string;
  dailyQuota?: number;
  onlineUrl?: string;
  /** The online address as a QR code image (data URL), to scan with a phone. */
  onlineQr?: string;
  waiting: number;
  ahead: number;
  minutes: number;
  wait: WaitPhrase;
  caveats: WaitCaveat[];
  busy: boolean;
}

export interface TicketShown {
  id: string;
  number: string;
  serviceCode: string;
  /** What to bring (H-01: the guide after the ticket too). */
  materials: Material[];
  itemName: string;
  itemNameEn?: string;
  lane: 'ordinary' | 'priority' | 'appointment';
  priorityReason?: PriorityReason;
  ahead: number;
  minutes: number;
  wait: WaitPhrase;
  /** What the figure cannot know, said beside it. */
  caveats: WaitCaveat[];
  /** HH:MM in the hall's time zone. */
  issuedAt: string;
  /** Where the citizen follows the queue (the QR code on the ticket); none when the hall has no public address. */
  progressUrl?: string;
  /** The progress QR code as an image (data URL), shown on screen when there is no printer. */
  qr?: string;
  /** Printed on the kiosk's printer; otherwise shown on screen to photograph. */
  printed: boolean;
  /**
   * Sent to the printer whole, but the printer did not say how it went: the ticket stands and the
   * screen shows the number to note as well, in case no slip came out.
   */
  printUnconfirmed?: true;
  slot?: string;
  /** 应急取号: given from the kiosk's lease while no hub answered; no wait is known. */
  emergency?: true;
}

/**
 * Why the kiosk could not give a number: a hub refusal or the kiosk's own reason. `print-cut-off`:
 * the printer stopped in the middle of the ticket (paper end, cover open), so a partial slip may
 * show a number that is now void.
 */
export type KioskRefusal = RefusalCode | 'out-of-service' | 'print-failed' | 'print-cut-off' | 'hub-offline' | 'leases-spent';

export type TakeResult =
  | { ok: true; ticket: TicketShown }
  | {
      ok: false;
      code: KioskRefusal;
      itemName?: string;
      itemNameEn?: string;
      onlineUrl?: string;
      onlineQr?: string;
      issuingHours?: string;
      /** The voided number a partial slip may show (print-cut-off). */
      number?: string;
    };

export type PrintResult = { ok: true } | { ok: false; code: 'no-printer' | 'out-of-service' | 'print-failed' | 'not-found' };

export type QueryResult =
  | {
      kind: 'ticket';
      number: string;
      itemName: string;
      itemNameEn?: string;
      state: TicketState;
      ahead: number;
      minutes: number;
      wait: WaitPhrase;
      window?: number;
      windowName?: string;
    }
  /** `missing`: for a case waiting for corrections, the materials its latest notice asks for (H-03). */
  | { kind: 'case'; caseNumber: string; itemName?: string; state?: string; stateText?: string; dueDate?: string; updatedAt?: string; missing?: string[] }
  | { kind: 'not-found'; text: string }
  | { kind: 'unavailable' };

export interface TakeRequest {
  serviceCode: string;
  lane: 'ordinary' | 'priority';
  priorityReason?: Exclude<PriorityReason, 'other'>;
  lang: Lang;
}

/** The kiosk's bridge: what its renderer may call and what its agent pushes. */
export interface KioskShape {
  /** hubTime: the top bar's clock is the hub's, not this PC's. */
  calls: HubTimeCall & {
    hello(): KioskSettings;
    guide(arg: { code: string }): Guide | null;
    takeNumber(arg: TakeRequest): TakeResult;
    checkIn(arg: { code: string; lang: Lang }): TakeResult;
    printGuide(arg: { code: string; lang: Lang }): PrintResult;
    query(arg: { text: string }): QueryResult;
  };
  topics: LinkTopic & { home: Home; status: KioskStatus; settings: KioskSettings };
}

/** Errors are values at boundaries: a refused rule names its code; the UI maps the code to a polite sentence. */
export type Refusal = {
  ok: false;
  code: RefusalCode;
  message: string;
  /** The tickets that stand in the way of a change that cannot apply now (it may apply at day end). */
  tickets?: string[];
  /** The materials a correction notice would add to those its case's earlier notices named (notice-breach, H-03). */
  materials?: string[];
};
export type Result<T> = { ok: true; value: T } | Refusal;

export type RefusalCode =
  | 'bad-request'
  | 'unauthorised'
  | 'forbidden'
  | 'not-found'
  | 'illegal-transition'
  | 'recall-limit'
  | 'recall-cooldown'
  | 'queue-empty'
  | 'not-served-here'
  | 'outside-issuing-hours'
  | 'daily-quota-reached'
  | 'numbers-exhausted'
  | 'window-closed'
  | 'window-busy'
  | 'appointment-unknown'
  | 'appointment-used'
  | 'appointment-wrong-day'
  | 'conflict'
  | 'too-large'
  | 'already-rated'
  | 'outcome-recorded'
  | 'notice-breach'
  | 'locked'
  | 'unconfigured'
  | 'closed-today'
  | 'pin-change-required'
  | 'phone-limit'
  | 'code-limit'
  | 'address-code-limit'
  | 'codes-spent'
  | 'remote-closed'
  | 'slot-unavailable'
  | 'slot-full'
  | 'booking-limit'
  | 'booking-blocked'
  | 'appointment-cancelled'
  /** A booking the hall cancelled because a setup removed its item (or gave it another code). */
  | 'appointment-withdrawn'
  | 'phone-unverified'
  | 'case-lapsed'
  | 'command-expired'
  | 'clock-ahead'
  | 'method-not-allowed'
  | 'id-reused'
  | 'rate-limited'
  | 'sign-in-paused'
  | 'too-many-connections'
  | 'disk-full'
  | 'not-in-charge'
  /** The hub stopped before the operation was done (a workbook being read): nothing was changed, and asking again later will do. */
  | 'cancelled'
  | 'phone-limit'
  | 'remote-closed'
  | 'slot-unavailable'
  | 'slot-full'
  | 'booking-limit'
  | 'booking-blocked'
  | 'appointment-cancelled'
  /** A booking the hall cancelled because a setup removed its item (or gave it another code). */
  | 'appointment-withdrawn'
  | 'phone-unverified'
  | 'internal';

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const refuse = (code: RefusalCode, message: string): Refusal => ({ ok: false, code, message });

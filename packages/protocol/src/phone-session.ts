/** The header that carries a verified phone's session (never the address: addresses end up in logs and histories). */
export const PHONE_SESSION_HEADER = 'x-phone-session';

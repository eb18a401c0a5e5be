import { complaintDays, dayInWords, findItem, isBadRating, RATING_LEVEL_NAMES, RATING_LEVELS, RatingLevelSchema, refusalTextOf, waitPhrase, withoutControls, type Language, type QueueWait, type RefusalCode } from '@servicehall/core';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GroupCommit } from './commit';
import { addressNetwork } from './address-network';
import { clientAddress, language, statusOf } from './http';
import type { ProxyTrust } from './proxy-trust';
import { Buckets, type HubLimits } from './limits';
import { pageText, TICKET_STATE_TEXT, type PageKey } from './page-strings';
import type { HallStore } from './store';

/**
 * The citizen's own pages, reached from the QR codes on the ticket and the rating pad: the
 * ticket's progress (H-11) and the phone rating, the second channel (N-01). Numbers only.
 */
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(res: ServerResponse, status: number, lang: Language, title: string, body: string): void {
  const html = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style>
body{font-family:'WenQuanYi Micro Hei','PingFang SC','Microsoft YaHei',sans-serif;margin:0;background:#f3f6fa;color:#1d2733}
main{max-width:480px;margin:0 auto;padding:24px}h1{font-size:22px;color:#134074}.card{background:#fff;border-radius:12px;padding:20px;margin:16px 0;box-shadow:0 1px 4px #0001}
.big{font-size:48px;font-weight:700;color:#134074;text-align:center}button{display:block;width:100%;font-size:20px;padding:14px;margin:10px 0;border-radius:10px;border:1px solid #8aa;background:#fff}
button.good{border-color:#2a9d8f}button.bad{border-color:#c44536}textarea{width:100%;min-height:80px;font-size:16px}p.note{color:#5a6b7d;font-size:14px}
</style></head><body><main>${body}</main></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/**
 * The forms' fields at their longest, as a phone sends them: 1,000 characters of Chinese are 9,000 bytes
 * once percent-encoded (three bytes of UTF-8, each %XX), so a complaint the text box takes is never too long.
 */
const FORM_MAX_BYTES = 16_384;
/** A body longer than this is not even read to its end: the connection is closed. */
const DRAIN_MAX_BYTES = 1024 * 1024;

class FormTooLarge extends Error {}

type Tx = (key: PageKey, vars?: Record<string, string | number>) => string;

/** The codes whose general sentence does not fit a form sent from a phone: it would wait for a retry that never comes. */
const SEND_AGAIN: Partial<Record<RefusalCode, PageKey>> = { 'not-in-charge': 'sendAgain', 'too-many-connections': 'sendAgain' };

/**
 * A refusal of a complaint or a rating as the page says it: the page's own sentence for the codes named in `own`
 * (what a refresh would not change), else the hall's own words where the refusal carries them, else the code's.
 */
function refusalOnPage(refusal: { code: RefusalCode; message: string }, lang: Language, tx: Tx, own: Partial<Record<RefusalCode, PageKey>> = {}, vars: Record<string, string | number> = {}): string {
  const key = own[refusal.code] ?? SEND_AGAIN[refusal.code];
  return key ? tx(key, vars) : escape(refusalTextOf(refusal, lang));
}

/** The hall's name in the page's language: its English name on an English page where the hall has one, else its Chinese. */
const hallNameIn = (store: HallStore, lang: Language) => escape((lang === 'en' ? store.view.catalogue.hall.nameEn : undefined) ?? store.view.catalogue.hall.name);

/** A ticket number as a citizen types it (ａ１２, "A 012", a-12) in the hall's form: A12. */
const typedNumber = (s: string) => s.normalize('NFKC').replace(/[\s\-_.·]/g, '').toUpperCase();

const characters = new Intl.Segmenter('zh-CN', { granularity: 'grapheme' });
/**
 * What a citizen wrote, cut to at most `max` UTF-16 units (as the commands' schemas and the box's maxlength
 * count) between characters as people see them: `.slice` could split an emoji and store half of it.
 */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (const { index, segment } of characters.segment(text)) {
    if (index + segment.length > max) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/** The ticket of a typed number on `day` (today's from the live view, an earlier day's from the hall's records), its zeros before the digits or not (A12 is A012). */
function ticketOn(store: HallStore, typed: string, day: string): string | undefined {
  const m = /^([A-Z]{1,3})0*(\d{1,4})$/.exec(typed);
  if (!m) return undefined;
  for (let width = m[2]!.length; width <= 4; width++) {
    const id = `${day}-${m[1]}${m[2]!.padStart(width, '0')}`;
    if (day === store.view.day ? store.view.tickets.has(id) : store.ticketRecord(id)) return id;
  }
  return undefined;
}

/** The day a complaint form names for its number: an earlier hall day only (today's is the form's own, a later one no ticket's). */
const earlierDay = (store: HallStore, day: string | null) => (day && /^\d{4}-\d{2}-\d{2}$/.test(day) && day < store.view.day ? day : undefined);

/** The complaint form's address pre-filled with a ticket: its number, and its day when it is not today's (a QR rating opened the next morning). */
const complaintHref = (store: HallStore, ticket: { number: string; day: string } | undefined) =>
  ticket ? `/complain?ticket=${encodeURIComponent(ticket.number)}${ticket.day !== store.view.day ? `&amp;day=${ticket.day}` : ''}` : '/complain';

/** The way to complain (H-15) under a page about a ticket: 对服务不满意？在线投诉, the form pre-filled with it. */
const complaintLink = (store: HallStore, ticket: { number: string; day: string } | undefined, tx: Tx) => `<p><a href="${complaintHref(store, ticket)}">${tx('complainLink')}</a></p>`;

/**
 * The form of a rating, at most FORM_MAX_BYTES. A longer one is read to its end and dropped, so that
 * the page can say so (413) instead of the connection being reset under the phone's feet.
 */
function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= FORM_MAX_BYTES) chunks.push(c);
      else if (size > DRAIN_MAX_BYTES) req.destroy();
    });
    req.on('end', () => (size > FORM_MAX_BYTES ? reject(new FormTooLarge()) : resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))));
    req.on('error', reject);
    req.on('close', () => reject(new FormTooLarge()));
  });
}

export function publicPages(store: HallStore, commits: GroupCommit, limits: HubLimits, clock: () => number = Date.now, trustProxy: ProxyTrust = false) {
  const perAddress = new Buckets(limits.pages);
  const complaintsPerAddress = new Buckets(limits.complaints);

  /**
   * The complaint page the hall's QR codes (and the ticket's progress page) open (H-15): what went
   * wrong and, optionally, the ticket; registered as a complaint from the QR page with its deadline.
   * The form carries a one-time id, so that a second press registers nothing twice. No personal data.
   */
  async function complaintPage(req: IncomingMessage, res: ServerResponse, url: URL, lang: Language, tx: Tx): Promise<void> {
    const { catalogue } = store.view;
    const hall = hallNameIn(store, lang);
    const where = { days: complaintDays(catalogue), phone: escape(catalogue.hall.complaintPhone), window: escape(catalogue.hall.complaintWindow ?? tx('complainWindow')) };
    /** The form; `day`: the number is of that earlier day (a rating link opened the next morning), said above the number and sent with it. */
    const form = (ticket: string, day: string | undefined, problem = '', text = '') =>
      page(
        res,
        problem ? 400 : 200,
        lang,
        tx('complainTitle'),
        `<h1>${hall} · ${tx('complainTitle')}</h1><div class="card"><p>${tx('complainLead', where)}</p>${problem ? `<p><strong>${problem}</strong></p>` : ''}
<form method="post"><input type="hidden" name="once" value="${randomUUID()}">${day ? `<input type="hidden" name="day" value="${day}">` : ''}<p>${day ? tx('complainTicketOn', { day: dayInWords(day, lang) }) : tx('complainTicket')}</p><input name="ticket" maxlength="8" value="${escape(ticket)}" style="font-size:18px;width:8em">
<p>${tx('complainText')}</p><textarea name="text" maxlength="1000" required>${escape(text)}</textarea><button class="bad" type="submit">${tx('complainSend')}</button></form></div>
<p class="note">${tx('complainPrivate')}</p>`,
      );
    if (req.method === 'GET' || req.method === 'HEAD') return form(cut(url.searchParams.get('ticket') ?? '', 8), earlierDay(store, url.searchParams.get('day')));
    if (req.method !== 'POST') {
      res.setHeader('allow', 'GET, HEAD, POST');
      return page(res, 405, lang, tx('methodTitle'), `<h1>${tx('methodTitle')}</h1><p>${tx('method')}</p>`);
    }
    // Each complaint is a supervisor's case with a deadline: an address sends a few, not the pages' pace of reading (hundreds a minute).
    const wait = complaintsPerAddress.take(addressNetwork(clientAddress(req, trustProxy)), clock());
    if (wait > 0) {
      res.setHeader('retry-after', String(Math.ceil(wait / 1000)));
      return page(res, 429, lang, tx('busyTitle'), `<h1>${tx('busyTitle')}</h1><div class="card"><p>${tx('complainBusy', { ...where, minutes: Math.ceil(wait / 60_000) })}</p></div>`);
    }
    let body: URLSearchParams;
    try {
      body = await readForm(req);
    } catch (error) {
      if (!(error instanceof FormTooLarge)) throw error;
      res.setHeader('connection', 'close');
      return page(res, 413, lang, tx('tooLargeTitle'), `<h1>${tx('tooLargeTitle')}</h1><p>${tx('tooLarge')}</p>`);
    }
    const ticket = cut(typedNumber(body.get('ticket') ?? ''), 8);
    const day = earlierDay(store, body.get('day'));
    // A citizen is not asked to delete what they cannot see: control characters (pasted with the text) are left out, line breaks kept.
    const text = cut(withoutControls(body.get('text') ?? '', true).trim(), 1000);
    const once = body.get('once') ?? '';
    if (!text || !/^[0-9a-f-]{36}$/.test(once)) return form(ticket, day, tx('complainEmpty'), text);
    // The ticket of that number, today's or of the day the form names: the complaint is linked to it. A number not found is said, the text kept, before anything is registered.
    const ticketId = ticket ? ticketOn(store, ticket, day ?? store.view.day) : undefined;
    if (ticket && !ticketId)
      return form(ticket, day, day ? tx('complainNoTicketOn', { number: escape(ticket), day: dayInWords(day, lang) }) : tx('complainNoTicket', { number: escape(ticket) }), text);
    const command = { id: `complain-${once}`, type: 'createComplaint' as const, source: 'qr' as const, summary: text, ...(ticketId ? { about: { ticketId } } : {}) };
    const { answer } = await commits.submit(command, { role: 'admin', terminal: 'qr-page' }, ':qr');
    if (!answer.ok) return page(res, statusOf(answer.code), lang, tx('complainTitle'), `<h1>${hall}</h1><div class="card"><p>${refusalOnPage(answer, lang, tx)}</p></div>`);
    const made = store.eventsSince(answer.seq - 1, 1)[0];
    const c = made?.type === 'complaint.changed' ? made.complaint : undefined;
    return page(
      res,
      200,
      lang,
      tx('complainThanksTitle'),
      `<h1>${hall}</h1><div class="card"><h2>${tx('complainThanksTitle')}</h2><div class="big" style="font-size:30px;word-break:break-all">${escape(c?.id ?? '')}</div><p>${tx('complainThanks', { ...where, id: escape(c?.id ?? ''), due: c?.due ?? '' })}</p></div>`,
    );
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    // Chinese first; English for a phone that asks for it.
    const lang = language(req);
    const tx = (key: PageKey, vars?: Record<string, string | number>) => pageText(lang, key, vars);
    const notice = (status: number, title: PageKey, text: PageKey) => page(res, status, lang, tx(title), `<h1>${tx(title)}</h1><p>${tx(text)}</p>`);
    if (perAddress.take(addressNetwork(clientAddress(req, trustProxy)), clock()) > 0) {
      res.setHeader('retry-after', '10');
      return notice(429, 'busyTitle', 'busy');
    }
    if (url.pathname === '/complain') return complaintPage(req, res, url, lang, tx);
    const m = /^\/(q|rate)\/([^/]+)$/.exec(url.pathname);
    if (!m) return notice(404, 'notFoundTitle', 'notFound');
    const kind = m[1] as 'q' | 'rate';
    const methods = kind === 'q' ? ['GET', 'HEAD'] : ['GET', 'HEAD', 'POST'];
    if (!methods.includes(req.method ?? '')) {
      res.setHeader('allow', methods.join(', '));
      return notice(405, 'methodTitle', 'method');
    }
    let ticketId: string;
    try {
      ticketId = decodeURIComponent(m[2]!);
    } catch {
      return notice(400, 'badLinkTitle', 'badLink');
    }
    const link = store.links.check(kind, ticketId, url.searchParams.get('e'), url.searchParams.get('s'), clock());
    if (!link.ok) return link.why === 'expired' ? notice(410, 'expiredTitle', 'expired') : notice(403, 'badLinkTitle', 'unknownLink');
    const t = store.view.tickets.get(ticketId);
    const hall = hallNameIn(store, lang);
    if (kind === 'q') {
      if (!t) return page(res, 404, lang, tx('progressTitle'), `<h1>${hall}</h1><div class="card"><p>${tx('notToday')}</p></div>`);
      const item = findItem(store.view.catalogue, t.serviceCode);
      const wait = t.state === 'issued' ? store.waits().of(t) : undefined;
      const itemName = (lang === 'en' ? item?.nameEn : undefined) ?? item?.name ?? t.serviceCode;
      const here = t.window && (t.state === 'called' || t.state === 'serving') ? tx('atWindow', { window: t.window }) : '';
      return page(
        res,
        200,
        lang,
        tx('progressTitle'),
        `<h1>${hall}</h1><div class="card"><div class="big">${escape(t.number)}</div><p>${escape(tx('item', { item: itemName }))}</p>
<p>${tx('state', { state: TICKET_STATE_TEXT[lang][t.state] })}${here}</p>
${wait ? `<p>${waitLine(wait, tx)}</p>` : ''}</div>
<p><a href="${store.links.livePath(t.id)}">${tx('live')}</a></p>${complaintLink(store, t, tx)}<p class="note">${tx('noPersonalData')}</p>`,
      );
    }
    // A rating link outlives the ticket's day (opened the next morning, say): its number from the hall's records, not only today's.
    const rated = t ?? store.ticketRecord(ticketId);
    const number = rated?.number;
    /** The rating's form; sent again with what was wrong said above the levels and the citizen's words kept. */
    const ratingForm = (problem = '', text = '') =>
      page(
        res,
        problem ? 400 : 200,
        lang,
        tx('rateTitle'),
        `<h1>${tx('rateHeading', { hall })}</h1><div class="card"><p>${number ? tx('ratePrompt', { number: escape(number) }) : tx('ratePromptNoNumber')}</p>${problem ? `<p role="alert"><strong>${problem}</strong></p>` : ''}
<form method="post">${RATING_LEVELS.map((l, i) => `<button class="${i < 2 ? 'good' : i > 2 ? 'bad' : ''}" name="level" value="${l}">${RATING_LEVEL_NAMES[l][lang]}</button>`).join('')}
<p>${tx('rateText')}</p><textarea name="text" maxlength="500">${escape(text)}</textarea></form></div>
${complaintLink(store, rated, tx)}<p class="note">${tx('anonymous')}</p>`,
      );
    // A rating link serves one rating: a used one says so, and a second press of the same form is answered as the first.
    if (req.method === 'POST') {
      let form: URLSearchParams;
      try {
        form = await readForm(req);
      } catch (error) {
        if (!(error instanceof FormTooLarge)) throw error;
        res.setHeader('connection', 'close');
        return notice(413, 'tooLargeTitle', 'tooLarge');
      }
      const id = `link-${link.signature}`;
      if (store.linkUsed(link.signature) && !store.answerOf(':qr', id)) return notice(409, 'usedTitle', 'used');
      const level = RatingLevelSchema.safeParse(form.get('level'));
      const text = cut((form.get('text') ?? '').trim(), 500);
      // Sent with no level or one this hub does not know (a page saved from an older version, a form sent by hand): the form again, the words written kept.
      if (!level.success) return ratingForm(tx('chooseLevel'), text);
      const command = { id, type: 'rate' as const, ticketId, level: level.data, aspects: {}, reasons: [], text: text || undefined, channel: 'qr' as const };
      // With the terminals' and the API's commands of this turn: one disk flush (group commit).
      const { answer } = await commits.submit(command, { role: 'admin', terminal: 'qr-page' }, ':qr');
      if (answer.ok) {
        store.useLink(link.signature, ticketId, link.expiresAt);
        // After a 差评 the citizen is shown the way to complain too (H-15), about this very service.
        const complain = isBadRating(level.data) ? complaintLink(store, rated, tx) : '';
        return page(res, 200, lang, tx('thanksTitle'), `<h1>${hall}</h1><div class="card"><p>${tx('thanks')}</p></div>${complain}`);
      }
      if (answer.code === 'id-reused') return notice(409, 'usedTitle', 'used');
      // Said as the rating page's own where the general sentence (refresh and try again) would send the citizen round in a circle.
      const said = refusalOnPage(answer, lang, tx, { conflict: 'rateClosed', 'not-found': 'rateNothing' }, { phone: escape(store.view.catalogue.hall.complaintPhone) });
      return page(res, statusOf(answer.code), lang, tx('rateTitle'), `<h1>${hall}</h1><div class="card"><p>${said}</p></div>${complaintLink(store, rated, tx)}`);
    }
    if (store.linkUsed(link.signature)) return notice(200, 'usedTitle', 'used');
    return ratingForm();
  };
}

/** The wait as the progress page says it: the people ahead, then about N minutes, a range, or that no window is open (H-09). */
function waitLine(wait: QueueWait, tx: (key: PageKey, vars?: Record<string, string | number>) => string): string {
  const phrase = waitPhrase(wait);
  const when =
    phrase.kind === 'next'
      ? tx('waitNext')
      : phrase.kind === 'about'
        ? tx('waitAbout', { minutes: phrase.minutes })
        : phrase.kind === 'between'
          ? tx('waitBetween', { low: phrase.low, high: phrase.high })
          : tx('waitNoWindow');
  return phrase.kind === 'next' ? when : tx('waitJoin', { ahead: tx('ahead', { ahead: wait.ahead }), when });
}

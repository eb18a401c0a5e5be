import { findItem, RATING_LEVEL_NAMES, RATING_LEVELS, RatingLevelSchema, refusalText, ticketWait, waitPhrase, type Language, type QueueWait } from '@servicehall/core';
import { pageText, TICKET_STATE_TEXT, type PageKey } from './page-strings';
import { linkKey, linkSignature } from '@servicehall/protocol/node';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GroupCommit } from './commit';
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

function signed(key: string, ticketId: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(linkSignature(key, ticketId));
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      if (text.length > 8192) req.destroy();
    });
    req.on('end', () => resolve(new URLSearchParams(text)));
    req.on('error', reject);
  });
}

export function publicPages(store: HallStore, commits: GroupCommit, token: string) {
  const key = linkKey(token);
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const m = /^\/(q|rate)\/([^/]+)$/.exec(url.pathname);
    if (!m) return false;
    // Chinese first; English for a phone that asks for it.
    const lang: Language = /^\s*en\b/i.test(req.headers['accept-language'] ?? '') ? 'en' : 'zh-CN';
    const tx = (key: PageKey, vars?: Record<string, string | number>) => pageText(lang, key, vars);
    let ticketId: string;
    try {
      ticketId = decodeURIComponent(m[2]!);
    } catch {
      page(res, 400, lang, tx('badLinkTitle'), `<h1>${tx('badLinkTitle')}</h1><p>${tx('badLink')}</p>`);
      return true;
    }
    if (!signed(key, ticketId, url.searchParams.get('s'))) {
      page(res, 403, lang, tx('badLinkTitle'), `<h1>${tx('badLinkTitle')}</h1><p>${tx('unknownLink')}</p>`);
      return true;
    }
    const t = store.view.tickets.get(ticketId);
    const hall = escape(store.view.catalogue.hall.name);
    if (m[1] === 'q') {
      if (!t) {
        page(res, 404, lang, tx('progressTitle'), `<h1>${hall}</h1><div class="card"><p>${tx('notToday')}</p></div>`);
        return true;
      }
      const item = findItem(store.view.catalogue, t.serviceCode);
      const wait = t.state === 'issued' ? ticketWait(store.view, t, store.now()) : undefined;
      const itemName = (lang === 'en' ? item?.nameEn : undefined) ?? item?.name ?? t.serviceCode;
      const here = t.window && (t.state === 'called' || t.state === 'serving') ? tx('atWindow', { window: t.window }) : '';
      page(
        res,
        200,
        lang,
        tx('progressTitle'),
        `<h1>${hall}</h1><div class="card"><div class="big">${escape(t.number)}</div><p>${escape(tx('item', { item: itemName }))}</p>
<p>${tx('state', { state: TICKET_STATE_TEXT[lang][t.state] })}${here}</p>
${wait ? `<p>${waitLine(wait, tx)}</p>` : ''}</div><p class="note">${tx('noPersonalData')}</p>`,
      );
      return true;
    }
    if (req.method === 'POST') {
      const form = await readForm(req);
      const level = RatingLevelSchema.safeParse(form.get('level'));
      if (!level.success) {
        page(res, 400, lang, tx('rateTitle'), `<h1>${tx('chooseLevel')}</h1>`);
        return true;
      }
      const text = (form.get('text') ?? '').trim().slice(0, 500);
      const commandId = `qr-rate-${ticketId}-${(form.get('nonce') ?? '').slice(0, 40)}`;
      const { answer } = await commits.submit({ id: commandId.slice(0, 80), type: 'rate', ticketId, level: level.data, aspects: {}, reasons: [], text: text || undefined, channel: 'qr' }, { role: 'admin', terminal: 'qr-page' });
      if (answer.ok) page(res, 200, lang, tx('thanksTitle'), `<h1>${hall}</h1><div class="card"><p>${tx('thanks')}</p></div>`);
      else page(res, 409, lang, tx('rateTitle'), `<h1>${hall}</h1><div class="card"><p>${escape(refusalText(answer.code, lang))}</p></div>`);
      return true;
    }
    const nonce = Math.random().toString(36).slice(2, 12);
    page(
      res,
      200,
      lang,
      tx('rateTitle'),
      `<h1>${tx('rateHeading', { hall })}</h1><div class="card"><p>${tx('ratePrompt', { number: t ? escape(t.number) : '' })}</p>
<form method="post">${RATING_LEVELS.map((l, i) => `<button class="${i < 2 ? 'good' : i > 2 ? 'bad' : ''}" name="level" value="${l}">${RATING_LEVEL_NAMES[l][lang]}</button>`).join('')}
<p>${tx('rateText')}</p><textarea name="text" maxlength="500"></textarea><input type="hidden" name="nonce" value="${nonce}"></form></div>
<p class="note">${tx('anonymous')}</p>`,
    );
    return true;
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

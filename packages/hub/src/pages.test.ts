import { inBothLanguages, REFUSAL_TEXT, type RefusalCode } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GroupCommit } from './commit';
import { DEFAULT_LIMITS } from './limits';
import { PAGE_TEXT } from './page-strings';
import { housekeep } from './housekeeping';
import { publicPages } from './pages';
import { startHub, type RunningHub } from './server';

// What a citizen reads on the QR complaint and rating pages when what they sent is refused: the hall's
// sentence, in Chinese (English for a phone that asks for it), saying what went wrong and what to do.

const TOKEN = 'hall-token-for-page-tests';
const MON = Date.parse('2026-11-30T09:00:00+08:00');
let now = MON;
const closing: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  while (closing.length > 0) await closing.pop()!();
  now = MON;
});

async function hall(options: { secondRatingDays?: number; complaints?: { perMinute: number; burst: number }; noEnglishName?: boolean } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-pages-'));
  const seed = demoCatalogue({ allDay: true });
  if (options.secondRatingDays !== undefined) seed.rating.secondRatingDays = options.secondRatingDays;
  if (options.noEnglishName) delete seed.hall.nameEn;
  const hub = await startHub({ dataDir: dir, token: TOKEN, clock: () => now, seed, ...(options.complaints ? { limits: { complaints: options.complaints } } : {}) });
  closing.push(async () => {
    await hub.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const api = async <T = any>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(hub.url + route, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return { hub, api };
}

/** A service at window 7 finished, waiting for its rating: its ticket and its rating link. */
async function served({ hub, api }: Awaited<ReturnType<typeof hall>>) {
  expect((await api('POST', '/api/windows/7/open', { clerk: '1011' })).status).toBe(200);
  const t = await api<{ ticket: { id: string; number: string } }>('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
  for (const step of ['call-next', 'start', 'finish']) expect((await api('POST', `/api/windows/7/${step}`)).status).toBe(200);
  const link = hub.store.ratingLinkFor({ role: 'admin', terminal: 'test' }, t.body.ticket.id);
  if (!link.ok) throw new Error(link.message);
  return { ticket: t.body.ticket, link: link.link };
}

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
const english = { 'accept-language': 'en-GB,en;q=0.9' };
const onlyText = (html: string) => html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, ' ');

describe("the QR rating page's refusals", () => {
  it('says the time for a second rating has passed (not "refresh and try again"), in Chinese and in English, with the way to complain', async () => {
    // A hall that takes no second rating: rated at the counter, the phone's rating comes too late.
    const h = await hall({ secondRatingDays: 0 });
    const { ticket, link } = await served(h);
    expect((await h.api('POST', '/api/ratings', { ticketId: ticket.id, level: 'satisfied', aspects: {} })).status).toBe(201);
    now += 1000;
    const zh = await fetch(h.hub.url + link, form({ level: 'very-satisfied' }));
    expect(zh.status).toBe(409);
    const page = await zh.text();
    expect(page).toContain('本次服务已经评价过，再次评价的期限已过');
    expect(page).toContain('12345');
    expect(page).toContain(`href="/complain?ticket=${ticket.number}"`);
    expect(page).not.toContain(REFUSAL_TEXT['zh-CN'].conflict);
    const en = await (await fetch(h.hub.url + link, { ...form({ level: 'very-satisfied' }), headers: { ...form({}).headers, ...english } })).text();
    expect(en).toContain('the time for rating it again has passed');
    expect(en).toContain('<html lang="en">');
    expect(h.hub.store.view.ratings.get(ticket.id)).toHaveLength(1);
  });
});

describe("the QR complaint page's refusals", () => {
  it('says a ticket number not found today and keeps what was written, registering nothing; a number typed full-width or without its zeros is found', async () => {
    const h = await hall();
    const { ticket } = await served(h);
    const text = '窗口人员态度生硬😠，<b>等了很久</b>';
    const refused = await fetch(`${h.hub.url}/complain`, form({ once: randomUUID(), ticket: 'B999', text }));
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain('未查到今天的号码 B999');
    expect(page).toContain('请核对号票上的号码');
    // What the citizen wrote is still in the box, escaped.
    expect(page).toContain('窗口人员态度生硬😠，&lt;b&gt;等了很久&lt;/b&gt;</textarea>');
    const en = await (await fetch(`${h.hub.url}/complain`, { ...form({ once: randomUUID(), ticket: 'B999', text }), headers: { ...form({}).headers, ...english } })).text();
    expect(en).toContain('There is no ticket B999 today');
    expect(en).toContain('check the number on your paper ticket');
    expect(h.hub.store.casework.complaints(false)).toEqual([]);

    // E001 typed as a phone's full-width keyboard gives it, without its zeros.
    const typed = `${String.fromCharCode(ticket.number.charCodeAt(0) + 0xfee0 + 0x20)}－１`;
    const sent = await fetch(`${h.hub.url}/complain`, form({ once: randomUUID(), ticket: typed, text }));
    expect(sent.status).toBe(200);
    expect(h.hub.store.casework.complaints(false)).toEqual([expect.objectContaining({ summary: text, about: { ticketId: ticket.id } })]);
  });

  it('takes a complaint as long as its box allows: 1,000 characters of Chinese', async () => {
    const h = await hall();
    const text = '叫号屏'.repeat(333) + '慢';
    expect(text).toHaveLength(1000);
    const sent = await fetch(`${h.hub.url}/complain`, form({ once: randomUUID(), ticket: '', text }));
    expect(sent.status).toBe(200);
    expect(h.hub.store.casework.complaints(false)).toEqual([expect.objectContaining({ summary: text })]);
  });

  it('says in how many minutes the next complaint is taken, as the limit has it', async () => {
    const h = await hall({ complaints: { perMinute: 0.2, burst: 1 } });
    const send = (headers: Record<string, string> = {}) => fetch(`${h.hub.url}/complain`, { ...form({ once: randomUUID(), text: '等候时间太长' }), headers: { ...form({}).headers, ...headers } });
    expect((await send()).status).toBe(200);
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('300');
    expect(await refused.text()).toContain('请 5 分钟后再提交');
    now += 60_000;
    expect(await (await send(english)).text()).toContain('Please send yours in 4 min');
  });
});

describe('what a citizen wrote, cut to the length its box allows', () => {
  it('keeps a complaint to 1,000 characters without splitting an emoji at the cut (a form sent by hand)', async () => {
    const h = await hall();
    const text = '等'.repeat(999) + '😠';
    expect(text).toHaveLength(1001);
    expect((await fetch(`${h.hub.url}/complain`, form({ once: randomUUID(), ticket: '', text }))).status).toBe(200);
    expect(h.hub.store.casework.complaints(false)).toEqual([expect.objectContaining({ summary: '等'.repeat(999) })]);
  });

  it('keeps a rating\'s words to 500 characters without splitting an emoji, one of several joined ones included', async () => {
    const h = await hall();
    const { ticket, link } = await served(h);
    // 497 characters and a family (👨‍👩‍👧, 8 UTF-16 units): past 500, so the family goes whole, not a man and a joiner.
    const text = '好'.repeat(497) + '👨‍👩‍👧';
    expect(text).toHaveLength(505);
    expect((await fetch(h.hub.url + link, form({ level: 'very-satisfied', text }))).status).toBe(200);
    expect(h.hub.store.view.ratings.get(ticket.id)).toEqual([expect.objectContaining({ text: '好'.repeat(497) })]);
  });
});

describe('the thanks of a QR rating', () => {
  it('shows the way to complain about the service after a 差评, and not after a good rating', async () => {
    const h = await hall();
    const bad = await served(h);
    const thanks = await (await fetch(h.hub.url + bad.link, form({ level: 'dissatisfied' }))).text();
    expect(onlyText(thanks)).toContain('感谢您的评价');
    expect(/<a href="(\/complain[^"]*)"[^>]*>([^<]*)</.exec(thanks)?.slice(1)).toEqual([`/complain?ticket=${bad.ticket.number}`, '对服务不满意？在线投诉']);
    const good = await served(h);
    const glad = await (await fetch(h.hub.url + good.link, form({ level: 'satisfied' }))).text();
    expect(onlyText(glad)).toContain('感谢您的评价');
    expect(glad).not.toContain('/complain');
  });
});

/** The complaint links of a page: each one's address (as the phone follows it) and its words. */
const complaintLinksOf = (html: string) => [...html.matchAll(/<a href="(\/complain[^"]*)"[^>]*>([^<]*)</g)].map((m) => [m[1]!.replace(/&amp;/g, '&'), m[2]!]);

describe('the QR rating form', () => {
  it('shows the way to complain about the service beside the levels, pre-filled with the number, in Chinese and in English', async () => {
    const h = await hall();
    const { ticket, link } = await served(h);
    expect(complaintLinksOf(await (await fetch(h.hub.url + link)).text())).toEqual([[`/complain?ticket=${ticket.number}`, '对服务不满意？在线投诉']]);
    expect(complaintLinksOf(await (await fetch(h.hub.url + link, { headers: english })).text())).toEqual([[`/complain?ticket=${ticket.number}`, 'Not satisfied? Make a complaint online']]);
    // Sent without a level, the form again: the link still there.
    expect(complaintLinksOf(await (await fetch(h.hub.url + link, form({ text: '很好' }))).text())).toEqual([[`/complain?ticket=${ticket.number}`, '对服务不满意？在线投诉']]);
  });
});

describe('the QR rating form opened on a later day', () => {
  it('names the number served, from the hall\'s records, when the ticket is no longer today\'s', async () => {
    const h = await hall();
    const { ticket, link } = await served(h);
    // The next morning: the hall's day turns, yesterday's tickets leave the live view.
    now = Date.parse('2026-12-01T08:30:00+08:00');
    housekeep(h.hub.store, now);
    expect(h.hub.store.view.tickets.has(ticket.id)).toBe(false);
    const res = await fetch(h.hub.url + link);
    expect(res.status).toBe(200);
    const zh = onlyText(await res.text());
    expect(zh).toContain(`号码 ${ticket.number}，请对本次服务作出评价`);
    expect(zh).not.toContain('号码 ，');
    // Its way to complain names that day's number: the complaint form says which day's.
    expect(complaintLinksOf(await (await fetch(h.hub.url + link)).text())).toEqual([[`/complain?ticket=${ticket.number}&day=2026-11-30`, '对服务不满意？在线投诉']]);
    expect(onlyText(await (await fetch(h.hub.url + link, { headers: english })).text())).toContain(`Number ${ticket.number}: how was our service?`);
  });
});

describe("the complaint link of a QR rating opened on a later day", () => {
  /** The form's fields as the page gives them (its one-time id, the number, the day), to send back as a phone would. */
  const fieldsOf = (html: string) => Object.fromEntries([...html.matchAll(/<input[^>]*name="(\w+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));

  it("pre-fills the complaint form with the rated ticket's day and number, and the complaint is about that ticket", async () => {
    // Rated at the counter, in a hall that takes no second rating: the QR rating opened the next morning is refused, with the way to complain.
    const h = await hall({ secondRatingDays: 0 });
    const { ticket, link } = await served(h);
    expect((await h.api('POST', '/api/ratings', { ticketId: ticket.id, level: 'satisfied', aspects: {} })).status).toBe(201);
    now = Date.parse('2026-12-01T08:30:00+08:00');
    housekeep(h.hub.store, now);
    const refused = await fetch(h.hub.url + link, form({ level: 'very-dissatisfied' }));
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const href = /<a href="(\/complain[^"]*)"/.exec(await refused.text())?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBe(`/complain?ticket=${ticket.number}&day=2026-11-30`);

    const page = await (await fetch(h.hub.url + href)).text();
    expect(onlyText(page)).toContain('11月30日的号票号码（可选）');
    expect(fieldsOf(page)).toMatchObject({ ticket: ticket.number, day: '2026-11-30' });
    expect(onlyText(await (await fetch(h.hub.url + href, { headers: english })).text())).toContain('Ticket number of 30 Nov (optional)');
    const sent = await fetch(`${h.hub.url}/complain`, form({ ...fieldsOf(page), text: '昨天等了很久才办完' }));
    expect(sent.status).toBe(200);
    // Its department from that day's ticket (window 7's), as a complaint about today's ticket has it.
    const { catalogue } = h.hub.store.view;
    const department = catalogue.windows.find((w) => w.number === 7)?.department ?? catalogue.items.find((i) => i.code === 'SJ-QY-SL')?.department;
    expect(department).toBeTruthy();
    expect(h.hub.store.casework.complaints(false)).toEqual([expect.objectContaining({ summary: '昨天等了很久才办完', about: { ticketId: ticket.id }, department })]);

    // A number that day did not give: said with the day, the words kept, nothing registered.
    const wrong = await fetch(`${h.hub.url}/complain`, form({ ...fieldsOf(page), once: randomUUID(), ticket: 'B999', text: '态度不好' }));
    expect(wrong.status).toBe(400);
    const said = await wrong.text();
    expect(onlyText(said)).toContain('未查到11月30日的号码 B999，投诉尚未提交');
    expect(fieldsOf(said)).toMatchObject({ day: '2026-11-30' });
    expect(h.hub.store.casework.complaints(false)).toHaveLength(1);
    // A day not before today (a form made by hand) is not believed: today's numbers, as the plain form has it.
    expect(fieldsOf(await (await fetch(`${h.hub.url}/complain?ticket=${ticket.number}&day=2026-12-09`)).text())).not.toHaveProperty('day');
  });
});

describe('a refusal from the hub itself, on either page', () => {
  /** The pages over the hall's store, their commands answered with `refusal`: what the hub may say when it is not the one in charge, full, or stopping. */
  async function refusing(h: Awaited<ReturnType<typeof hall>>, refusal: { code: RefusalCode; message: string }) {
    const commits = { submit: async () => ({ answer: { ok: false, ...refusal }, events: [], repeated: false }) } as unknown as GroupCommit;
    const pages = publicPages(h.hub.store, commits, DEFAULT_LIMITS, () => now);
    const server = http.createServer((req, res) => void pages(req, res, new URL(req.url!, 'http://hall')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closing.push(() => new Promise((resolve) => server.close(resolve)));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const cases: [RefusalCode, string, string][] = [
    ['not-in-charge', PAGE_TEXT['zh-CN'].sendAgain, PAGE_TEXT.en.sendAgain],
    ['too-many-connections', PAGE_TEXT['zh-CN'].sendAgain, PAGE_TEXT.en.sendAgain],
    ['disk-full', REFUSAL_TEXT['zh-CN']['disk-full'], REFUSAL_TEXT.en['disk-full']],
    ['cancelled', REFUSAL_TEXT['zh-CN'].cancelled, REFUSAL_TEXT.en.cancelled],
    ['already-rated', REFUSAL_TEXT['zh-CN']['already-rated'], REFUSAL_TEXT.en['already-rated']],
  ];
  it.each(cases)('%s: says what to do, in Chinese and in English', async (code, zh, en) => {
    const h = await hall();
    const { link } = await served(h);
    const base = await refusing(h, { code, message: 'said for the log only' });
    for (const [headers, sentence, other] of [
      [{}, zh, en],
      [english, en, zh],
    ] as const) {
      for (const url of [base + link, `${base}/complain`]) {
        const res = await fetch(url, { ...form({ level: 'satisfied', once: randomUUID(), text: '等候时间太长' }), headers: { ...form({}).headers, ...headers } });
        expect(res.status).toBeGreaterThanOrEqual(400);
        const text = onlyText(await res.text());
        expect(text).toContain(sentence);
        expect(text).not.toContain(other);
        expect(text).not.toContain('said for the log only');
        if (headers !== english) expect(text).not.toContain(code);
      }
    }
  });

  it('says on the rating page that no service waits for a rating (not "check and try again"), with the way to complain', async () => {
    const h = await hall();
    const { link } = await served(h);
    const base = await refusing(h, { code: 'not-found', message: 'there is no finished service waiting for a rating here' });
    const zh = onlyText(await (await fetch(base + link, form({ level: 'satisfied' }))).text());
    expect(zh).toContain(PAGE_TEXT['zh-CN'].rateNothing);
    expect(zh).toContain(PAGE_TEXT['zh-CN'].complainLink);
    const en = onlyText(await (await fetch(base + link, { ...form({ level: 'satisfied' }), headers: { ...form({}).headers, ...english } })).text());
    expect(en).toContain(PAGE_TEXT.en.rateNothing);
  });

  it("says the hall's own words where the refusal carries them, in the page's language", async () => {
    const h = await hall();
    const { link } = await served(h);
    const base = await refusing(h, { code: 'bad-request', message: inBothLanguages('这项事项今天暂停受理。', 'This service is paused today.') });
    const zh = onlyText(await (await fetch(base + link, form({ level: 'satisfied' }))).text());
    expect(zh).toContain('这项事项今天暂停受理。');
    expect(zh).not.toContain(REFUSAL_TEXT['zh-CN']['bad-request']);
    const en = onlyText(await (await fetch(`${base}/complain`, { ...form({ once: randomUUID(), text: '太慢' }), headers: { ...form({}).headers, ...english } })).text());
    expect(en).toContain('This service is paused today.');
    expect(en).not.toContain('这项事项');
  });
});

describe("the hall's name and the rating form, as a citizen's phone shows them", () => {
  const ZH = '滨江区政务服务中心';
  const EN = 'Binjiang District Government Service Center';
  const read = async (url: string, init: RequestInit = {}) => onlyText(await (await fetch(url, init)).text());

  it("names the hall in English on the English progress, rating and complaint pages, in Chinese on the Chinese ones", async () => {
    const h = await hall();
    const { ticket, link } = await served(h);
    const progress = h.hub.store.links.path('q', ticket.id, now + 86_400_000);
    for (const path of [progress, link, '/complain']) {
      const en = await read(h.hub.url + path, { headers: english });
      expect(en).toContain(EN);
      expect(en).not.toContain(ZH);
      const zh = await read(h.hub.url + path);
      expect(zh).toContain(ZH);
    }
    // The complaint, sent from the English page: its thanks name the hall in English too.
    const thanks = await read(`${h.hub.url}/complain`, { ...form({ once: randomUUID(), text: 'Waited too long' }), headers: { ...form({}).headers, ...english } });
    expect(thanks).toContain(EN);
    expect(thanks).not.toContain(ZH);
  });

  it('names a hall without an English name by its Chinese one on the English pages', async () => {
    const h = await hall({ noEnglishName: true });
    const en = await read(`${h.hub.url}/complain`, { headers: english });
    expect(en).toContain(ZH);
    expect(en).toContain(PAGE_TEXT.en.complainTitle);
  });

  it('gives the rating form back, with what was written, when it comes without a level; the rating then goes in', async () => {
    const h = await hall();
    const { ticket, link } = await served(h);
    const words = '办得很快👍 <谢谢>';
    for (const fields of [{ text: words }, { level: 'five-stars', text: words }] as Record<string, string>[]) {
      const refused = await fetch(h.hub.url + link, form(fields));
      expect(refused.status).toBe(400);
      const page = await refused.text();
      expect(onlyText(page)).toContain(PAGE_TEXT['zh-CN'].chooseLevel);
      // The levels to choose from, and the words in the box, escaped.
      expect(page).toContain('name="level" value="very-satisfied"');
      expect(page).toContain('办得很快👍 &lt;谢谢&gt;</textarea>');
    }
    expect(h.hub.store.view.ratings.get(ticket.id) ?? []).toHaveLength(0);
    const rated = await fetch(h.hub.url + link, form({ level: 'very-satisfied', text: words }));
    expect(rated.status).toBe(200);
    expect(h.hub.store.view.ratings.get(ticket.id)).toEqual([expect.objectContaining({ level: 'very-satisfied', text: words })]);
  });
});

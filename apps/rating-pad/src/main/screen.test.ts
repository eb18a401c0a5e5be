import { emptyView, TicketSchema, type HallView, type RatingRequest, type TicketState } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { describe, expect, it } from 'vitest';
import { currentLine, STRINGS } from '../shared/strings';
import { amendCommand, clerkCard, currentRequest, padScreen, rateCommand, type PadState } from './screen';

function hall(): HallView {
  const view = emptyView(demoCatalogue({ allDay: true }), '2025-03-03');
  view.windows.set(5, { ...view.windows.get(5)!, open: true, clerk: '1005' });
  return view;
}

const request = (ticketId: string, window: number, finishedAt: number): RatingRequest => ({ ticketId, ticketNumber: ticketId.toUpperCase(), window, clerk: '1005', serviceCode: 'RS-SBK-SL', finishedAt, caseNumbers: [] });
const state = (extra: Partial<PadState> = {}): PadState => ({ window: 5, now: 1000, language: 'zh-CN', handled: new Set(), keypad: 'absent', links: new Map(), ...extra });

describe('the request the pad asks about', () => {
  it("is its own window's latest finished service", () => {
    const view = hall();
    view.ratingRequests.set('c1', request('c1', 5, 100));
    view.ratingRequests.set('c2', request('c2', 5, 300));
    view.ratingRequests.set('a1', request('a1', 4, 900));
    expect(currentRequest(view, 5, 1000)?.ticketId).toBe('c2');
    expect(currentRequest(view, 6, 1000)).toBeUndefined();
  });

  it('asks nothing once the pad has sent a rating for it, never falling back to an older service', () => {
    const view = hall();
    view.ratingRequests.set('c1', request('c1', 5, 100));
    view.ratingRequests.set('c2', request('c2', 5, 300));
    expect(currentRequest(view, 5, 1000, new Set(['c2']))).toBeUndefined();
  });

  it("asks while the hall's time to rate lasts, and nothing once it has passed (the default level's), though the hub has not given it yet", () => {
    const view = hall();
    const limit = view.catalogue.rating.defaultAfterMinutes * 60_000;
    view.ratingRequests.set('c1', request('c1', 5, 100));
    expect(currentRequest(view, 5, 100 + limit - 1)?.ticketId).toBe('c1');
    expect(currentRequest(view, 5, 100 + limit)).toBeUndefined();
    expect(padScreen(view, state({ now: 100 + limit }))).toMatchObject({ phase: 'idle', request: undefined });
  });
});

describe('the pad screen', () => {
  it('is idle with the clerk card when nothing waits for a rating', () => {
    const s = padScreen(hall(), state());
    expect(s).toMatchObject({ phase: 'idle', window: 5, windowStatus: 'open', department: '人力社保', hallName: '滨江区政务服务中心' });
    expect(s.clerk).toMatchObject({ number: '1005', name: '刘子豪', surname: '刘', department: '出入境', departmentEn: 'Exit and Entry Administration' });
  });

  it('says paused while the window is paused, and shows no clerk at a closed window', () => {
    const view = hall();
    view.windows.set(5, { ...view.windows.get(5)!, pausedSince: 1, pauseReason: '会议' });
    expect(padScreen(view, state()).windowStatus).toBe('paused');
    view.windows.set(5, { ...view.windows.get(5)!, open: false, clerk: undefined, pausedSince: undefined });
    expect(padScreen(view, state())).toMatchObject({ windowStatus: 'closed', clerk: undefined });
  });

  it('welcomes the number called before a pause until its citizen is served, as the window’s display keeps the call (暂停服务 read as the number missed)', () => {
    const view = hall();
    view.windows.set(5, { ...view.windows.get(5)!, pausedSince: 1, pauseReason: '取材料' });
    view.tickets.set('j1', TicketSchema.parse({ id: 'j1', number: 'J001', day: '2025-03-03', serviceCode: 'RS-SBK-SL', lane: 'ordinary', state: 'called', issuedAt: 1, place: 1, window: 5 }));
    view.current.set(5, 'j1');
    expect(padScreen(view, state())).toMatchObject({ windowStatus: 'open', current: { number: 'J001', state: 'called' } });
    view.tickets.set('j1', { ...view.tickets.get('j1')!, state: 'serving' });
    expect(padScreen(view, state()).windowStatus).toBe('paused');
  });

  it.each<[TicketState, string, string]>([
    ['called', '正在呼叫 J001 号', 'Calling J001'],
    ['serving', '正在为 J001 号办理', 'Now serving J001'],
  ])('says of a %s number what is true: %s', (ticketState, zh, en) => {
    const view = hall();
    view.tickets.set('j1', TicketSchema.parse({ id: 'j1', number: 'J001', day: '2025-03-03', serviceCode: 'RS-SBK-SL', lane: 'ordinary', state: ticketState, issuedAt: 1, place: 1, window: 5 }));
    view.current.set(5, 'j1');
    const s = padScreen(view, state());
    expect(s.current).toEqual({ number: 'J001', state: ticketState });
    expect(currentLine(STRINGS['zh-CN'], s.current!)).toBe(zh);
    expect(currentLine(STRINGS.en, s.current!)).toBe(en);
  });

  it('asks with the service name and the QR link once made', () => {
    const view = hall();
    view.ratingRequests.set('c1', request('c1', 5, 100));
    const s = padScreen(view, state({ links: new Map([['c1', { link: 'http://hub/rate/c1?s=x', qr: 'data:image/svg+xml;base64,AA' }]]) }));
    expect(s.phase).toBe('asking');
    expect(s.request).toMatchObject({ ticketId: 'c1', ticketNumber: 'C1', serviceName: '社会保障卡申领', link: 'http://hub/rate/c1?s=x' });
  });

  it('thanks before anything else, and shows each notice only on the screen it answers', () => {
    const view = hall();
    view.ratingRequests.set('c1', request('c1', 5, 100));
    const thanks = { ticketId: 'c0', ticketNumber: 'C0', level: 'satisfied', status: 'recorded' } as const;
    expect(padScreen(view, state({ thanks })).phase).toBe('thanks');
    expect(padScreen(view, state({ notice: 'nothing-to-rate' })).notice).toBeUndefined();
    expect(padScreen(hall(), state({ notice: 'nothing-to-rate' })).notice).toBe('nothing-to-rate');
    expect(padScreen(hall(), state({ thanks, notice: 'already-rated' })).notice).toBe('already-rated');
    expect(padScreen(hall(), state({ notice: 'already-rated' })).notice).toBeUndefined();
  });

  it('offers the reasons of a bad rating recorded at the press, before the thanks', () => {
    const details = { ticketId: 'c1', ticketNumber: 'C1', level: 'dissatisfied', status: 'recorded' } as const;
    expect(padScreen(hall(), state({ details, notice: 'already-rated' }))).toMatchObject({ phase: 'details', details, notice: 'already-rated' });
  });

  it('uses the photo the agent made, or none for the placeholder', () => {
    const catalogue = demoCatalogue();
    catalogue.clerks[4] = { ...catalogue.clerks[4]!, photo: 'liu.png' };
    expect(clerkCard(catalogue, '1005', (p) => `data:image/png;base64,${p}`)?.photo).toBe('data:image/png;base64,liu.png');
    expect(clerkCard(catalogue, '1005')?.photo).toBeUndefined();
    expect(clerkCard(catalogue, '9999')).toBeUndefined();
  });
});

describe('the rate command', () => {
  it('carries the level pressed, the aspects chosen before it and the channel', () => {
    expect(rateCommand({ ticketId: 't1', level: 'dissatisfied', aspects: { attitude: 'very-dissatisfied' } }, 'window-pad')).toEqual({
      type: 'rate',
      ticketId: 't1',
      level: 'dissatisfied',
      aspects: { attitude: 'very-dissatisfied' },
      reasons: [],
      channel: 'window-pad',
    });
  });

  it('adds reasons in Chinese and the text as an amendment, and nothing when nothing is added', () => {
    expect(amendCommand({ ticketId: 't1', reasons: ['attitude', 'wait'], text: '  态度冷淡  ' })).toEqual({ type: 'amendRating', ticketId: 't1', aspects: {}, reasons: ['等候时间长', '服务态度差'], text: '态度冷淡' });
    expect(amendCommand({ ticketId: 't1', reasons: [42, 'nope'] as never, text: '  ' })).toBeUndefined();
    expect(amendCommand({ ticketId: '', reasons: ['wait'] })).toBeUndefined();
  });

  it('drops unknown aspects, and refuses what has no ticket or level', () => {
    const bogus = { ticketId: 't1', level: 'satisfied', aspects: { efficiency: 'great', speed: 'satisfied' }, reasons: [42, 'nope'] } as never;
    expect(rateCommand(bogus, 'key-pad')).toEqual({ type: 'rate', ticketId: 't1', level: 'satisfied', aspects: {}, reasons: [], channel: 'key-pad' });
    expect(rateCommand({ ticketId: '', level: 'satisfied' }, 'window-pad')).toBeUndefined();
    expect(rateCommand({ ticketId: 't1', level: 'fine' } as never, 'window-pad')).toBeUndefined();
    expect(rateCommand(null as never, 'window-pad')).toBeUndefined();
  });
});

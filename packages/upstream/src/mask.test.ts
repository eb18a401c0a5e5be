import { describe, expect, it } from 'vitest';
import { cityBodyText, cityEvent, scrubText } from './mask';

const row = (type: string, body: object, seq = 7) => ({ seq, at: 1_764_000_000_000, type, command_id: 'kiosk-1|abc', body: JSON.stringify(body) });

describe('what the city receives of a hall event', () => {
  it('leaves the applicant of a case in the hall: the case number is the reference', () => {
    const e = cityEvent(
      row('case.recorded', {
        outcome: 'accepted',
        case: { number: 'SL202611270001', serviceCode: 'SJ-QY-SL', state: 'accepted', window: 3, openedAt: 1, applicant: { name: '王小明', idNumber: '330106198801011234' } },
        staff: { id: 'zhang', name: '张主任', role: 'administrator' },
      }),
    );
    const text = JSON.stringify(e);
    expect(text).not.toContain('王小明');
    expect(text).not.toContain('330106198801011234');
    expect(text).not.toContain('张主任');
    expect(text).not.toContain('kiosk-1|abc');
    expect(e.body.case).toMatchObject({ number: 'SL202611270001', applicantHeld: true });
    expect(e.body.staff).toEqual({ id: 'zhang', role: 'administrator' });
    expect(e).toMatchObject({ seq: 7, type: 'case.recorded', at: 1_764_000_000_000 });
  });

  it("writes half of a surrogate pair as U+FFFD, and keeps a whole emoji as it is, so that PostgreSQL's jsonb takes the body", () => {
    const text = cityBodyText(row('rating.amended', { ratingId: 'R1', text: '很好😀，就是慢\ud83d' }));
    // JSON.stringify writes the lone half as the escape \ud83d, which jsonb refuses.
    expect(JSON.stringify({ t: '\ud83d' })).toMatch(/\\ud83d/);
    expect(text).not.toMatch(/\\ud[89a-f]/i);
    expect(JSON.parse(text)).toMatchObject({ text: '很好😀，就是慢\uFFFD' });
    expect(scrubText('\udc00A012')).toBe('\uFFFDA012');
  });

  it('masks ID and mobile numbers typed into free text, and keeps the rest of the words', () => {
    expect(scrubText('请联系 13812345678 或 +86 138-1234-5678，身份证 33010619880101123X')).toBe('请联系 138****5678 或 138****5678，身份证 3301**********123X');
    // Ticket numbers, case numbers and times are not personal data.
    expect(scrubText('A012 SL202611270001 09:30 2026-11-27')).toBe('A012 SL202611270001 09:30 2026-11-27');
    const e = cityEvent(row('followUp.advanced', { id: 'FU-1', step: 'reply', note: '已电话回复 13912345678', by: 'li' }));
    expect(e.body.note).toBe('已电话回复 139****5678');
  });

  it('gives a slim ticket its id and day, and a slim rating its record, from the hall', () => {
    const t = cityEvent(row('ticket.issued', { ticket: { number: 'A012', serviceCode: 'X', place: 12 } }), { ticket: { id: '2026-11-27-A012', day: '2026-11-27' } });
    expect(t.body.ticket).toEqual({ id: '2026-11-27-A012', day: '2026-11-27', number: 'A012', serviceCode: 'X', place: 12 });
    const r = cityEvent(row('rating.recorded', { rating: { ticketId: 'T1', level: 'satisfied', text: '打 13812345678' } }), {
      rating: { id: 'T1#1', ticketId: 'T1', ticketNumber: 'A012', serviceCode: 'X', window: 3, channel: 'window-pad', raterType: 'citizen', anonymous: true, level: 'very-satisfied', at: 5, count: 1, isDefault: false },
    });
    // What the citizen gave comes from the event, the rest from the hall's record.
    expect(r.body.rating).toMatchObject({ id: 'T1#1', level: 'satisfied', window: 3, count: 1, text: '打 138****5678' });
  });

  it('gives a NUL character typed anywhere (which PostgreSQL refuses) as U+FFFD, keys too', () => {
    const text = cityBodyText(row('followUp.advanced', { id: 'FU-1', step: 'reply', note: '已回复\u0000', by: 'li', extra: { 'k\u0000': 1 } }));
    expect(text).not.toContain('\\u0000');
    expect(JSON.parse(text)).toMatchObject({ note: '已回复\uFFFD', extra: { 'k\uFFFD': 1 } });
  });
});

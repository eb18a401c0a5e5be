import { CatalogueSchema, unconfiguredCatalogue, type Catalogue } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { describe, expect, it } from 'vitest';
import { fromDraft, toDraft } from './setup-form';

/** A hall set up over months: holidays in its calendar, its own phone, appointment and case policies, a window opened for today. */
function settledHall(): Catalogue {
  const c = demoCatalogue();
  return CatalogueSchema.parse({
    ...c,
    calendar: { holidays: { '2027-02-08': '春节' }, workdays: { '2027-02-20': '春节调休' } },
    phone: { ...c.phone, remoteTickets: false, ticketsPerPersonPerDay: 1, nearAhead: 5 },
    appointments: { ...c.appointments, daysAhead: 14, slotMinutes: 20 },
    cases: { ...c.cases, correctionDays: 30 },
    numbering: { digits: 4, first: 1, last: 9999 },
    supervision: { waitMinutes: 25, waitingCount: 40, pauseMinutes: 10, offlineMinutes: 3, checkBeforeOpeningMinutes: 20 },
    windows: [...c.windows, { number: 40, name: '40号窗口（临时）', serves: [c.items[0]!.code], temporary: '2026-12-01' }],
  });
}

describe("the setup wizard's form", () => {
  it('keeps, when saved unchanged, everything of the hall it does not show: calendar, policies, a window of today', () => {
    const before = settledHall();
    const saved = CatalogueSchema.parse(fromDraft(toDraft(before)));
    expect(saved).toEqual(before);
  });

  it('changes what was typed, and only that', () => {
    const before = settledHall();
    const draft = toDraft(before);
    draft.items[0]!.name = '居民身份证换领（新）';
    draft.supervision.waitMinutes = '45';
    const saved = CatalogueSchema.parse(fromDraft(draft));
    expect(saved.items[0]!.name).toBe('居民身份证换领（新）');
    expect(saved.supervision?.waitMinutes).toBe(45);
    expect({ ...saved, items: before.items, supervision: before.supervision }).toEqual(before);
  });

  it('keeps the settings of a hall not yet set up (its calendar typed first), and fills in the rest', () => {
    const empty = { ...unconfiguredCatalogue(), calendar: settledHall().calendar, numbering: { digits: 4, first: 1, last: 9999 } };
    const draft = toDraft(empty);
    draft.hall.name = '示范区政务服务中心';
    draft.departments[0]!.name = '公安户籍';
    Object.assign(draft.items[0]!, { code: 'GA-SFZ-HL', name: '居民身份证换领', department: '公安户籍', prefix: 'A' });
    draft.windows[0]!.serves = ['GA-SFZ-HL'];
    const saved = CatalogueSchema.parse(fromDraft(draft));
    expect(saved.calendar).toEqual(empty.calendar);
    expect(saved.numbering).toEqual(empty.numbering);
    expect(saved.items.map((i) => i.code)).toEqual(['GA-SFZ-HL']);
  });
});

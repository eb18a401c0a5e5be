import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from './server';
import { firstAdmin, openWizard as openWizardOf, staffMember as staffMemberOf, TestConsole } from './testing/console';

const TOKEN = 'hall-token-for-day-end-tests';
let hubs: RunningHub[] = [];
let dirs: string[] = [];
let now = Date.parse('2026-11-27T09:00:00+08:00');
const at = (hhmm: string, day = '2026-11-27') => void (now = Date.parse(`${day}T${hhmm}:00+08:00`));

async function hall(): Promise<{ hub: RunningHub; a: TestConsole }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-day-end-'));
  dirs.push(dir);
  const hub = await startHub({ dataDir: dir, token: TOKEN, clock: () => now });
  hubs.push(hub);
  return { hub, a: await firstAdmin(hub, demoCatalogue({ allDay: true })) };
}

const staffMember = (hub: RunningHub, by: TestConsole, id: string, name: string, role: string) => staffMemberOf(hub.url, by, id, name, role);
const openWizard = (hub: RunningHub, c: TestConsole) => openWizardOf(hub.url, c);

/** An installer's script: the hall token, no session. */
const script = (hub: RunningHub, method: string, route: string, body?: unknown) =>
  fetch(hub.url + route, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

const window3 = (hub: RunningHub) => hub.store.view.catalogue.windows.find((w) => w.number === 3)!.serves;

afterEach(async () => {
  for (const h of hubs) await h.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  hubs = [];
  dirs = [];
  now = Date.parse('2026-11-27T09:00:00+08:00');
});

describe("a setup saved for the day's end, and the changes made after it", () => {
  it("cancels, at the opening it applies at, the bookings still to come of an item it removes, audited as the hub's by item", async () => {
    const { hub, a } = await hall();
    const monday = Date.parse('2026-11-30T10:00:00+08:00');
    for (const code of ['MONDAY01', 'MONDAY02'])
      expect((await script(hub, 'POST', '/api/appointments', { code, serviceCode: 'GA-SFZ-HL', slotStart: monday, slotEnd: monday + 30 * 60_000 })).status).toBe(201);
    const form = await openWizard(hub, a);
    form.catalogue.items = form.catalogue.items.filter((i) => i.code !== 'GA-SFZ-HL');
    for (const w of form.catalogue.windows) w.serves = w.serves.filter((code) => code !== 'GA-SFZ-HL');
    expect((await a.request('POST', '/api/setup', { ...form, atDayEnd: true })).status).toBe(200);
    expect(hub.store.view.appointments.get('MONDAY01')?.cancelledAt).toBeUndefined();

    // Monday's opening, by its first command.
    at('08:30', '2026-11-30');
    expect((await script(hub, 'POST', '/api/tickets', { serviceCode: 'GA-HK-QR' })).status).toBe(201);
    expect(hub.store.view.appointments.get('MONDAY01')).toMatchObject({ cancelledAt: now, withdrawn: { itemName: '居民身份证换领' } });
    expect(hub.store.audit.list({ action: 'withdrawBookings' })).toEqual([
      expect.objectContaining({ staff: expect.objectContaining({ name: '大厅服务器' }), target: 'item:GA-SFZ-HL', after: { itemName: '居民身份证换领', bookings: 2, firstDay: '2026-11-30', reason: 'item-withdrawn' } }),
    ]);
  });

  it("is not applied over window 3's item given in the afternoon: at the opening it is cancelled, and the audit log says why", async () => {
    const { hub, a } = await hall();
    const zhao = await staffMember(hub, a, 'zhao', '赵主任', 'supervisor');
    at('09:05');
    const form = await openWizard(hub, a);
    form.catalogue.hall.notices = ['明日起二楼办理'];
    expect((await a.request('POST', '/api/setup', { ...form, atDayEnd: true })).status).toBe(200);
    expect(hub.store.view.pending).toHaveLength(1);
    at('09:10');
    expect((await zhao.request('PUT', '/api/windows/3/items', { serves: [...window3(hub), 'GA-SFZ-HL'] })).status).toBe(200);

    // The next morning's first command opens the day.
    at('08:30', '2026-11-28');
    // The night ended yesterday's sessions.
    await zhao.login('zhao', 'zhao-own-pass-9');
    await a.login('admin', 'first-admin-pass-1');
    expect((await zhao.request('POST', '/api/items/CRJ-HZ-SL/today', { dailyQuota: 200 })).status).toBe(200);
    expect(hub.store.view.day).toBe('2026-11-28');
    expect(window3(hub)).toContain('GA-SFZ-HL');
    expect(hub.store.view.catalogue.hall.notices).not.toContain('明日起二楼办理');
    expect(hub.store.view.pending).toEqual([]);
    const audit = await a.request<{ entries: { action: string; staff: { name: string }; target: string; after?: { text?: string; reason?: string } }[] }>('GET', '/api/audit?action=cancelPendingChange');
    expect(audit.body.entries).toHaveLength(1);
    expect(audit.body.entries[0]).toMatchObject({ staff: { name: '大厅服务器' }, target: expect.stringMatching(/^pending:\d+$/) });
    expect(audit.body.entries[0]!.after!.reason).toMatch(/window 3's items changed after it was saved \(by 赵主任, 2026-11-27 09:10/);
    // In the administrator's words first.
    expect(audit.body.entries[0]!.after).toMatchObject({
      text: '日终生效的大厅设置未生效：保存后大厅设置已被更改（赵主任，2026-11-27 09:10，3号窗口的事项），为免覆盖该更改，已取消。请载入当前设置后重新保存。',
    });
    expect(Object.keys(audit.body.entries[0]!.after!)[0]).toBe('text');
  });

  it('is not applied over an item another administrator saved at once after it', async () => {
    const { hub, a } = await hall();
    const li = await staffMember(hub, a, 'li', '李管理', 'administrator');
    at('09:05');
    const mine = await openWizard(hub, a);
    mine.catalogue.hall.notices = ['明日起二楼办理'];
    expect((await a.request('POST', '/api/setup', { ...mine, atDayEnd: true })).status).toBe(200);
    at('09:20');
    const theirs = await openWizard(hub, li);
    theirs.catalogue.items.push({ ...theirs.catalogue.items[0]!, code: 'GA-JZZ-BL', name: '居住证办理' });
    theirs.catalogue.windows[0]!.serves.push('GA-JZZ-BL');
    expect((await li.request('POST', '/api/setup', theirs)).status).toBe(200);
    at('08:30', '2026-11-28');
    hub.store.openDayIfDue();
    await a.login('admin', 'first-admin-pass-1');
    expect(hub.store.view.catalogue.items.map((i) => i.code)).toContain('GA-JZZ-BL');
    expect(hub.store.view.catalogue.hall.notices).not.toContain('明日起二楼办理');
    const audit = await a.request<{ entries: { after?: { text?: string; reason?: string } }[] }>('GET', '/api/audit?action=cancelPendingChange');
    expect(audit.body.entries[0]!.after).toMatchObject({
      text: '日终生效的大厅设置未生效：保存后大厅设置已被更改（李管理，2026-11-27 09:20），为免覆盖该更改，已取消。请载入当前设置后重新保存。',
      reason: expect.stringContaining('the setup changed after it was saved (by 李管理'),
    });
  });

  it('says in the audit log, in the administrator\'s words, which change went first and which window was gone', async () => {
    const { hub, a } = await hall();
    const zhao = await staffMember(hub, a, 'zhao', '赵主任', 'supervisor');
    at('09:05');
    expect((await a.request('POST', '/api/windows/temporary', { window: 20, serves: ['CRJ-HZ-SL'] })).status).toBe(201);
    at('09:10');
    expect((await zhao.request('PUT', '/api/windows/3/items', { serves: [...window3(hub), 'GA-SFZ-HL'], atDayEnd: true })).status).toBe(200);
    expect((await zhao.request('PUT', '/api/windows/20/items', { serves: ['CRJ-HZ-SL', 'GA-SFZ-HL'], atDayEnd: true })).status).toBe(200);
    at('09:20');
    const form = await openWizard(hub, a);
    form.catalogue.hall.notices = ['明日起二楼办理'];
    expect((await a.request('POST', '/api/setup', { ...form, atDayEnd: true })).status).toBe(200);
    expect(hub.store.view.pending).toHaveLength(3);

    at('08:30', '2026-11-28');
    hub.store.openDayIfDue();
    await a.login('admin', 'first-admin-pass-1');
    expect(window3(hub)).toContain('GA-SFZ-HL');
    expect(hub.store.view.catalogue.hall.notices).not.toContain('明日起二楼办理');
    const audit = await a.request<{ entries: { after?: { text?: string; reason?: string } }[] }>('GET', '/api/audit?action=cancelPendingChange');
    expect(audit.body.entries.map((e) => e.after!.text).sort()).toEqual([
      '日终生效的 20号窗口事项调整未生效：20号窗口到今天开厅时已不在大厅设置中。',
      '日终生效的大厅设置未生效：在它之前保存、同在今天开厅时生效的 3号窗口的事项调整（赵主任，2026-11-27 09:10）已先生效，为免覆盖该调整，已取消。请载入当前设置后重新保存。',
    ]);
  });

  it('applies with the calendar year a supervisor entered after it was saved', async () => {
    const { hub, a } = await hall();
    at('09:05');
    const form = await openWizard(hub, a);
    form.catalogue.hall.notices = ['明日起二楼办理'];
    expect((await a.request('POST', '/api/setup', { ...form, atDayEnd: true })).status).toBe(200);
    at('09:30');
    expect((await a.request('PUT', '/api/calendar/2031', { holidays: { '2031-01-01': '元旦' }, workdays: { '2031-01-04': '元旦调休' } })).status).toBe(200);
    at('08:30', '2026-11-28');
    hub.store.openDayIfDue();
    await a.login('admin', 'first-admin-pass-1');
    expect(hub.store.view.catalogue.hall.notices).toEqual(['明日起二楼办理']);
    const calendar = await a.request<{ years: { year: number; source: string; holidays: Record<string, string> }[] }>('GET', '/api/calendar');
    expect(calendar.body.years.find((y) => y.year === 2031)).toMatchObject({ source: 'hall', holidays: { '2031-01-01': '元旦' } });
  });
});

describe("an installer's script putting the catalogue file again (PUT /api/catalogue)", () => {
  it("keeps today's quota, today's window and the calendar years the hall entered, and takes the rest from the file", async () => {
    const { hub, a } = await hall();
    expect((await a.request('PUT', '/api/calendar/2031', { holidays: { '2031-01-01': '元旦' }, workdays: {} })).status).toBe(200);
    at('09:10');
    expect((await a.request('POST', '/api/items/CRJ-HZ-SL/today', { dailyQuota: 260 })).status).toBe(200);
    expect((await a.request('POST', '/api/windows/temporary', { window: 20, serves: ['CRJ-HZ-SL'] })).status).toBe(201);
    at('12:00');
    // The file as the installer keeps it: no calendar of 2031, nothing for today; a year of its own.
    const file = { ...demoCatalogue({ allDay: true }), calendar: { holidays: { '2032-01-01': '元旦' }, workdays: {} } };
    file.hall.notices = ['午间不休'];
    expect((await script(hub, 'PUT', '/api/catalogue', file)).status).toBe(200);
    const c = hub.store.view.catalogue;
    expect(c.hall.notices).toEqual(['午间不休']);
    expect(c.items.find((i) => i.code === 'CRJ-HZ-SL')!.today).toMatchObject({ day: '2026-11-27', dailyQuota: 260 });
    expect(c.windows.map((w) => w.number)).toContain(20);
    expect(c.calendar.holidays).toEqual({ '2031-01-01': '元旦', '2032-01-01': '元旦' });
  });
});

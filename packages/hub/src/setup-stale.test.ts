import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from './server';
import { firstAdmin, openWizard as openWizardOf, staffMember as staffMemberOf, TestConsole } from './testing/console';

const TOKEN = 'hall-token-for-setup-tests';
let hubs: RunningHub[] = [];
let dirs: string[] = [];
let now = Date.parse('2026-11-27T09:00:00+08:00');
const at = (hhmm: string) => void (now = Date.parse(`2026-11-27T${hhmm}:00+08:00`));

async function hall(): Promise<{ hub: RunningHub; a: TestConsole }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-setup-'));
  dirs.push(dir);
  const hub = await startHub({ dataDir: dir, token: TOKEN, clock: () => now });
  hubs.push(hub);
  return { hub, a: await firstAdmin(hub, demoCatalogue({ allDay: true })) };
}

const staffMember = (hub: RunningHub, by: TestConsole, id: string, name: string, role: string) => staffMemberOf(hub.url, by, id, name, role);
const openWizard = (hub: RunningHub, c: TestConsole) => openWizardOf(hub.url, c);

afterEach(async () => {
  for (const h of hubs) await h.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  hubs = [];
  dirs = [];
  now = Date.parse('2026-11-27T09:00:00+08:00');
});

describe('the setup wizard saved from a form loaded earlier', () => {
  it('refuses a save from a form loaded at 09:00 after a supervisor gave window 3 another item at 09:10, naming who and when, and undoes nothing', async () => {
    const { hub, a } = await hall();
    const zhao = await staffMember(hub, a, 'zhao', '赵主任', 'supervisor');
    const form = await openWizard(hub, a);
    at('09:10');
    expect((await zhao.request('PUT', '/api/windows/3/items', { serves: ['CRJ-HZ-SL', 'CRJ-GA-SL', 'CRJ-GA-QZ', 'GA-SFZ-HL'] })).status).toBe(200);
    at('09:25');
    form.catalogue.hall.notices = ['下午两点后请到二楼取号'];
    const refused = await a.request<{ code: string; text: string; changes: { time: string; by?: string; window?: number }[] }>('POST', '/api/setup', form);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'conflict', changes: [{ time: '09:10', by: '赵主任', window: 3 }] });
    expect(refused.body.text).toBe('您打开此页后，大厅设置已被更改（最近一次：赵主任，09:10）。为免覆盖他人的更改，本次没有保存：请载入当前设置，在其上修改后再保存。');
    const english = await a.request<{ text: string }>('POST', '/api/setup', form, { 'accept-language': 'en' });
    expect(english.body.text).toContain('changed after you opened this form (last by 赵主任 at 09:10)');
    expect(hub.store.view.catalogue.windows.find((w) => w.number === 3)!.serves).toContain('GA-SFZ-HL');
    expect(hub.store.view.catalogue.hall.notices).not.toContain('下午两点后请到二楼取号');

    // Loaded again, the form holds the supervisor's change and saves.
    const again = await openWizard(hub, a);
    again.catalogue.hall.notices = ['下午两点后请到二楼取号'];
    expect((await a.request('POST', '/api/setup', again)).status).toBe(200);
    expect(hub.store.view.catalogue.windows.find((w) => w.number === 3)!.serves).toContain('GA-SFZ-HL');
    expect(hub.store.view.catalogue.hall.notices).toEqual(['下午两点后请到二楼取号']);
  });

  it('refuses a save from a form loaded before another administrator saved a new item, and keeps that item', async () => {
    const { hub, a } = await hall();
    const li = await staffMember(hub, a, 'li', '李管理', 'administrator');
    const mine = await openWizard(hub, a);
    const theirs = await openWizard(hub, li);
    at('09:10');
    const item = { ...theirs.catalogue.items[0]!, code: 'GA-JZZ-BL', name: '居住证办理' };
    theirs.catalogue.items.push(item);
    theirs.catalogue.windows[0]!.serves.push('GA-JZZ-BL');
    expect((await li.request('POST', '/api/setup', theirs)).status).toBe(200);
    at('09:25');
    const refused = await a.request<{ text: string }>('POST', '/api/setup', mine);
    expect(refused.status).toBe(409);
    expect(refused.body.text).toContain('最近一次：李管理，09:10');
    expect(hub.store.view.catalogue.items.map((i) => i.code)).toContain('GA-JZZ-BL');
  });

  it("keeps an item's quota raised for today and a window opened for today when a form loaded before them is saved, with or without the form's sequence", async () => {
    const { hub, a } = await hall();
    const form = await openWizard(hub, a);
    at('09:10');
    expect((await a.request('POST', '/api/items/CRJ-HZ-SL/today', { dailyQuota: 260 })).status).toBe(200);
    expect((await a.request('POST', '/api/windows/temporary', { window: 20, serves: ['CRJ-HZ-SL'] })).status).toBe(201);
    at('09:25');
    form.catalogue.hall.notices = ['午间不休'];
    expect((await a.request('POST', '/api/setup', form)).status).toBe(200);
    const passport = () => hub.store.view.catalogue.items.find((i) => i.code === 'CRJ-HZ-SL')!;
    expect(passport().today).toMatchObject({ day: '2026-11-27', dailyQuota: 260 });
    expect(passport().dailyQuota).toBe(150);
    expect(hub.store.view.catalogue.windows.map((w) => w.number)).toContain(20);
    // An installer's script sends no sequence: today's change stays all the same.
    const { basedOnSeq: _, ...script } = form;
    expect((await a.request('POST', '/api/setup', script)).status).toBe(200);
    expect(passport().today).toMatchObject({ dailyQuota: 260 });
  });

  it('answers a save sent again under its Idempotency-Key (a retry after the network dropped) with its first answer, not as a stale form', async () => {
    const { hub, a } = await hall();
    const form = await openWizard(hub, a);
    form.catalogue.hall.notices = ['午间不休'];
    const first = await a.request('POST', '/api/setup', form, { 'idempotency-key': 'setup-save-0001' });
    expect(first.status).toBe(200);
    const again = await a.request('POST', '/api/setup', form, { 'idempotency-key': 'setup-save-0001' });
    expect(again).toMatchObject({ status: 200, body: first.body });
  });

  it('refuses a form whose sequence the hall has not reached (a hub put back from a backup) and a sequence that is not one', async () => {
    const { hub, a } = await hall();
    const form = await openWizard(hub, a);
    expect((await a.request('POST', '/api/setup', { ...form, basedOnSeq: hub.store.view.seq + 50 })).body).toMatchObject({ code: 'conflict', text: expect.stringContaining('请载入当前设置') });
    for (const basedOnSeq of [-1, 1.5, '3']) expect((await a.request('POST', '/api/setup', { ...form, basedOnSeq })).status, String(basedOnSeq)).toBe(400);
  });
});

describe('PUT /api/catalogue from a copy read earlier (an installer’s script)', () => {
  const put = (hub: RunningHub, catalogue: unknown, headers: Record<string, string> = {}) =>
    fetch(`${hub.url}/api/catalogue`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(catalogue) });
  const read = async (hub: RunningHub) => {
    const res = await fetch(`${hub.url}/api/catalogue`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { seq: res.headers.get('x-hall-seq')!, catalogue: (await res.json()) as ReturnType<typeof demoCatalogue> };
  };

  it('refuses, with X-Based-On-Seq, a copy read before a supervisor changed a window, naming who and when, and undoes nothing', async () => {
    const { hub, a } = await hall();
    const zhao = await staffMember(hub, a, 'zhao', '赵主任', 'supervisor');
    const copy = await read(hub);
    expect(copy.seq).toBe(String(hub.store.view.seq));
    at('09:10');
    expect((await zhao.request('PUT', '/api/windows/3/items', { serves: ['CRJ-HZ-SL', 'CRJ-GA-SL', 'CRJ-GA-QZ', 'GA-SFZ-HL'] })).status).toBe(200);
    copy.catalogue.hall.notices = ['下午两点后请到二楼取号'];
    const refused = await put(hub, copy.catalogue, { 'x-based-on-seq': copy.seq });
    expect(refused.status).toBe(409);
    // Said to the script of the copy it read, not of a page it never opened.
    expect(await refused.json()).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(new RegExp(`^the setup changed after the copy sent was read \\(X-Based-On-Seq ${copy.seq}\\)`)),
      text: `所发送的设置是在序号 ${copy.seq}（X-Based-On-Seq）时读取的，此后大厅设置已被更改（最近一次：赵主任，09:10）。为免覆盖他人的更改，本次没有保存：请用 GET /api/catalogue 重新读取当前设置，在其上修改后，以应答中的 X-Hall-Seq 作为 X-Based-On-Seq 再发送。`,
      changes: [{ time: '09:10', by: '赵主任', window: 3 }],
    });
    const english = await put(hub, copy.catalogue, { 'x-based-on-seq': copy.seq, 'accept-language': 'en' });
    expect(((await english.json()) as { text: string }).text).toBe(
      `The hall's setup was changed since sequence ${copy.seq} (X-Based-On-Seq), when the copy sent here was read (last by 赵主任 at 09:10). Nothing was saved, so that no one's change is undone: read the setup again with GET /api/catalogue, make the change on that copy and send it with its X-Hall-Seq as X-Based-On-Seq.`,
    );
    expect(hub.store.view.catalogue.windows.find((w) => w.number === 3)!.serves).toContain('GA-SFZ-HL');
    expect(hub.store.view.catalogue.hall.notices).not.toContain('下午两点后请到二楼取号');
    // Read again, the copy saves; a sequence that is not one is refused in words, nothing changed.
    const again = await read(hub);
    again.catalogue.hall.notices = ['下午两点后请到二楼取号'];
    const wrong = await put(hub, again.catalogue, { 'x-based-on-seq': 'latest' });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { text: string }).text).toBe('X-Based-On-Seq 填写的“latest”不是序号：请填写读取 GET /api/catalogue 时应答中 X-Hall-Seq 的值，或不带此项。未作任何更改。');
    expect((await put(hub, again.catalogue, { 'x-based-on-seq': again.seq })).status).toBe(200);
    expect(hub.store.view.catalogue.hall.notices).toEqual(['下午两点后请到二楼取号']);
    expect(hub.store.view.catalogue.windows.find((w) => w.number === 3)!.serves).toContain('GA-SFZ-HL');
  });

  it('replaces as before for a script that sends no X-Based-On-Seq, and answers a retry under its Idempotency-Key with its first answer', async () => {
    const { hub, a } = await hall();
    const zhao = await staffMember(hub, a, 'zhao', '赵主任', 'supervisor');
    const copy = await read(hub);
    at('09:10');
    expect((await zhao.request('PUT', '/api/windows/3/items', { serves: ['CRJ-GA-SL'] })).status).toBe(200);
    copy.catalogue.hall.notices = ['脚本写入'];
    expect((await put(hub, copy.catalogue)).status).toBe(200);
    expect(hub.store.view.catalogue.hall.notices).toEqual(['脚本写入']);
    const next = await read(hub);
    next.catalogue.hall.notices = ['再次写入'];
    const headers = { 'x-based-on-seq': next.seq, 'idempotency-key': 'script-put-0001' };
    expect((await put(hub, next.catalogue, headers)).status).toBe(200);
    // The retry comes after the setup it made: answered as the first time, not as a stale copy.
    expect((await put(hub, next.catalogue, headers)).status).toBe(200);
  });
});

import { describe, expect, it } from 'vitest';
import { triesLeftIn } from './agent';

const TOKEN = 'window-agent-token';

/** The demo hall's hub in `dir` (its clerks' PIN 246810), on its own clock where a test moves the day. */
async function demoHub(dir: string, clock?: () => number) {
  const { startHub } = await import('@servicehall/hub');
  const { demoCatalogue } = await import('@servicehall/fixtures');
  const path = await import('node:path');
  return startHub({ dataDir: path.join(dir, 'hub'), token: TOKEN, seed: demoCatalogue({ allDay: true }), demoPin: '246810', ...(clock ? { clock } : {}) });
}

type Hub = Awaited<ReturnType<typeof demoHub>>;

/** Window 7's agent on `hub`, its folder in `dir`; `env`, more of its settings, as a hall gives them; `settings`, its options (the window's settings file). */
async function windowSeven(
  hub: Hub,
  dir: string,
  env: Record<string, string> = {},
  options?: Parameters<typeof import('./agent').createWindowAgent>[2],
  log?: Parameters<typeof import('@servicehall/agent').startAgent>[2],
  settings?: Parameters<typeof import('./agent').createWindowAgent>[1],
) {
  const { loadConfig, startAgent } = await import('@servicehall/agent');
  const path = await import('node:path');
  const { createWindowAgent } = await import('./agent');
  const config = loadConfig(undefined, { SERVICEHALL_HUB_URL: hub.wsUrl, SERVICEHALL_TOKEN: TOKEN, SERVICEHALL_WINDOW: '7', SERVICEHALL_TERMINAL_DATA: path.join(dir, 'window-7'), ...env }, { role: 'window', terminal: 'window-7' });
  const agent = await startAgent(config, (ctx) => createWindowAgent(ctx, settings, options), log);
  return { agent, h: agent.handlers as Record<string, (arg?: unknown) => Promise<{ ok: boolean }>> };
}

/** Clerk 1011 signs in at window 7 and calls the ticket the hall issues for it. */
async function signInAndCall(hub: Hub, { agent, h }: Awaited<ReturnType<typeof windowSeven>>) {
  await agent.client.whenInStep();
  expect(await h.signIn!({ clerk: '1011', pin: '246810' })).toMatchObject({ ok: true });
  hub.store.execute({ id: 'issue-for-window-7', type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' }, { role: 'admin', terminal: 'test' });
  await agent.client.whenInStep(hub.store.seq);
  expect(await h.callNext!()).toMatchObject({ ok: true });
}

describe('the window agent', () => {
  it('reads the tries left from the hub’s refusal of a wrong PIN', () => {
    expect(triesLeftIn('wrong PIN for clerk 1005 (3 tries left)')).toBe(3);
    expect(triesLeftIn('clerk 1005 has no PIN yet')).toBeUndefined();
  });
});

describe('the window agent with a hub', () => {
  it('records an outcome pressed twice (its answer was slow) once, and keeps the applicant off the disk', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-window-agent-'));
    const hub = await demoHub(dir);
    const window = await windowSeven(hub, dir);
    const { agent, h } = window;
    try {
      await signInAndCall(hub, window);
      expect(await h.start!()).toMatchObject({ ok: true });
      const request = { serviceCode: 'SJ-QY-SL', outcome: 'accepted', applicant: { name: '王小明', idNumber: '330106198801011234' } };
      const first = await h.outcome!(request);
      const again = await h.outcome!(request);
      expect(first).toMatchObject({ ok: true });
      expect(again).toMatchObject({ ok: true });
      expect([...hub.store.view.cases.values()]).toHaveLength(1);
      // Its id begins with the ticket served, as the day and its number order it (near the end of the hub's index of answers).
      const recorded = hub.store.eventsSince(0, 1000).find((e) => e.type === 'case.recorded');
      expect(recorded?.commandId).toMatch(/^outcome-\d{4}-\d{2}-\d{2}-[A-Z]+\d+-[0-9a-f]{32}$/);
      // A reason printed on the citizen's correction notice is held to civil language (H-14).
      expect(await h.outcome!({ serviceCode: 'SJ-QY-SL', outcome: 'correction', materials: [{ id: 'm2', reason: '你自己看' }] })).toMatchObject({ ok: false, code: 'invalid' });
      expect([...hub.store.view.cases.values()]).toHaveLength(1);
      const outbox = path.join(dir, 'window-7', 'outbox.json');
      expect(fs.existsSync(outbox) ? fs.readFileSync(outbox, 'utf8') : '').not.toContain('330106198801011234');
    } finally {
      await agent.stop();
      await hub.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the window agent and a case of an earlier day', () => {
  it('names the materials a breaching notice would add, though its view holds today’s cases only (H-03)', async () => {
    const { findItem } = await import('@servicehall/core');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-window-agent-'));
    let now = Date.parse('2026-11-26T09:00:00+08:00');
    const hub = await demoHub(dir, () => now);
    const admin = { role: 'admin', terminal: 'test' } as const;
    const win7 = { role: 'window', terminal: 'window-7', window: 7 } as const;
    let n = 0;
    const must = (body: Record<string, unknown>, actor: { role: 'admin' | 'window'; terminal: string; window?: number } = admin) => {
      const { answer } = hub.store.execute({ id: `earlier-day-${n++}`, ...body } as never, actor as never);
      if (!answer.ok) throw new Error(`${String(body.type)}: ${answer.message}`);
    };
    // Yesterday: a correction notice naming one material.
    must({ type: 'openWindow', window: 7, clerk: '1011' }, win7);
    must({ type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' });
    must({ type: 'callNext', window: 7 }, win7);
    must({ type: 'startService', window: 7 }, win7);
    must({ type: 'recordOutcome', window: 7, serviceCode: 'SJ-QY-SL', outcome: 'correction', materials: ['m2'] }, win7);
    const caseNumber = [...hub.store.view.cases.keys()][0]!;
    must({ type: 'finishService', window: 7 }, win7);
    // Today: the citizen is back; the clerk's screen starts afresh and holds today's cases only.
    now = Date.parse('2026-11-27T09:00:00+08:00');
    must({ type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' });
    const { agent, h } = await windowSeven(hub, dir);
    try {
      await agent.client.whenInStep(hub.store.seq);
      expect(agent.client.view!.cases.has(caseNumber)).toBe(false);
      expect(await h.signIn!({ clerk: '1011', pin: '246810' })).toMatchObject({ ok: true });
      expect(await h.callNext!()).toMatchObject({ ok: true });
      expect(await h.start!()).toMatchObject({ ok: true });
      const m6 = findItem(hub.store.view.catalogue, 'SJ-QY-SL')!.materials.find((m) => m.id === 'm6')!;
      const warned = await h.outcome!({ serviceCode: 'SJ-QY-SL', outcome: 'correction', caseNumber, materials: [{ id: 'm2' }, { id: 'm6' }] });
      expect(warned).toMatchObject({ ok: false, code: 'notice-breach', newMaterials: [m6.name] });
    } finally {
      await agent.stop();
      await hub.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the window agent and its number display', () => {
  it('says at once when the display is unplugged, and shows the call again on it when it is back (H-17)', async () => {
    const { DisplaySimulator, startPtyPair } = await import('@servicehall/fixtures/devices');
    const { DISPLAY_PROFILES } = await import('@servicehall/number-display');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-window-display-'));
    const hub = await demoHub(dir);
    // The display's port as the terminal names it; the USB adapter behind it is pulled out and plugged in again.
    const port = path.join(dir, 'ttyUSB0');
    let pair = await startPtyPair();
    let sim = await DisplaySimulator.open(pair.device, DISPLAY_PROFILES['dm-d-chinese']);
    fs.symlinkSync(pair.host, port);
    const window = await windowSeven(hub, dir, { SERVICEHALL_DISPLAY: port }, { displayRetryMs: 50 }, () => undefined);
    const { agent } = window;
    const display = () => hub.store.view.devices.get('window-7')?.devices.find((d) => d.kind === 'display');
    try {
      await signInAndCall(hub, window);
      await expect.poll(() => sim.shown.rows[1]).toMatch(/7号窗口/);
      const call = [...sim.shown.rows];
      await expect.poll(() => display()).toMatchObject({ status: 'ok' });

      await sim.close();
      await pair.close();
      await expect.poll(() => display()).toMatchObject({ status: 'fault', code: 'offline' });

      pair = await startPtyPair();
      sim = await DisplaySimulator.open(pair.device, DISPLAY_PROFILES['dm-d-chinese']);
      fs.rmSync(port);
      fs.symlinkSync(pair.host, port);
      await expect.poll(() => sim.shown.rows, { timeout: 5000 }).toEqual(call);
      await expect.poll(() => display()).toMatchObject({ status: 'ok' });
    } finally {
      await agent.stop();
      await sim.close();
      await pair.close();
      await hub.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the window agent and its notice printer', () => {
  it('tells the device board of a printer whose cover switch flaps twice as in fault, not at every poll, and as ready once it has stayed so', async () => {
    const { PrinterSimulator, startPtyPair } = await import('@servicehall/fixtures/devices');
    const { WindowOptionsSchema } = await import('./options');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-window-printer-'));
    const hub = await demoHub(dir);
    const pair = await startPtyPair();
    const sim = await PrinterSimulator.open(pair.device);
    const settings = WindowOptionsSchema.parse({ printerPollMs: 1000, printerRecoveryMs: 2500 });
    const { agent } = await windowSeven(hub, dir, { SERVICEHALL_PRINTER: pair.host }, undefined, () => undefined, settings);
    const reported = () => hub.store.eventsSince(0).flatMap((e) => (e.type === 'devices.reported' && e.terminal === 'window-7' ? [e.devices.find((d) => d.kind === 'printer')!.status] : []));
    try {
      await expect.poll(reported).toEqual(['ok']);
      // Open, closed, open, ... at every poll or so, for five seconds.
      let open = false;
      const flap = setInterval(() => sim.device.set({ coverOpen: (open = !open) }), 700);
      await new Promise((r) => setTimeout(r, 5000));
      clearInterval(flap);
      sim.device.set({ coverOpen: false });
      expect(sim.device.statusRequests).toBeGreaterThanOrEqual(16);
      // Its first mending told at once (a printer refilled is ready on the board without waiting); once it flaps, held.
      expect(reported()).toEqual(['ok', 'fault', 'ok', 'fault']);
      await expect.poll(reported, { timeout: 6000 }).toEqual(['ok', 'fault', 'ok', 'fault', 'ok']);
    } finally {
      await agent.stop();
      await sim.close();
      await pair.close();
      await hub.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});

describe('the window agent on a PC whose clock is off the hub’s', () => {
  it('orders the desk’s queue by the hub’s clock: an appointment whose slot opens by the hall’s time goes first (N-06)', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-window-clock-'));
    // The hub's 09:50 of a day long past by this PC's clock: the 10:00 slot is open (15 minutes early) by the hub's alone.
    const at = (hhmm: string) => Date.parse(`2026-11-26T${hhmm}:00+08:00`);
    let now = at('08:00');
    const hub = await demoHub(dir, () => now);
    const admin = { role: 'admin', terminal: 'test' } as const;
    let n = 0;
    const must = (body: Record<string, unknown>) => {
      const { answer } = hub.store.execute({ id: `clock-${n++}`, ...body } as never, admin as never);
      if (!answer.ok) throw new Error(`${String(body.type)}: ${answer.message}`);
    };
    must({ type: 'bookAppointment', code: 'YY0001', serviceCode: 'SJ-QY-SL', slotStart: at('10:00'), slotEnd: at('10:30') });
    now = at('09:00');
    must({ type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' });
    now = at('09:50');
    must({ type: 'checkInAppointment', code: 'YY0001' });
    const { agent } = await windowSeven(hub, dir);
    try {
      await agent.client.whenInStep(hub.store.seq);
      const desk = () => agent.pushes.get('desk') as { queue: { lane: string }[] } | null | undefined;
      await expect.poll(() => desk()?.queue.length).toBe(2);
      expect(desk()!.queue.map((t) => t.lane)).toEqual(['appointment', 'ordinary']);
    } finally {
      await agent.stop();
      await hub.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the window agent without its hub', () => {
  it('turns to emergency calling the set time after the hub went, not at once when the PC’s clock is put an hour forward', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { WindowOptionsSchema } = await import('./options');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-window-outage-'));
    const hub = await demoHub(dir);
    let setBy = 0;
    const { agent } = await windowSeven(hub, dir, {}, { now: () => Date.now() + setBy }, undefined, WindowOptionsSchema.parse({ emergencyAfterSeconds: 5 }));
    try {
      await agent.client.whenInStep();
      const active = () => (agent.pushes.get('emergency') as { active: boolean } | undefined)?.active;
      await hub.close();
      await expect.poll(() => agent.client.state.status, { timeout: 10_000 }).not.toBe('online');
      setBy = 3_600_000;
      // Before the fix the hour counted as an hour without the hub: typed calls offered within the second.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(active()).toBe(false);
      await expect.poll(active, { timeout: 10_000 }).toBe(true);
    } finally {
      await agent.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A hall's API as a test calls it with the hall token: the status and the parsed body. */
export type HallApi = (method: string, route: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** An instant of the hall's day in its zone (Asia/Shanghai): at('16:30'), at('08:40', '2026-11-28'). */
export const hallAt = (hhmm: string, day = '2026-11-27') => Date.parse(`${day}T${hhmm}:00+08:00`);

/**
 * A day (Friday 2026-11-27) at the 企业开办 windows of the demo hall that ends with four tickets
 * unfinished: E002 served at window 7 since 16:50 (the clerk went home without 办结), E003 called at
 * window 8 and never answered, E004 held at window 14, E005 waiting. E001 was served properly, ten
 * minutes. `setNow` moves the hub's injected clock. Returns the five tickets' ids, E001 first.
 */
export async function dayLeftUnfinished(api: HallApi, setNow: (at: number) => void): Promise<string[]> {
  const must = async (method: string, route: string, status: number, body?: unknown) => {
    const r = await api(method, route, body);
    if (r.status !== status) throw new Error(`${method} ${route}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  for (const [w, clerk] of [[7, '1011'], [8, '1012'], [14, '1013']] as const) {
    await must('PUT', `/api/clerks/${clerk}/pin`, 200, { pin: '246810' });
    await must('POST', `/api/windows/${w}/sign-in`, 200, { clerk, pin: '246810' });
  }
  const ids: string[] = [];
  setNow(hallAt('16:30'));
  for (let i = 0; i < 5; i++) ids.push((await must('POST', '/api/tickets', 201, { serviceCode: 'SJ-QY-SL' })).ticket.id);
  setNow(hallAt('16:35'));
  for (const step of ['call-next', 'start']) await must('POST', `/api/windows/7/${step}`, 200);
  setNow(hallAt('16:45'));
  await must('POST', '/api/windows/7/finish', 200);
  setNow(hallAt('16:50'));
  for (const step of ['7/call-next', '7/start', '8/call-next', '14/call-next', '14/hold']) await must('POST', `/api/windows/${step}`, 200);
  return ids;
}

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { builtEntry } from './built';
import { childrenOf, freePort, metricIn, spawnHub, type HubProcess } from './testing/hub-process';

/**
 * The hub as a hall runs it: built by `npm run build` into packages/hub/dist (scripts/build-hub.ts)
 * and run by Node without tsx, its phones' process and the city's shipper too. `npm test` builds it
 * before the tests; run alone, `npm run build:hub` first.
 */

let hub: HubProcess | undefined;
const dirs: string[] = [];
const built = process.env.HUB_BUILT;
afterEach(async () => {
  await hub?.kill('SIGKILL');
  hub = undefined;
  if (built === undefined) delete process.env.HUB_BUILT;
  else process.env.HUB_BUILT = built;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const eventually = (check: () => unknown) => vi.waitFor(check, { timeout: 20_000, interval: 50 });
const commandLine = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

describe('the built hub', () => {
  it('is what the hub package’s bin names, and runs as it is, an operator’s command through it', async () => {
    const hubPackage = path.resolve(path.dirname(builtEntry('cli')), '..');
    const bin = (JSON.parse(fs.readFileSync(path.join(hubPackage, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['servicehall-hub']!;
    expect(path.resolve(hubPackage, bin)).toBe(builtEntry('cli'));
    expect(fs.existsSync(builtEntry('cli')), `the hub is not built (${builtEntry('cli')}): npm run build:hub`).toBe(true);
    const missing = path.join(os.tmpdir(), 'servicehall-no-such-backups-folder');
    const said = spawnSync(path.resolve(hubPackage, bin), ['backups', '--in', missing], { encoding: 'utf8', env: { ...process.env, SERVICEHALL_DATA: missing } });
    expect(said.status, said.stderr).toBe(78);
    expect(said.stderr).toMatch(/备份文件夹 [^]*不存在[^]*does not exist/);
  }, 30_000);

  it('serves, follows a phone in its own phones process and ships to the city from its worker, with no tsx anywhere, and stops cleanly', async () => {
    expect(fs.existsSync(builtEntry('cli')), `the hub is not built (${builtEntry('cli')}): npm run build:hub`).toBe(true);
    // Runnable as it is (an installer's `./packages/hub/dist/cli.js`): by Node, not through tsx as the source.
    expect(fs.readFileSync(builtEntry('cli'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(fs.statSync(builtEntry('cli')).mode & 0o111).not.toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-built-'));
    dirs.push(dir);
    process.env.HUB_BUILT = '1';
    // A city nobody listens at: the shipper's worker starts, tries, and says the city is offline.
    const city = `postgres://servicehall:unused@127.0.0.1:${await freePort()}/city`;
    const h = (hub = await spawnHub(dir, { SERVICEHALL_UPSTREAM_URL: city, SERVICEHALL_UPSTREAM_HALL: '330106-09' }));
    expect(commandLine(h.child.pid!)).toContain(builtEntry('cli'));
    expect(commandLine(h.child.pid!).join(' ')).not.toMatch(/tsx/);

    await eventually(async () => expect(metricIn(await (await fetch(`${h.url}/metrics`)).text(), 'servicehall_phone_process_up')).toBe(1));
    const phones = childrenOf(h.child.pid!);
    expect(phones).toHaveLength(1);
    expect(commandLine(phones[0]!)).toContain(builtEntry('phones'));
    expect(commandLine(phones[0]!).join(' ')).not.toMatch(/tsx/);

    // Its pages, found from the bundle: the citizens' (apps/phone) and the console (apps/console).
    for (const page of ['/m/', '/console/']) {
      const res = await fetch(`${h.url}${page}`);
      expect(res.status, page).toBe(200);
      expect(await res.text()).toMatch(/<script/);
    }

    const catalogue = (await (await fetch(`${h.url}/api/catalogue`, { headers: { authorization: `Bearer ${h.token}` } })).json()) as { items: { code: string }[] };
    const taken = (await (
      await fetch(`${h.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ serviceCode: catalogue.items[0]!.code }) })
    ).json()) as { ok: boolean; ticket: { number: string }; link: string };
    expect(taken.ok).toBe(true);
    // The phone's live stream, served by the built phones' process.
    const phone = await new Promise<{ first: string; close: () => void }>((resolve, reject) => {
      const req = http.get(`${h.url}/api/phone/tickets/${taken.link.split('/').at(-1)}/watch`, { headers: { accept: 'text/event-stream' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          const data = /event: ticket\ndata: (.*)\n\n/.exec(text);
          if (data) resolve({ first: data[1]!, close: () => req.destroy() });
        });
      });
      req.on('error', reject);
    });
    expect(JSON.parse(phone.first)).toMatchObject({ number: taken.ticket.number, state: 'issued' });
    expect(metricIn(await (await fetch(`${h.url}/metrics`)).text(), 'servicehall_phone_streams{served_by="process"}')).toBe(1);
    phone.close();

    // The shipper's built worker runs: it reached the point of asking the city, not a missing file.
    await eventually(async () => {
      const health = (await (await fetch(`${h.url}/api/health`)).json()) as { upstream?: { state: string; message?: string } };
      expect(health.upstream?.state).toBe('offline');
    });

    // The catalogue workbook, read back by the built reader's process (workbook-worker.js), not through tsx.
    const auth = { authorization: `Bearer ${h.token}` };
    const workbook = Buffer.from(await (await fetch(`${h.url}/api/catalogue.xlsx`, { headers: auth })).arrayBuffer());
    const read = await fetch(`${h.url}/api/catalogue.xlsx`, { method: 'POST', headers: { ...auth, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, body: workbook });
    expect(read.status, await read.clone().text()).toBe(200);
    expect(((await read.json()) as { catalogue: { items: { code: string }[] } }).catalogue.items.map((i) => i.code)).toEqual(catalogue.items.map((i) => i.code));

    await h.kill('SIGTERM');
    await eventually(() => expect(h.output()).toContain('stopped cleanly'));
    expect(h.output()).not.toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND|upstream worker failed|workbook's reader/);
  }, 60_000);
});

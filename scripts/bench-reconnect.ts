import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { underOrdinaryPolicy } from '../packages/hub/src/testing/ordinary-policy';
import { generateHistory } from '../packages/hub/src/testing/year';
import { benchCatalogue } from './bench-catalogue';

/**
 * The hall's terminals linking again all at once at the end of a busy day (a switch restarted, the
 * PCs turned on together): 20 window terminals and 40 screens say hello to a hub holding a generated
 * day of about 12,000 tickets, each needing the day's snapshot (about 11 MB). It measures how soon
 * each has it, whether any was closed first, and the hub's event loop and memory meanwhile.
 */
const WINDOWS = 20;
const SCREENS = 40;
const TOKEN = 'bench-token-for-the-reconnect';
const DAY = '2026-11-27';
const HUB = fileURLToPath(new URL('./bench-reconnect-hub.ts', import.meta.url));

interface HubLine {
  url?: string;
  maxPauseMs?: number;
  p99PauseMs?: number;
  rssBytes?: number;
}

export async function runReconnectBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-bench-reconnect-'));
  try {
    const day = generateHistory({ dataDir: dir, days: 1, lastDay: DAY, ticketsPerDay: 12_000, seed: 42, catalogue: benchCatalogue() });
    const evening = Date.parse(`${DAY}T19:00:00+08:00`);
    const child = spawn(...underOrdinaryPolicy(process.execPath, ['--import', 'tsx', HUB, dir, String(evening), TOKEN]), { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: HubLine[] = [];
    const waiting: ((line: HubLine) => void)[] = [];
    let buffered = '';
    child.stdout.on('data', (data: Buffer) => {
      buffered += data.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const text = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!text.startsWith('{')) continue;
        const line = JSON.parse(text) as HubLine;
        const w = waiting.shift();
        if (w) w(line);
        else lines.push(line);
      }
    });
    const next = () => new Promise<HubLine>((resolve) => (lines.length > 0 ? resolve(lines.shift()!) : waiting.push(resolve)));
    const { url } = await next();
    child.stdin.write('start\n');
    let bytes = 0;
    const t0 = performance.now();
    const times = await Promise.all(
      Array.from(
        { length: WINDOWS + SCREENS },
        (_, i) =>
          new Promise<number | undefined>((resolve) => {
            const ws = new WebSocket(url!);
            const who = i < WINDOWS ? { role: 'window', window: i + 1 } : { role: 'display' };
            ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, terminal: `bench-${i + 1}`, token: TOKEN, ...who })));
            ws.on('message', (data: Buffer) => {
              if (!data.subarray(0, 20).toString().startsWith('{"type":"snapshot"')) return;
              bytes = Math.max(bytes, data.length);
              resolve(performance.now() - t0);
              ws.terminate();
            });
            // Closed before its snapshot: the terminal would link again, and ask again.
            ws.on('close', () => resolve(undefined));
            ws.on('error', () => resolve(undefined));
          }),
      ),
    );
    child.stdin.write('stop\n');
    const hub = await next();
    await new Promise((resolve) => child.once('exit', resolve));
    const got = times.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
    const ms = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(0)} ms`);
    console.log(`Terminals linking again at once at the end of a busy day (${day.tickets.toLocaleString('en')} tickets; a snapshot of ${(bytes / 1e6).toFixed(1)} MB)`);
    console.log(
      `  ${WINDOWS} window terminals and ${SCREENS} screens: the first has its snapshot after ${ms(got[0])}, half after ${ms(got[Math.floor(got.length / 2)])}, the last after ${ms(got.at(-1))}; ${times.length - got.length} closed before theirs`,
    );
    console.log(`  the hub meanwhile: its event loop paused at most ${hub.maxPauseMs!.toFixed(0)} ms (p99 ${hub.p99PauseMs!.toFixed(0)} ms); memory ${(hub.rssBytes! / 1e6).toFixed(0)} MB`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await runReconnectBench();

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnHub, type HubProcess } from './hub-process';
import { SCHED_BATCH, SCHED_OTHER, ownThreadPolicy, threadPolicies, underOrdinaryPolicy } from './ordinary-policy';

const chrtMissing = process.platform !== 'linux' || spawnSync('chrt', ['--version']).status !== 0;
/** This thread (the one that starts children) under `policy`, by chrt on its own thread id. */
const setOwnPolicy = (policy: '--batch' | '--other') => {
  const tid = fs.readlinkSync('/proc/thread-self').split('/').at(-1)!;
  execFileSync('chrt', [policy, '--pid', '0', tid]);
};
/** A child's own policy, as it reads it itself. */
const childPolicy = async (file: string, args: string[]) => {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((resolve) => child.once('close', resolve));
  return Number(out);
};
const printOwnPolicy = ['-e', "process.stdout.write(require('fs').readFileSync('/proc/thread-self/stat', 'utf8').split(') ').at(-1).split(' ')[38])"];

const hubs: HubProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  if (!chrtMissing) setOwnPolicy('--other');
  for (const h of hubs.splice(0)) await h.kill();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe.skipIf(chrtMissing)('what a bench measures runs under the ordinary policy, its stand-ins under SCHED_BATCH (needs Linux and util-linux chrt)', () => {
  it('starts a program as it is from a thread under the ordinary policy', () => {
    expect(ownThreadPolicy()?.policy).toBe(SCHED_OTHER);
    expect(underOrdinaryPolicy('node', ['x.js'])).toEqual(['node', ['x.js']]);
  });

  it('starts a program under the ordinary policy from a thread under SCHED_BATCH, which a child would otherwise inherit', async () => {
    setOwnPolicy('--batch');
    expect(ownThreadPolicy()?.policy).toBe(SCHED_BATCH);
    // What the bench did before: its hubs ran under its stand-ins' policy.
    expect(await childPolicy(process.execPath, printOwnPolicy)).toBe(SCHED_BATCH);
    expect(await childPolicy(...underOrdinaryPolicy(process.execPath, printOwnPolicy))).toBe(SCHED_OTHER);
  });

  it('starts a hub with every one of its threads under the ordinary policy from a bench under SCHED_BATCH', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-policy-'));
    dirs.push(dir);
    setOwnPolicy('--batch');
    const h = await spawnHub(dir);
    hubs.push(h);
    setOwnPolicy('--other');
    // It serves: the process is the hub itself (chrt ran it in its own place), with its threads started.
    expect((await fetch(`${h.url}/api/health`)).status).toBe(200);
    const threads = threadPolicies(h.child.pid!);
    expect(threads.length).toBeGreaterThan(3);
    expect(new Set(threads.map((t) => t.policy))).toEqual(new Set([SCHED_OTHER]));
  }, 60_000);
});

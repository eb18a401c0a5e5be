import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Announcement, Speaker } from '../shared/announcer';
import { spokenSentence, type EspeakProblem } from '../shared/voice';
import { chimeWav } from './chime';
import { toEspeakPinyin } from './pinyin';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program with arguments (never through a shell); a missing program answers code -1, never throws. */
export type RunCommand = (program: string, args: string[], timeoutMs?: number) => Promise<CommandResult>;

export const runCommand: RunCommand = (program, args, timeoutMs = 20_000) =>
  new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ code: -1, stdout, stderr: String(error) });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });

export const ESPEAK_VOICE = 'cmn-latn-pinyin';

export type EspeakCheck = { usable: true } | { usable: false; reason: EspeakProblem };

/** Whether the agent can speak: espeak-ng with its Mandarin pinyin voice, and aplay with a sound card to play it on. */
export async function checkEspeak(run: RunCommand = runCommand): Promise<EspeakCheck> {
  const voices = await run('espeak-ng', ['--voices=cmn'], 5000);
  if (voices.code !== 0) return { usable: false, reason: 'no-espeak-ng' };
  if (!voices.stdout.includes(ESPEAK_VOICE)) return { usable: false, reason: 'no-pinyin-voice' };
  const cards = await run('aplay', ['-l'], 5000);
  if (cards.code === -1) return { usable: false, reason: 'no-player' };
  if (cards.code !== 0 || !/^card \d+:/m.test(cards.stdout)) return { usable: false, reason: 'no-sound-card' };
  return { usable: true };
}

/**
 * The agent's voice: espeak-ng reads the call in pinyin into a WAV file, aplay plays it. Used where
 * the screen has no zh-CN voice of its own. Each sound settles when it is over or has failed.
 */
export function espeakSpeaker(dir: string, run: RunCommand = runCommand, speed = 140): Speaker {
  fs.mkdirSync(dir, { recursive: true });
  const chimeFile = path.join(dir, 'chime.wav');
  const speechFile = path.join(dir, 'call.wav');
  fs.writeFileSync(chimeFile, chimeWav());
  const play = async (file: string) => {
    const r = await run('aplay', ['-q', file]);
    if (r.code !== 0) throw new Error(`aplay could not play the sound (${r.stderr.trim().split('\n').pop() ?? r.code})`);
  };
  return {
    chime: () => play(chimeFile),
    async say(_text: string, call: Announcement) {
      const made = await run('espeak-ng', ['-v', ESPEAK_VOICE, '-s', String(speed), '-w', speechFile, toEspeakPinyin(spokenSentence(call))]);
      if (made.code !== 0) throw new Error(`espeak-ng could not make the sentence (${made.stderr.trim() || made.code})`);
      await play(speechFile);
    },
  };
}

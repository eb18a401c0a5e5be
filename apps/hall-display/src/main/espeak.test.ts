import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chimeWav } from './chime';
import { checkEspeak, espeakSpeaker, type CommandResult, type RunCommand } from './espeak';

const VOICES = ' 5  cmn-latn-pinyin --/M      Chinese_(Mandarin,_latin_as_Pinyin) sit/cmn-Latn-pinyin  (zh-cmn 5)(zh 5)\n';
const CARDS = 'card 0: PCH [HDA Intel PCH], device 0: ALC892 Analog [ALC892 Analog]\n';

/** A stand-in for the system's programs: answers by program name, and remembers what it was asked to run. */
function system(answers: Record<string, Partial<CommandResult>>) {
  const runs: string[][] = [];
  const run: RunCommand = async (program, args) => {
    runs.push([program, ...args]);
    const a = answers[program];
    return a ? { code: 0, stdout: '', stderr: '', ...a } : { code: -1, stdout: '', stderr: `spawn ${program} ENOENT` };
  };
  return { run, runs };
}

describe('finding the agent\'s voice', () => {
  it.each([
    ['usable with espeak-ng, its pinyin voice and a sound card', { 'espeak-ng': { stdout: VOICES }, aplay: { stdout: CARDS } }, { usable: true }],
    ['not without espeak-ng', { aplay: { stdout: CARDS } }, { usable: false, reason: 'no-espeak-ng' }],
    ['not without the pinyin voice', { 'espeak-ng': { stdout: ' 5  cmn  --/M  Chinese_(Mandarin)\n' }, aplay: { stdout: CARDS } }, { usable: false, reason: 'no-pinyin-voice' }],
    ['not without aplay', { 'espeak-ng': { stdout: VOICES } }, { usable: false, reason: 'no-player' }],
    ['not without a sound card', { 'espeak-ng': { stdout: VOICES }, aplay: { code: 1, stderr: 'aplay: device_list:279: no soundcards found...' } }, { usable: false, reason: 'no-sound-card' }],
  ])('is %s', async (_name, answers, expected) => {
    expect(await checkEspeak(system(answers).run)).toEqual(expected);
  });
});

describe('the espeak-ng speaker', () => {
  it('writes the call in pinyin with the Mandarin pinyin voice and plays it, the chime first', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hall-voice-'));
    const { run, runs } = system({ 'espeak-ng': {}, aplay: {} });
    const speaker = espeakSpeaker(dir, run);
    await speaker.chime();
    await speaker.say('请A012号到3号窗口办理', { seq: 1, ticket: 'A012', window: 3, recall: false, at: 0 });
    expect(runs).toEqual([
      ['aplay', '-q', path.join(dir, 'chime.wav')],
      ['espeak-ng', '-v', 'cmn-latn-pinyin', '-s', '140', '-w', path.join(dir, 'call.wav'), 'qing3 ei1 ling2 yi1 er4 hao4 dao4 san1 hao4 chuang1 kou3 ban4 li3'],
      ['aplay', '-q', path.join(dir, 'call.wav')],
    ]);
    expect(fs.readFileSync(path.join(dir, 'chime.wav')).subarray(0, 4).toString()).toBe('RIFF');
  });

  it('fails the sound (for the queue to report) when nothing can play it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hall-voice-'));
    const { run } = system({ 'espeak-ng': {}, aplay: { code: 1, stderr: 'aplay: main:831: audio open error: No such file or directory' } });
    await expect(espeakSpeaker(dir, run).chime()).rejects.toThrow(/audio open error/);
  });
});

describe('the chime', () => {
  it('is a 16-bit mono WAV of a little over a second and a half', () => {
    const wav = chimeWav(16000);
    const view = new DataView(wav.buffer);
    expect(new TextDecoder().decode(wav.subarray(8, 12))).toBe('WAVE');
    expect(view.getUint16(22, true)).toBe(1);
    expect(view.getUint16(34, true)).toBe(16);
    expect(view.getUint32(40, true) / 2 / 16000).toBeCloseTo(1.6, 2);
    // It sounds: some samples are far from silence.
    const samples = new Int16Array(wav.buffer.slice(44));
    expect(Math.max(...samples.map(Math.abs))).toBeGreaterThan(5000);
  });
});

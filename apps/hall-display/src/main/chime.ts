/** The hall's chime (a falling two-note ding-dong) as a 16-bit mono WAV, made here so that no sound file ships. */
export function chimeWav(sampleRate = 16000): Uint8Array {
  const notes = [
    { hz: 784, from: 0, seconds: 0.9 },
    { hz: 587, from: 0.45, seconds: 1.1 },
  ];
  const total = Math.ceil(sampleRate * 1.6);
  const samples = new Int16Array(total);
  for (let i = 0; i < total; i++) {
    const t = i / sampleRate;
    let v = 0;
    for (const n of notes) {
      const local = t - n.from;
      if (local < 0 || local > n.seconds) continue;
      const attack = Math.min(1, local / 0.01);
      v += 0.35 * attack * Math.exp(-3.2 * local) * Math.sin(2 * Math.PI * n.hz * local);
    }
    samples[i] = Math.max(-1, Math.min(1, v)) * 32767;
  }
  const bytes = new Uint8Array(44 + samples.byteLength);
  const view = new DataView(bytes.buffer);
  const text = (offset: number, s: string) => [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples.byteLength, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, samples.byteLength, true);
  bytes.set(new Uint8Array(samples.buffer), 44);
  return bytes;
}

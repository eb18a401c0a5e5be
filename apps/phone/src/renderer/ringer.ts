type AudioCtor = typeof AudioContext;

/**
 * How the open page alerts its citizen: a chime (Web Audio, unlocked by a tap, as phones demand),
 * vibration where the phone has it, and a system notification where the citizen allowed one. Each
 * only where the browser has it: WeChat's and Alipay's in-app browsers lack some, and the page
 * still shows the alert in large type.
 */
export class Ringer {
  private audio: AudioContext | undefined;
  enabled = false;

  get notifications(): NotificationPermission | 'unsupported' {
    return 'Notification' in window ? Notification.permission : 'unsupported';
  }

  /** Called from the citizen's tap: unlocks the sound, asks for notifications, readies the service worker. */
  async enable(): Promise<void> {
    this.enabled = true;
    this.unlock();
    if ('Notification' in window && Notification.permission === 'default') {
      try {
        await Notification.requestPermission();
      } catch {
        // An old browser with the callback form only, or one that refuses: the page still rings.
      }
    }
    if ('serviceWorker' in navigator && window.isSecureContext) navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => undefined);
  }

  private unlock(): void {
    const Ctor = (window.AudioContext ?? (window as unknown as { webkitAudioContext?: AudioCtor }).webkitAudioContext) as AudioCtor | undefined;
    if (!Ctor) return;
    try {
      this.audio ??= new Ctor();
      void this.audio.resume?.();
      // A silent sound played inside the tap: what iOS needs to let the page sound later.
      const buffer = this.audio.createBuffer(1, 1, 22_050);
      const source = this.audio.createBufferSource();
      source.buffer = buffer;
      source.connect(this.audio.destination);
      source.start(0);
    } catch {
      this.audio = undefined;
    }
  }

  ring(kind: 'near' | 'called', title: string, body: string, url: string): void {
    this.chime(kind);
    if (typeof navigator.vibrate === 'function') {
      try {
        navigator.vibrate(kind === 'called' ? [400, 150, 400, 150, 400] : [200, 100, 200]);
      } catch {
        // Vibration refused (no user gesture yet in some browsers): the sound and the page remain.
      }
    }
    this.notify(title, body, `${url}#${kind}`, url);
  }

  private chime(kind: 'near' | 'called'): void {
    const ctx = this.audio;
    if (!ctx) return;
    try {
      const notes = kind === 'called' ? [1046, 784, 1046] : [880, 660];
      let t = ctx.currentTime + 0.02;
      for (const hz of notes) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.frequency.value = hz;
        osc.type = 'sine';
        gain.gain.setValueAtTime(0.0001, t);
        gain.gain.exponentialRampToValueAtTime(0.6, t + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.38);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + 0.4);
        t += 0.45;
      }
    } catch {
      // No sound this time; the page and the vibration still tell.
    }
  }

  private notify(title: string, body: string, tag: string, url: string): void {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    try {
      new Notification(title, { body, tag });
    } catch {
      // Android's browsers allow notifications from a service worker only.
      navigator.serviceWorker?.ready.then((reg) => reg.showNotification(title, { body, tag, data: { url } })).catch(() => undefined);
    }
  }
}

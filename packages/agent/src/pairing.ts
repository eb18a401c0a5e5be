import { terminalNames } from '@servicehall/core';
import { HubMessageSchema, PROTOCOL_VERSION, parseMessage } from '@servicehall/protocol';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import type { TerminalConfig } from './config';
import agentPackage from '../package.json' with { type: 'json' };

/** The terminal software's version, told to the hub for the console's terminal list. */
export const AGENT_VERSION: string = agentPackage.version;

/** Where a terminal keeps the credential it was given at enrolment: its data folder, readable by its owner only. */
export const credentialFile = (config: Pick<TerminalConfig, 'dataDir'>) => path.join(config.dataDir, 'credential.json');

export interface StoredCredential {
  token: string;
  role: TerminalConfig['role'];
  terminal: string;
  window?: number;
  expiresAt: number;
  hubUrl: string;
}

/** The credential stored for this very terminal (same role, id and window), if any. */
export function readCredential(config: TerminalConfig): StoredCredential | undefined {
  let stored: StoredCredential;
  try {
    stored = JSON.parse(fs.readFileSync(credentialFile(config), 'utf8')) as StoredCredential;
  } catch {
    return undefined;
  }
  const same = stored.role === config.role && stored.terminal === config.terminal && (stored.window ?? undefined) === (config.window ?? undefined);
  return same && typeof stored.token === 'string' ? stored : undefined;
}

export function writeCredential(config: TerminalConfig, credential: StoredCredential): void {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const file = credentialFile(config);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(credential, null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(temporary, 0o600);
  fs.renameSync(temporary, file);
}

/** Forgets a credential the hub no longer takes. */
export function removeCredential(config: Pick<TerminalConfig, 'dataDir'>): void {
  fs.rmSync(credentialFile(config), { force: true });
}

/** What a terminal waiting to be enrolled shows on its screen. */
export type PairingState =
  | { status: 'connecting' }
  | {
      status: 'showing';
      code: string;
      expiresAt: number;
      /** How long the code lasts from when the hub gave it, by the hub's clock. */
      validMinutes?: number;
      /** The hall's time zone, in which its end is said; a hub of an earlier release sends none. */
      timeZone?: string;
      role: TerminalConfig['role'];
      terminal: string;
      window?: number;
    }
  | { status: 'paired' };

/**
 * A terminal without a credential asks the hub to enrol it: it shows the six-digit code the hub
 * gives until an administrator types that code in the console, then keeps the credential it is
 * sent (0600 in its data folder). A code that runs out is asked for again; a lost link retries.
 */
export function pairWithHub(
  config: TerminalConfig,
  onState: (state: PairingState) => void,
  log: (message: string) => void = () => undefined,
): { credential: Promise<StoredCredential>; stop(): void } {
  let stopped = false;
  let ws: WebSocket | undefined;
  let retry: NodeJS.Timeout | undefined;
  let renew: NodeJS.Timeout | undefined;
  let attempt = 0;
  let said: string | undefined;
  let resolveCredential!: (c: StoredCredential) => void;
  const credential = new Promise<StoredCredential>((resolve) => (resolveCredential = resolve));
  const ask = () =>
    ws?.send(JSON.stringify({ type: 'pair', protocol: PROTOCOL_VERSION, role: config.role, terminal: config.terminal, window: config.window, version: AGENT_VERSION }));
  const connect = () => {
    if (stopped) return;
    onState({ status: 'connecting' });
    // The same trust as the terminal's own link: the hall's CA only, when it is set (see config.hubCa).
    const socket = new WebSocket(config.hubUrl, { handshakeTimeout: 5000, ...(config.hubCa ? { ca: fs.readFileSync(config.hubCa, 'utf8') } : {}) });
    ws = socket;
    socket.on('open', () => {
      attempt = 0;
      said = undefined;
      ask();
    });
    socket.on('message', (data) => {
      const parsed = parseMessage(HubMessageSchema, data.toString());
      if (!parsed.ok) return log(`主机发来的消息本终端无法识别（主机和终端的版本可能不同，请把二者升级到同一版本）/ the hub sent a message this terminal does not understand: ${parsed.message}`);
      const m = parsed.value;
      if (m.type === 'pairing') {
        const validMinutes = Math.max(1, Math.round((m.expiresAt - (m.hubTime ?? Date.now())) / 60_000));
        onState({ status: 'showing', code: m.code, expiresAt: m.expiresAt, validMinutes, ...(m.timeZone ? { timeZone: m.timeZone } : {}), role: config.role, terminal: config.terminal, ...(config.window !== undefined ? { window: config.window } : {}) });
        clearTimeout(renew);
        // Ask for a fresh code a little before this one runs out, by how long it lasts on the hub's clock: this PC's
        // may be hours off (a new PC), and ahead it had a new code asked every second, too soon to be typed.
        renew = setTimeout(ask, Math.max(1000, m.expiresAt - (m.hubTime ?? Date.now()) - 5000));
      } else if (m.type === 'paired') {
        const stored: StoredCredential = { token: m.token, role: m.role, terminal: m.terminal, ...(m.window !== undefined ? { window: m.window } : {}), expiresAt: m.expiresAt, hubUrl: config.hubUrl };
        writeCredential(config, stored);
        log(`大厅管理员已登记本终端，凭据保存在 ${credentialFile(config)} / enrolled by the hall's administrator; credential kept in ${credentialFile(config)}`);
        stopped = true;
        clearTimeout(renew);
        socket.close();
        onState({ status: 'paired' });
        resolveCredential(stored);
      } else if (m.type === 'error') {
        log(`主机拒绝登记本终端（${m.message}）：请在控制台“终端”页核对本终端的名称和角色，再重新输入屏幕上的配对码 / the hub refused to enrol this terminal: ${m.message}`);
      }
    });
    socket.on('error', (error) => {
      // Said once until the link opens or the problem changes, not at every retry: a wrong hubUrl would fill the log.
      const problem = (error as NodeJS.ErrnoException).code ?? error.message;
      if (problem === said) return;
      said = problem;
      log(unreachableText(config, problem));
    });
    socket.on('close', () => {
      clearTimeout(renew);
      if (stopped) return;
      attempt += 1;
      retry = setTimeout(connect, Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)));
    });
  };
  connect();
  return {
    credential,
    stop() {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(renew);
      ws?.terminate();
    },
  };
}

/** Codes of a certificate the terminal does not trust: the hub's is not signed by the CA in hubCa, or not for the name in hubUrl. */
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|DEPTH_ZERO/;

/** What an installer reads when the pairing link cannot reach the hub: Chinese, then English, naming hubUrl (and hubCa for a certificate). */
export function unreachableText(config: Pick<TerminalConfig, 'hubUrl' | 'hubCa'>, problem: string): string {
  if (UNTRUSTED.test(problem))
    return `连不上大厅服务器 ${config.hubUrl}（${problem}）：主机的证书不是 hubCa（${config.hubCa ?? '未设置'}）中的大厅 CA 签发的，或不是为 hubUrl 中的地址签发的。请复制主机的 tls/ca.crt 并在 hubCa 中写明它，hubUrl 用 init-tls 时 --name 给出的地址；本终端会不断重试。\n` +
      `cannot reach the hub at ${config.hubUrl} (${problem}): its certificate is not signed by the hall CA in hubCa (${config.hubCa ?? 'not set'}), or not for the address in hubUrl. Copy the hub's tls/ca.crt and name it in hubCa, and use in hubUrl an address init-tls was given with --name; this terminal keeps trying.`;
  return `连不上大厅服务器 ${config.hubUrl}（${problem}）：请确认主机在运行，hubUrl 的地址和端口正确（如 wss://192.168.1.10:8600/ws），且本机能连到它；本终端会不断重试，连上后显示配对码。\n` +
    `cannot reach the hub at ${config.hubUrl} (${problem}): check that the hub runs, that hubUrl's address and port are right (e.g. wss://192.168.1.10:8600/ws) and that this machine reaches it; this terminal keeps trying and shows its pairing code once it does.`;
}

const PAGE_TEXT = {
  'zh-CN': {
    title: '终端登记',
    lead: '本终端尚未登记到大厅。请管理员在管理控制台的“终端”页面输入下面的配对码：',
    connecting: '正在连接大厅服务器……',
    who: '终端：',
    expires: '配对码有效期至',
    validFor: '配对码 {n} 分钟内有效',
    paired: '登记完成，正在启动……',
  },
  en: {
    title: 'Enrol this terminal',
    lead: 'This terminal is not enrolled yet. Please ask the administrator to enter this pairing code on the Terminals page of the console:',
    connecting: 'Connecting to the hall’s hub…',
    who: 'Terminal: ',
    expires: 'The code is good until',
    validFor: 'The code is valid for {n} minutes',
    paired: 'Enrolled. Starting…',
  },
} as const;

/** The page a terminal's screen shows while it waits to be enrolled (browser mode and Electron alike); its script is `pairingScript`. */
export function pairingPage(language: TerminalConfig['language'], state?: PairingState): string {
  const t = PAGE_TEXT[language];
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  const showing = state?.status === 'showing' ? state : undefined;
  const code = showing ? `${showing.code.slice(0, 3)} ${showing.code.slice(3)}` : '— — —';
  // Named as the console's waiting list names it (1号窗口终端 window-1), to be checked there before the code is typed.
  const who = showing ? `${terminalNames([showing], language).get(showing.terminal)} · ${showing.terminal}` : '';
  const until = showing ? expiryText(language, showing) : '';
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; object-src 'none'; base-uri 'none'">
<title>${t.title}</title><style>
body{margin:0;height:100vh;display:flex;align-items:center;justify-content:center;background:#0f2f57;color:#fff;font-family:'WenQuanYi Micro Hei','Microsoft YaHei',sans-serif}
main{text-align:center;max-width:80vw}h1{font-size:48px;margin:0 0 24px}p{font-size:26px;line-height:1.6;color:#d6e4f5}
#code{font-size:140px;font-weight:700;letter-spacing:12px;margin:40px 0;font-variant-numeric:tabular-nums;background:#fff;color:#0f2f57;border-radius:24px;padding:20px 48px;display:inline-block}
.small{font-size:20px;color:#9fb8d6}</style></head><body><main>
<h1>${t.title}</h1><p id="lead">${showing ? t.lead : state?.status === 'paired' ? t.paired : t.connecting}</p>
<div id="code" data-testid="pairing-code" data-state="${escape(pairingKey(state))}">${escape(code)}</div>
<p class="small"><span id="who">${escape(who ? `${t.who}${who}` : '')}</span><br><span id="until">${escape(until)}</span></p>
</main><script src="/pairing.js"></script></body></html>`;
}

/**
 * Until when the code is good, as the hall's clocks say it: in the hall's time zone, which the hub sends with the code
 * (this PC's own zone may be another: a PC set up elsewhere, or left at UTC). From a hub that sends none, or a zone
 * this PC does not know, how many minutes it lasts, which is true in any zone.
 */
function expiryText(language: TerminalConfig['language'], showing: Extract<PairingState, { status: 'showing' }>): string {
  const t = PAGE_TEXT[language];
  if (showing.timeZone) {
    try {
      const time = new Date(showing.expiresAt).toLocaleTimeString(language, { timeZone: showing.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      return `${t.expires} ${time}`;
    } catch {
      // A zone this PC's Intl does not know (RangeError): said in minutes below.
    }
  }
  const minutes = showing.validMinutes ?? Math.max(1, Math.round((showing.expiresAt - Date.now()) / 60_000));
  return t.validFor.replace('{n}', String(minutes));
}

/** What the page shows, as one string: the page reloads when the pushed state says otherwise. */
export function pairingKey(state: PairingState | undefined): string {
  return state?.status === 'showing' ? `showing:${state.code}` : (state?.status ?? 'connecting');
}

/** The pairing page's script: it reloads when the code changes or the terminal is enrolled (no polling: the bridge pushes). */
export const pairingScript = `(() => {
  const connect = () => {
    // The bridge wants the secret the agent put in this page.
    const secret = (document.querySelector('meta[name="servicehall-bridge"]') || {}).content || '';
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/bridge?s=' + encodeURIComponent(secret));
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type !== 'push' || m.topic !== 'pairing' || !m.payload) return;
      const key = m.payload.status === 'showing' ? 'showing:' + m.payload.code : m.payload.status;
      if (key !== document.getElementById('code').dataset.state) location.reload();
    };
    ws.onclose = () => setTimeout(() => location.reload(), 1000);
  };
  connect();
})();`;

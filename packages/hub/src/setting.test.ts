import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hubOptionsFromEnv } from './cli';
import { NUMBER_SETTINGS, type NumberSettingName } from './setting';

/** Every number the hub reads from its environment: what it must refuse, and what it must take. */
const CASES: [NumberSettingName, refused: string[], taken: [string, (o: ReturnType<typeof hubOptionsFromEnv>) => unknown, unknown][]][] = [
  ['SERVICEHALL_PORT', ['-1', '65536', '86OO', '8600.5', ' 8600', '1e3'], [['8601', (o) => o.port, 8601], ['0', (o) => o.port, 0]]],
  ['SERVICEHALL_PUBLIC_PORT', ['0', '-8602', '70000', '8602/tcp'], [['8602', (o) => o.publicPort, 8602]]],
  ['SERVICEHALL_MAX_DB_MB', ['0', '-5', '1.5', '10MB', '99999999999', '1e6'], [['2048', (o) => o.maxDatabaseBytes, 2048 * 1024 * 1024], ['2', (o) => o.maxDatabaseBytes, 2 * 1024 * 1024]]],
  ['SERVICEHALL_START_CHECK_WHOLE_MB', ['-1', '0.5', '256M', '99999999999'], [['0', (o) => o.wholeCheckUpToBytes, 0], ['512', (o) => o.wholeCheckUpToBytes, 512 * 1024 * 1024]]],
  // 99999 minutes is beyond what a Node timer can wait: it would fire at once, a backup after another.
  ['SERVICEHALL_BACKUP_EVERY_MINUTES', ['0', '-60', '1.5', '60m', '99999'], [['60', (o) => o.backup?.everyMs, 3_600_000]]],
  ['SERVICEHALL_BACKUP_KEEP_DAILY', ['0', '-7', 'seven', '7.5', '999999'], [['14', (o) => o.backup?.keepDaily, 14]]],
  ['SERVICEHALL_BACKUP_KEEP_WEEKLY', ['-1', '8.5', '99999'], [['0', (o) => o.backup?.keepWeekly, 0]]],
  ['SERVICEHALL_PROMOTE_AFTER_S', ['0', '0.05', '-10', '10s', '86400'], [['2.5', (o) => o.promoteAfterMs, 2500], ['0.5', (o) => o.promoteAfterMs, 500]]],
  ['SERVICEHALL_SEMI_SYNC_TIMEOUT_MS', ['0', '-1', '1000.5', '999999'], [['1500', (o) => o.semiSyncTimeoutMs, 1500]]],
];

// The standby's settings are read only with a peer; its token is given so that none is looked for.
const base = { SERVICEHALL_DATA: '/nonexistent/servicehall-test', SERVICEHALL_BACKUP_DIR: '/nonexistent/backups', SERVICEHALL_PEER: 'http://192.0.2.1:8600', SERVICEHALL_TOKEN: 'a-token-of-sixteen-plus' };

describe("the hub's numeric settings", () => {
  it('cover every number the hub reads', () => {
    expect(CASES.map(([name]) => name).sort()).toEqual(Object.keys(NUMBER_SETTINGS).sort());
  });

  for (const [name, refused, taken] of CASES) {
    it.each(refused)(`refuse ${name}=%j, naming it in Chinese and English`, (value) => {
      let error: unknown;
      try {
        hubOptionsFromEnv({ ...base, [name]: value });
      } catch (e) {
        error = e;
      }
      expect(error, `${name}=${value} was taken`).toBeInstanceOf(Error);
      const { message, zh } = error as Error & { zh?: string };
      expect(message).toContain(`${name} must be a`);
      expect(message).toContain(`not "${value}"`);
      expect(zh).toContain(`${name} 应为`);
      expect(zh).toContain(`而不是“${value}”`);
    });

    it.each(taken)(`take ${name}=%j`, (value, read, expected) => {
      expect(read(hubOptionsFromEnv({ ...base, [name]: value }))).toBe(expected);
    });
  }
});

// A notification file as an installer edits it: a line added without the comma after the one before.
const NOTIFY_FILE = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-setting-')), 'notify.json');
fs.writeFileSync(NOTIFY_FILE, '{\n  "hall": "某某政务服务中心"\n  "sms": []\n}\n');

/** The other settings the hub refuses at start: each named in Chinese words in the Chinese line, the English beside it. */
const OTHERS: [env: Record<string, string>, zh: string, en: string][] = [
  [{ SERVICEHALL_SEED: 'demo2' }, 'SERVICEHALL_SEED 应为 demo', 'SERVICEHALL_SEED is "demo"'],
  [{ SERVICEHALL_TLS_CERT: '/etc/hub.crt' }, 'SERVICEHALL_TLS_CERT 和 SERVICEHALL_TLS_KEY 要一起设置', 'go together'],
  [{ SERVICEHALL_PHONE_STREAMS: 'thread' }, 'SERVICEHALL_PHONE_STREAMS 应为 process', 'not "thread"'],
  [{ SERVICEHALL_STANDBY: '1' }, 'SERVICEHALL_STANDBY=1 需要 SERVICEHALL_PEER', 'needs SERVICEHALL_PEER'],
  [{ SERVICEHALL_PEER: 'ftp://192.0.2.1' }, 'SERVICEHALL_PEER 应为另一台主机的地址', 'not "ftp://192.0.2.1"'],
  [{ SERVICEHALL_PEER: 'https://192.0.2.1:8600', SERVICEHALL_TOKEN: 'a-token-of-sixteen-plus' }, '请把大厅的 CA 证书（ca.crt）复制到', 'copy the hall CA'],
  [{ SERVICEHALL_LIMITS: '{"conections":10}' }, 'SERVICEHALL_LIMITS 的写法有误', 'has no limit "conections"'],
  [{ SERVICEHALL_TRUST_PROXY: 'the-proxy' }, 'SERVICEHALL_TRUST_PROXY 应为代理服务器的地址', 'not "the-proxy"'],
  [{ SERVICEHALL_NOTIFY: '{not json' }, 'SERVICEHALL_NOTIFY 不是有效的 JSON，第 1 行第 2 列：名称要用英文双引号括起来', 'SERVICEHALL_NOTIFY is not valid JSON, line 1, column 2: a name must be in double quotes'],
  [{ SERVICEHALL_NOTIFY_CONFIG: NOTIFY_FILE }, `SERVICEHALL_NOTIFY_CONFIG 的文件 ${NOTIFY_FILE} 不是有效的 JSON，第 3 行第 3 列：前一项后面缺少逗号（该行："sms": []）`, `SERVICEHALL_NOTIFY_CONFIG: ${NOTIFY_FILE} is not valid JSON, line 3, column 3: a comma is missing`],
  [{ SERVICEHALL_NOTIFY_CONFIG: '/nonexistent/notify.json' }, 'SERVICEHALL_NOTIFY_CONFIG 的文件 /nonexistent/notify.json 不存在，请核对路径', 'cannot be read'],
  [{ SERVICEHALL_LIMITS: '{"connections":10,}' }, 'SERVICEHALL_LIMITS 不是有效的 JSON，第 1 行第 18 列：最后一项后面多了一个逗号', 'SERVICEHALL_LIMITS is not valid JSON, line 1, column 18'],
  [{ SERVICEHALL_UPSTREAM_URL: 'postgres://city/db' }, '上报市级平台的设置', 'SERVICEHALL_UPSTREAM_HALL go together'],
];

afterAll(() => fs.rmSync(path.dirname(NOTIFY_FILE), { recursive: true, force: true }));

describe("the hub's other settings", () => {
  it.each(OTHERS)('refuse %j in Chinese words, then English', (env, zh, en) => {
    let error: unknown;
    try {
      hubOptionsFromEnv({ SERVICEHALL_DATA: '/nonexistent/servicehall-test', ...env });
    } catch (e) {
      error = e;
    }
    expect(error, `${JSON.stringify(env)} was taken`).toBeInstanceOf(Error);
    const { message, zh: chinese } = error as Error & { zh?: string };
    expect(chinese).toContain(zh);
    expect(message).toContain(en);
  });
});

/** The hub's switches: each read through one parser, every usual spelling of yes and no, anything else refused naming it. */
const SWITCHES: [name: string, read: (o: ReturnType<typeof hubOptionsFromEnv>) => unknown, on: unknown, off: unknown][] = [
  ['SERVICEHALL_ALLOW_INSECURE', (o) => o.allowInsecure, true, false],
  ['SERVICEHALL_STANDBY', (o) => o.standby ?? false, true, false],
  ['SERVICEHALL_DEMO_ALL_DAY', (o) => o.seed?.items.every((i) => i.issuingHours?.[0]?.to === '24:00'), true, false],
];

describe("the hub's switches", () => {
  for (const [name, read, on, off] of SWITCHES) {
    const env = (text: string) => ({ ...base, SERVICEHALL_SEED: 'demo', [name]: text });
    it.each(['1', 'true', 'yes', 'on', 'YES', 'True', ' on '])(`take ${name}=%j as on`, (text) => expect(read(hubOptionsFromEnv(env(text)))).toBe(on));
    it.each(['0', 'false', 'no', 'off', 'NO', ''])(`take ${name}=%j as off`, (text) => expect(read(hubOptionsFromEnv(env(text)))).toBe(off));
    it.each(['ja', 'y', '2', 'enable'])(`refuse ${name}=%j, naming it and the spellings it takes`, (text) => {
      let error: unknown;
      try {
        hubOptionsFromEnv(env(text));
      } catch (e) {
        error = e;
      }
      expect(error, `${name}=${text} was taken`).toBeInstanceOf(Error);
      expect((error as { zh?: string }).zh).toBe(`${name} 应为 1/true/yes/on（开）或 0/false/no/off（关），而不是“${text}”`);
      expect((error as Error).message).toBe(`${name} is 1/true/yes/on (on) or 0/false/no/off (off), not "${text}"`);
    });
  }
});

describe('SERVICEHALL_HOST', () => {
  // 192.168.1.300 was taken, then refused as a listener without TLS (with TLS or SERVICEHALL_ALLOW_INSECURE=1: getaddrinfo ENOTFOUND, exit code 1).
  it.each(['192.168.1.300', '192.168.1', '10.0.0.1:8600', 'http://192.168.1.10', 'hub hall', '', '256.1.1.1'].filter(Boolean))('refuses %j as not an address, before anything is said of TLS', (host) => {
    let error: unknown;
    try {
      hubOptionsFromEnv({ SERVICEHALL_DATA: '/nonexistent/servicehall-test', SERVICEHALL_HOST: host, SERVICEHALL_ALLOW_INSECURE: '1' });
    } catch (e) {
      error = e;
    }
    expect(error, `${host} was taken`).toBeInstanceOf(Error);
    expect((error as { zh?: string }).zh).toContain(`SERVICEHALL_HOST 应为本机的一个 IP 地址（如 192.168.1.10；0.0.0.0 为本机所有地址）或本机的主机名，而“${host}”不是一个有效的地址`);
    expect((error as Error).message).toContain(`"${host}" is not an address`);
  });

  it.each(['0.0.0.0', '192.168.1.10', '::', '::1', 'fe80::1', 'localhost', 'hub.hall.local', 'hub-1'])('takes %j', (host) => {
    expect(hubOptionsFromEnv({ SERVICEHALL_DATA: '/nonexistent/servicehall-test', SERVICEHALL_HOST: host }).host).toBe(host);
  });
});

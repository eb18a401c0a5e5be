import { spanIn, type AlertKind } from '@servicehall/core';
import type { Breakdown } from '@servicehall/reports';

export type Language = 'zh-CN' | 'en';

/**
 * A time as the page's language writes it (2026/12/7 09:05:00, 12/7/2026, 09:05:00), on the 24-hour clock, in the
 * browser's time zone (the city's own) unless `timeZone` is given. Midnight is 00, never 24.
 */
export const formatTime = (at: number, language: Language, timeZone?: string) =>
  new Date(at).toLocaleString(language, { hourCycle: 'h23', ...(timeZone ? { timeZone } : {}) });

const minutes = (s: number | undefined, unit: string) => (s === undefined ? '—' : `${s < 600 ? (s / 60).toFixed(1) : Math.round(s / 60)} ${unit}`);

const zh = {
  title: '全市政务服务大厅',
  login: {
    title: '登录全市大厅监管',
    id: '账号',
    password: '密码',
    submit: '登录',
    wrong: '账号或密码不正确，请核对后重试。',
    expired: '会话已过期，请重新登录。（登录 12 小时后，或 30 分钟无操作，需重新登录。）',
    locked: (seconds: number) => `这个账号的密码错误次数过多，已暂时锁定：请在 ${seconds} 秒后再试；忘记密码请联系市级管理员。`,
  },
  signOut: '退出',
  language: 'English',
  roles: { city: '市级监管', hall: '大厅管理员' },
  halls: {
    title: '各大厅今日情况',
    hall: '大厅',
    issued: '取号',
    served: '办结',
    waiting: '等候中位数',
    waitP90: '九成等候不超过',
    satisfaction: '满意率',
    rated: '评价数',
    bad: '差评',
    alerts: '未处理提醒',
    behind: '数据同步',
    upToDate: '已同步',
    behindBy: (n: number) => `待同步 ${n} 条`,
    silentSince: (since: string) => `${since} 以来未收到该大厅的消息，数字可能不是最新`,
    attention: (silentSeconds: number | undefined, alerts: number | undefined) =>
      `排在前面：${[silentSeconds !== undefined ? `已 ${spanIn('zh-CN', silentSeconds)}未收到该大厅的消息，请联系该大厅查看主机和网络` : '', alerts !== undefined ? `${alerts} 条提醒未处理` : ''].filter(Boolean).join('；')}`,
    clockOff: (aheadSeconds: number) =>
      `该大厅主机的时钟比市里${aheadSeconds > 0 ? '快' : '慢'} ${spanIn('zh-CN', Math.abs(aheadSeconds))}：大厅按主机的日期和时间统计，今日数字可能为 0 或不准。请校准大厅主机的时间（开启自动对时）。`,
    none: '暂无大厅上报数据。',
    minutes: (s: number | undefined) => minutes(s, '分钟'),
    open: '查看',
  },
  hall: {
    back: '返回全市',
    period: '统计期间',
    badPeriod: '统计期间不对：开始日期不能晚于结束日期，期间最长三年（1098 天）。请重新选择，下表仍是上一次的统计。',
    breakdown: '分组',
    breakdowns: { hall: '全厅', clerk: '工作人员', window: '窗口', item: '事项', department: '部门', hour: '时段', day: '日期', dayHour: '日期时段' } satisfies Record<Breakdown, string>,
    alerts: '未处理的提醒',
    noAlerts: '没有未处理的提醒。',
    cleared: '情况已解除，尚未确认处理',
    kinds: {
      'wait-threshold': '等候超时',
      'long-pause': '窗口暂停过长',
      'device-fault': '设备故障',
      'terminal-offline': '终端离线',
      'devices-not-ready': '开厅前设备未就绪',
      'bad-rating': '差评',
      overdue: '事项逾期',
      'standby-unlinked': '备用主机未同步',
    } satisfies Record<AlertKind, string>,
    key: '项目',
    total: '合计',
    noShows: '过号',
    noWindow: '取号（未到窗口）',
    noItem: '（无事项）',
    window: (n: number) => `${n}号窗口`,
    forbidden: '您只能查看本大厅的数据。',
    notShipped: (hall: string) =>
      `市级平台还没有收到大厅 ${hall} 的数据：该大厅的主机尚未向市级平台上报，或上报时用的是另一个大厅编码。请大厅的安装人员在主机上设置 SERVICEHALL_UPSTREAM_URL 和 SERVICEHALL_UPSTREAM_HALL=${hall} 后重启主机；已设置的，请查看主机日志中关于上报市级平台的提示。`,
  },
  unavailable: '市级数据库暂时无法连接，请稍后刷新。',
};

export type Strings = typeof zh;

const en: Strings = {
  title: "The city's service halls",
  login: {
    title: "Sign in to the city's halls",
    id: 'Account',
    password: 'Password',
    submit: 'Sign in',
    wrong: 'The account or password is not right. Please check and try again.',
    expired: 'Your session has expired: please sign in again. (A session ends 12 hours after sign-in, or after 30 minutes without use.)',
    locked: (seconds: number) => `Too many wrong passwords for this account: it is locked for now. Try again in ${seconds} s; if the password is forgotten, ask the city's administrator.`,
  },
  signOut: 'Sign out',
  language: '中文',
  roles: { city: 'City supervisor', hall: 'Hall administrator' },
  halls: {
    title: 'Every hall today',
    hall: 'Hall',
    issued: 'Tickets',
    served: 'Served',
    waiting: 'Median wait',
    waitP90: '90% waited at most',
    satisfaction: 'Satisfaction',
    rated: 'Ratings',
    bad: 'Bad ratings',
    alerts: 'Unhandled alerts',
    behind: 'Data',
    upToDate: 'Up to date',
    behindBy: (n: number) => `${n} records to come`,
    silentSince: (since: string) => `Not heard from since ${since}: the figures may be behind`,
    attention: (silentSeconds: number | undefined, alerts: number | undefined) =>
      `Listed first: ${[silentSeconds !== undefined ? `not heard from for ${spanIn('en', silentSeconds)}; call the hall to look at its hub and network` : '', alerts !== undefined ? `${alerts} alert${alerts === 1 ? '' : 's'} unhandled` : ''].filter(Boolean).join('; ')}`,
    clockOff: (aheadSeconds: number) =>
      `The hall's hub clock is ${spanIn('en', Math.abs(aheadSeconds))} ${aheadSeconds > 0 ? 'fast' : 'slow'}: the hall counts by its date and time, so today's figures may be empty or wrong. Set the hub's time right (turn on time sync).`,
    none: 'No hall has reported yet.',
    minutes: (s: number | undefined) => minutes(s, 'min'),
    open: 'Open',
  },
  hall: {
    back: 'Back to the city',
    period: 'Period',
    badPeriod: 'This period will not do: its first day may not be after its last, and it covers three years (1,098 days) at most. Please choose again; the table below is still the last one.',
    breakdown: 'By',
    breakdowns: { hall: 'Hall', clerk: 'Clerk', window: 'Window', item: 'Service item', department: 'Department', hour: 'Hour', day: 'Day', dayHour: 'Day and hour' },
    alerts: 'Unhandled alerts',
    noAlerts: 'No unhandled alerts.',
    cleared: 'Condition over, not yet acknowledged',
    kinds: {
      'wait-threshold': 'Long wait',
      'long-pause': 'Window paused too long',
      'device-fault': 'Device fault',
      'terminal-offline': 'Terminal offline',
      'devices-not-ready': 'Devices not ready before opening',
      'bad-rating': 'Bad rating',
      overdue: 'Overdue',
      'standby-unlinked': 'Standby hub not in step',
    },
    key: 'Row',
    total: 'Total',
    noShows: 'No-shows',
    noWindow: 'Issued (no window yet)',
    noItem: '(no item)',
    window: (n: number) => `Window ${n}`,
    forbidden: 'You may see your own hall only.',
    notShipped: (hall: string) =>
      `The city has no data of hall ${hall} yet: its hub has not shipped to the city, or ships under another hall code. Have the hall's installer set SERVICEHALL_UPSTREAM_URL and SERVICEHALL_UPSTREAM_HALL=${hall} on the hub and restart it; where they are set, see the hub's log for what it says of shipping to the city.`,
  },
  unavailable: "The city's database cannot be reached for now. Please refresh later.",
};

export const STRINGS: Record<Language, Strings> = { 'zh-CN': zh, en };

import type { WaitPhrase } from '@servicehall/core';
/** Everything the hall screen says to citizens, one table per language (H-14). The voice is always Mandarin. */

export type DisplayLanguage = 'zh-CN' | 'en';

export interface DisplayStrings {
  defaultHallName: string;
  idle: string;
  pleaseGoTo: string;
  windowLabel(window: number): string;
  /** The call; the window as a number, or as words for a voice. */
  ticketCall(ticket: string, window: number | string): string;
  recallMark: string;
  /** Beside a number taken on a phone (扫码取号). */
  remoteMark: string;
  recentCalls: string;
  noRecentCalls: string;
  waitingTitle: string;
  waitingRow(waiting: number, wait: WaitPhrase): string;
  waitingNone: string;
  /** The waiting list's page indicator, so that a citizen knows more follow. */
  pageOf(page: number, pages: number): string;
  noticesTitle: string;
  /** Used when the terminal's configuration names no notices of its own. */
  defaultNotices: string[];
  complaintTitle: string;
  complaintPhone: string;
  complaintWindow: string;
  complaintNote: string;
  announcing: string;
  voice: Record<'speech-synthesis' | 'espeak-ng' | 'chime-only' | 'deciding', string>;
  link: Record<'connecting' | 'reconnecting' | 'offline' | 'unauthorised' | 'unconfigured', string>;
  privacyNote: string;
}

export const STRINGS: Record<DisplayLanguage, DisplayStrings> = {
  'zh-CN': {
    defaultHallName: '政务服务中心',
    idle: '您好！很高兴为您服务',
    pleaseGoTo: '请到',
    windowLabel: (w) => `${w}号窗口`,
    ticketCall: (t, w) => `请${t}号到${w}号窗口办理`,
    recallMark: '重呼',
    remoteMark: '手机取号',
    recentCalls: '最近叫号',
    noRecentCalls: '请留意叫号，谢谢您的耐心等候',
    waitingTitle: '各事项等候人数及预计等候时间',
    waitingRow: (n, w) =>
      `${n} 人 · ${w.kind === 'next' ? '即将叫号' : w.kind === 'about' ? `约 ${w.minutes} 分钟` : w.kind === 'between' ? `${w.low}–${w.high} 分钟` : '暂无窗口办理'}`,
    waitingNone: '目前没有群众等候，取号后即可办理',
    pageOf: (p, n) => `第 ${p}/${n} 页`,
    noticesTitle: '大厅须知',
    defaultNotices: [
      '请凭号码按序办理，留意屏幕和语音叫号。',
      '如错过叫号，请到综合咨询台，工作人员会为您重新安排。',
      '老年人、残疾人、军人、孕妇可走绿色通道，优先为您办理。',
      '许多事项可通过网上办事大厅办理，欢迎咨询工作人员。',
      '请妥善保管好您的证件和随身财物。',
    ],
    complaintTitle: '意见建议与投诉',
    complaintPhone: '投诉电话',
    complaintWindow: '投诉窗口',
    complaintNote: '您的意见是我们改进工作的动力，欢迎监督。',
    announcing: '正在呼叫',
    voice: {
      'speech-synthesis': '语音叫号',
      'espeak-ng': '语音叫号',
      'chime-only': '提示音叫号，请留意屏幕',
      deciding: '语音准备中',
    },
    link: {
      connecting: '正在连接叫号服务，请稍候。',
      reconnecting: '叫号信息正在更新中，请稍候；如有疑问，请咨询工作人员。',
      offline: '抱歉，叫号信息暂时无法更新，屏幕显示的是最近的叫号；请留意窗口叫号或咨询工作人员。',
      unauthorised: '抱歉，本显示屏暂时无法接收叫号信息，工作人员正在处理；请留意窗口叫号或咨询工作人员。',
      unconfigured: '抱歉，本大厅正在筹备中，暂未开始叫号；如需办事请咨询工作人员。',
    },
    privacyNote: '屏幕与语音只显示号码，不显示个人信息',
  },
  en: {
    defaultHallName: 'Government Service Center',
    idle: 'Welcome! We are glad to serve you',
    pleaseGoTo: 'please go to',
    windowLabel: (w) => `Window ${w}`,
    ticketCall: (t, w) => `Ticket ${t}, please go to window ${w}`,
    recallMark: 'again',
    remoteMark: 'by phone',
    recentCalls: 'Recent calls',
    noRecentCalls: 'Please watch for your number. Thank you for waiting',
    waitingTitle: 'Waiting and expected wait by service',
    waitingRow: (n, w) => `${n} · ${w.kind === 'next' ? 'called shortly' : w.kind === 'about' ? `about ${w.minutes} min` : w.kind === 'between' ? `${w.low}–${w.high} min` : 'no window open yet'}`,
    waitingNone: 'Nobody is waiting now: take a ticket and you will be served soon',
    pageOf: (p, n) => `Page ${p}/${n}`,
    noticesTitle: 'Hall notices',
    defaultNotices: [
      'Please watch and listen for your number.',
      'Missed your call? The service desk will arrange it again.',
      'Priority lane for elderly, disabled, military and pregnant visitors.',
      'Many services are also online: ask our staff.',
      'Please take care of your documents and belongings.',
    ],
    complaintTitle: 'Suggestions and complaints',
    complaintPhone: 'Phone',
    complaintWindow: 'Complaint window',
    complaintNote: 'Your opinion helps us improve. Thank you.',
    announcing: 'Calling',
    voice: {
      'speech-synthesis': 'Voice calls',
      'espeak-ng': 'Voice calls',
      'chime-only': 'Chime only: watch the screen',
      deciding: 'Preparing the voice',
    },
    link: {
      connecting: 'Connecting to the calling service, one moment please.',
      reconnecting: 'The calls are being updated, one moment please; our staff will gladly help you.',
      offline: 'Sorry, the calls cannot be updated just now; the screen shows the latest. Please listen at the windows or ask our staff.',
      unauthorised: 'Sorry, this screen cannot receive calls just now and our staff are on it. Please listen at the windows or ask our staff.',
      unconfigured: 'This hall is being prepared and is not calling numbers yet. We apologise; please ask our staff for help.',
    },
    privacyNote: 'Numbers only: no personal data is shown or said',
  },
};

export function stringsFor(language: string | undefined): DisplayStrings {
  return language === 'en' ? STRINGS.en : STRINGS['zh-CN'];
}

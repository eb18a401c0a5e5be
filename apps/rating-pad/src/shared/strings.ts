import { RATING_LEVEL_NAMES, RATING_LEVELS, type RatingLevel } from '@servicehall/core';
import type { CurrentTicket, PadLanguage } from './api';

/** Reasons a citizen may give for a bad rating (差评原因). Recorded in Chinese whatever the screen's language. */
export const REASON_IDS = ['wait', 'efficiency', 'attitude', 'notice', 'process', 'other'] as const;
export type ReasonId = (typeof REASON_IDS)[number];

export const ASPECT_IDS = ['efficiency', 'skill', 'attitude'] as const;
export type AspectId = (typeof ASPECT_IDS)[number];

interface PadStrings {
  title: string;
  greeting: string;
  clerkNumber: string;
  window: string;
  /** The number the window is calling, before the clerk starts serving it. */
  calling: string;
  serving: string;
  paused: string;
  pausedHint: string;
  closed: string;
  closedHint: string;
  idleHint: string;
  ask: string;
  ticket: string;
  aspectsTitle: string;
  aspects: Record<AspectId, string>;
  levels: Record<RatingLevel, string>;
  qrTitle: string;
  qrHint: string;
  anonymous: string;
  reasonTitle: string;
  reasonAsk: string;
  reasons: Record<ReasonId, string>;
  textLabel: string;
  textPlaceholder: string;
  reasonNeeded: string;
  levelRecorded: string;
  submit: string;
  skip: string;
  thanks: string;
  thanksGood: string;
  thanksBad: string;
  sending: string;
  queued: string;
  refused: string;
  nothingToRate: string;
  alreadyRatedPress: string;
  detailsRefused: string;
  offline: string;
  unconfigured: string;
  connecting: string;
  complaint: string;
  keypadFault: string;
  keypadUnanswered: string;
  languageSwitch: string;
  photoAlt: string;
}

const levelNames = (language: PadLanguage) => Object.fromEntries(RATING_LEVELS.map((l) => [l, RATING_LEVEL_NAMES[l][language]])) as Record<RatingLevel, string>;

/** Every word the rating pad shows, one table per language (zh-CN first). `{name}` marks a value filled in by `fill`. */
export const STRINGS: Record<PadLanguage, PadStrings> = {
  'zh-CN': {
    title: '服务评价',
    greeting: '您好！很高兴为您服务',
    clerkNumber: '工号',
    window: '{n}号窗口',
    calling: '正在呼叫 {ticket} 号',
    serving: '正在为 {ticket} 号办理',
    paused: '暂停服务',
    pausedHint: '窗口暂停服务，请您稍候片刻，或到服务台咨询',
    closed: '本窗口暂未开放',
    closedHint: '请留意大厅叫号屏，或到服务台咨询',
    idleHint: '办理结束后，请您对本次服务作出评价',
    ask: '请您对本次服务作出评价',
    ticket: '号码 {ticket}',
    aspectsTitle: '分项评价（可选）',
    aspects: { efficiency: '办事效率', skill: '业务水平', attitude: '服务态度' },
    levels: levelNames('zh-CN'),
    qrTitle: '手机扫码评价',
    qrHint: '办结后还可扫码再次评价',
    anonymous: '评价匿名提交，不收集您的个人信息',
    reasonTitle: '很抱歉，没能让您满意',
    reasonAsk: '您的评价已记录。如您愿意，请告诉我们原因，我们会认真核实并改进',
    reasons: { wait: '等候时间长', efficiency: '办事效率低', attitude: '服务态度差', notice: '一次性告知不到位', process: '办事流程繁琐', other: '其他' },
    textLabel: '意见建议（可选）',
    textPlaceholder: '请写下您的意见或建议',
    reasonNeeded: '可选择原因或写下意见后提交',
    levelRecorded: '已记录：{level}',
    submit: '提交意见',
    skip: '暂不填写',
    thanks: '感谢您的评价',
    thanksGood: '欢迎您再次前来办事',
    thanksBad: '您的意见已转交核实，我们会及时整改',
    sending: '正在提交您的评价…',
    queued: '网络暂时中断，您的评价已保存，恢复后将自动记录',
    refused: '抱歉，评价未能提交。您可以扫描号票上的二维码评价，或到服务台反映',
    nothingToRate: '当前没有待评价的服务，办理结束后请您再评价',
    alreadyRatedPress: '本次服务已评价，无需再次按键，感谢您的支持',
    detailsRefused: '您的评价已记录；补充的意见未能提交，您可以到服务台反映，我们会认真处理',
    offline: '正在连接服务器，评价将在恢复后记录',
    unconfigured: '本大厅正在筹备中，评价器暂未启用，敬请谅解',
    connecting: '评价器正在连接服务器，请您稍候',
    complaint: '投诉电话 {phone}',
    keypadFault: '评价按键暂不可用，请您使用触摸屏评价',
    keypadUnanswered: '评价按键的指示灯如显示错误，您的按键评价仍然有效，请以屏幕显示为准',
    languageSwitch: 'English',
    photoAlt: '工作人员照片',
  },
  en: {
    title: 'Service rating',
    greeting: 'Hello! Glad to serve you',
    clerkNumber: 'Staff No.',
    window: 'Window {n}',
    calling: 'Calling {ticket}',
    serving: 'Now serving {ticket}',
    paused: 'Service paused',
    pausedHint: 'This window is paused for a moment. Please wait, or ask at the service desk.',
    closed: 'This window is not open yet',
    closedHint: 'Please watch the hall screen for your number, or ask at the service desk.',
    idleHint: 'When your service is finished, please rate it here.',
    ask: 'Please rate the service you received',
    ticket: 'Ticket {ticket}',
    aspectsTitle: 'Details (optional)',
    aspects: { efficiency: 'Efficiency', skill: 'Skill', attitude: 'Attitude' },
    levels: levelNames('en'),
    qrTitle: 'Rate on your phone',
    qrHint: 'You may rate again once your matter is completed',
    anonymous: 'Ratings are anonymous; no personal data is collected',
    reasonTitle: 'We are sorry we did not satisfy you',
    reasonAsk: 'Your rating is recorded. If you wish, tell us why; we will look into it and improve',
    reasons: { wait: 'Long wait', efficiency: 'Slow service', attitude: 'Poor attitude', notice: 'Not told everything at once', process: 'Complicated procedure', other: 'Other' },
    textLabel: 'Your comments (optional)',
    textPlaceholder: 'Write your comments or suggestions here',
    reasonNeeded: 'Choose a reason or write a comment, then submit',
    levelRecorded: 'Recorded: {level}',
    submit: 'Submit',
    skip: 'Skip',
    thanks: 'Thank you for your rating',
    thanksGood: 'We look forward to serving you again',
    thanksBad: 'Your feedback has been passed on, and we will put things right',
    sending: 'Sending your rating…',
    queued: 'The network is briefly down. Your rating is saved and will be recorded once it is back.',
    refused: 'Sorry, the rating could not be recorded. You can rate with the QR code on your ticket, or tell the service desk.',
    nothingToRate: 'There is no finished service to rate yet; please rate when your service is done.',
    alreadyRatedPress: 'This service has been rated; no need to press again. Thank you.',
    detailsRefused: 'Your rating is recorded; your comments could not be sent. Please tell the service desk, and we will look into it.',
    offline: 'Reconnecting to the hall server; ratings will be recorded once it is back.',
    unconfigured: 'This hall is being prepared; the rating pad is not in use yet. We apologise.',
    connecting: 'The rating pad is connecting to the hall server; one moment, please.',
    complaint: 'Complaints: {phone}',
    keypadFault: 'The rating keys are unavailable; please use the touch screen.',
    keypadUnanswered: 'If the rating keys’ lamp shows an error, your press still counts: the screen shows your rating.',
    languageSwitch: '中文',
    photoAlt: 'Photo of the staff member',
  },
};

/** Fills `{name}` marks of a catalogue string. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, key: string) => (key in values ? String(values[key]) : m));
}

/** The reasons as recorded on the rating: always the Chinese words, in the order of the list. */
/** The line under the greeting for the window's current number: called is not yet served. */
export function currentLine(t: PadStrings, current: CurrentTicket): string {
  return fill(current.state === 'serving' ? t.serving : t.calling, { ticket: current.number });
}

export function reasonTexts(ids: readonly string[]): string[] {
  return REASON_IDS.filter((id) => ids.includes(id)).map((id) => STRINGS['zh-CN'].reasons[id]);
}

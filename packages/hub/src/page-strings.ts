import type { Language, TicketState } from '@servicehall/core';

/** What the citizen's own pages (ticket progress, phone rating) say, in each language (rule 7, H-14). */
export const PAGE_TEXT = {
  'zh-CN': {
    badLinkTitle: '链接有误',
    badLink: '抱歉，链接有误，请重新扫描号票上的二维码，或到服务台咨询。',
    unknownLink: '抱歉，链接无法识别，请重新扫描号票上的二维码，或到服务台咨询。',
    progressTitle: '查询进度',
    notToday: '抱歉，未查到该号码今天的记录。如有疑问，请到服务台咨询。',
    item: '办理事项：{item}',
    state: '当前状态：{state}',
    atWindow: '（{window}号窗口）',
    ahead: '前面还有 {ahead} 人，预计等候约 {minutes} 分钟',
    noPersonalData: '页面不会显示您的个人信息。',
    live: '在手机上实时查看排队进度，临近叫号时提醒您',
    rateTitle: '服务评价',
    rateHeading: '{hall} · 服务评价',
    ratePrompt: '号码 {number}，请对本次服务作出评价：',
    rateText: '意见建议（可选）',
    anonymous: '评价匿名提交，不收集您的身份信息。',
    chooseLevel: '抱歉，请选择一个评价等级。',
    thanksTitle: '感谢评价',
    thanks: '感谢您的评价，我们会不断改进服务。',
  },
  en: {
    badLinkTitle: 'Link not valid',
    badLink: 'Sorry, this link is not valid. Please scan the QR code on your ticket again, or ask at the service desk.',
    unknownLink: 'Sorry, this link is not recognised. Please scan the QR code on your ticket again, or ask at the service desk.',
    progressTitle: 'Progress',
    notToday: 'Sorry, this number has no record today. The service desk will gladly help.',
    item: 'Service: {item}',
    state: 'Now: {state}',
    atWindow: ' (window {window})',
    ahead: '{ahead} ahead of you, about {minutes} minutes',
    noPersonalData: 'This page never shows your personal data.',
    live: 'Follow your turn live on this phone, with an alert before you are called',
    rateTitle: 'Rate our service',
    rateHeading: '{hall} · Rate our service',
    ratePrompt: 'Number {number}: how was our service?',
    rateText: 'Comments (optional)',
    anonymous: 'Ratings are anonymous; nothing about you is collected.',
    chooseLevel: 'Sorry, please choose a rating.',
    thanksTitle: 'Thank you',
    thanks: 'Thank you for your rating. We keep improving our service.',
  },
} as const satisfies Record<Language, Record<string, string>>;

export type PageKey = keyof (typeof PAGE_TEXT)['zh-CN'];

export const TICKET_STATE_TEXT: Record<Language, Record<TicketState, string>> = {
  'zh-CN': {
    issued: '等候中',
    called: '已叫号，请到窗口办理',
    serving: '正在办理',
    done: '已办结',
    'no-show': '已过号，请到服务台咨询',
    held: '暂时挂起，请留意窗口呼叫',
    voided: '已作废，请到服务台咨询',
  },
  en: {
    issued: 'Waiting',
    called: 'Called: please go to the window',
    serving: 'Being served',
    done: 'Done',
    'no-show': 'Passed: please ask at the service desk',
    held: 'On hold: please watch for your window',
    voided: 'Cancelled: please ask at the service desk',
  },
};

export function pageText(lang: Language, key: PageKey, vars: Record<string, string | number> = {}): string {
  return PAGE_TEXT[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

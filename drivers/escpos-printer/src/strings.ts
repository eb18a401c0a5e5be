export type Lang = 'zh-CN' | 'en';

const zh = {
  'ticket.yourNumber': '您的号码',
  'ticket.item': '办理事项：{item}',
  'ticket.waiting': '前面还有 {n} 人等候',
  'ticket.noneWaiting': '前面暂无等候，请留意叫号',
  'ticket.expected': '预计等候约 {m} 分钟',
  'ticket.issued': '取号时间：{time}',
  'ticket.scan': '扫码查看排队进度',
  'ticket.closing': '请留意叫号，感谢您的耐心等候',
  'notice.oneTime': '一次性告知单',
  'notice.correction': '补正材料告知书',
  'notice.acceptance': '受理通知书',
  'notice.rejection': '不予受理通知书',
  'notice.caseNumber': '编号：{n}',
  'notice.item': '事项：{item}',
  'notice.department': '部门：{d}',
  'notice.conditions': '办理条件：',
  'notice.materials': '所需材料（共 {n} 项）：',
  'notice.steps': '办理流程：',
  'notice.fees': '收费标准：{fees}',
  'notice.legalLimit': '法定办结时限：{n} 个工作日',
  'notice.promisedLimit': '承诺办结时限：{n} 个工作日',
  'notice.online': '网上办理：{url}',
  'notice.oneTimeClosing': '以上为办理本事项所需的全部材料，一次告知。',
  'notice.correctionIntro': '您提交的申请材料需要补正，现将需补正的全部材料一次告知如下：',
  'notice.correctionDeadline': '请于 {date} 前补正，补正齐全后我们将及时为您办理。',
  'notice.acceptanceIntro': '您的申请材料齐全，符合法定形式，现予受理。',
  'notice.acceptedOn': '受理日期：{date}',
  'notice.dueDate': '办结日期：{date} 前',
  'notice.acceptanceClosing': '我们将在承诺时限内办结，扫码可查询办理进度。',
  'notice.rejectionIntro': '经审查，您的申请不予受理，理由如下：',
  'notice.remedy': '如对本决定有异议，可依法申请行政复议或者提起行政诉讼。',
  'notice.window': '窗口：{w}',
  'notice.clerk': '经办人工号：{c}',
  'notice.date': '日期：{date}',
  'notice.phone': '咨询监督电话：{p}',
  'material.original': '原件',
  'material.copy': '复印件',
  'material.original-and-copy': '原件及复印件',
  'material.electronic': '电子件',
  'material.count': '{n} 份',
  'material.note': '说明：{note}',
  'material.reason': '补正原因：{reason}',
} as const;

export type StringKey = keyof typeof zh;

const en: Record<StringKey, string> = {
  'ticket.yourNumber': 'Your number',
  'ticket.item': 'Service: {item}',
  'ticket.waiting': '{n} people ahead of you',
  'ticket.noneWaiting': 'You are next, please listen for your number',
  'ticket.expected': 'Expected wait: about {m} min',
  'ticket.issued': 'Issued: {time}',
  'ticket.scan': 'Scan to follow the queue',
  'ticket.closing': 'Please listen for your number. Thank you for waiting.',
  'notice.oneTime': 'One-time notice of requirements',
  'notice.correction': 'Notice of materials to complete',
  'notice.acceptance': 'Notice of acceptance',
  'notice.rejection': 'Notice of non-acceptance',
  'notice.caseNumber': 'Case: {n}',
  'notice.item': 'Service: {item}',
  'notice.department': 'Department: {d}',
  'notice.conditions': 'Conditions:',
  'notice.materials': 'Materials ({n} items):',
  'notice.steps': 'Steps:',
  'notice.fees': 'Fees: {fees}',
  'notice.legalLimit': 'Legal time limit: {n} working days',
  'notice.promisedLimit': 'Promised time limit: {n} working days',
  'notice.online': 'Online: {url}',
  'notice.oneTimeClosing': 'This notice lists everything the service needs, all at once.',
  'notice.correctionIntro': 'Your application needs the following materials, all listed here at once:',
  'notice.correctionDeadline': 'Please bring them by {date}; we will then process your application promptly.',
  'notice.acceptanceIntro': 'Your application is complete and has been accepted.',
  'notice.acceptedOn': 'Accepted on: {date}',
  'notice.dueDate': 'Due by: {date}',
  'notice.acceptanceClosing': 'We will finish within the promised limit; scan to follow its progress.',
  'notice.rejectionIntro': 'After review, your application cannot be accepted, for this reason:',
  'notice.remedy': 'If you disagree, you may apply for administrative review or bring an administrative lawsuit.',
  'notice.window': 'Window: {w}',
  'notice.clerk': 'Clerk no.: {c}',
  'notice.date': 'Date: {date}',
  'notice.phone': 'Enquiries and complaints: {p}',
  'material.original': 'original',
  'material.copy': 'copy',
  'material.original-and-copy': 'original and copy',
  'material.electronic': 'electronic',
  'material.count': '{n} pc',
  'material.note': 'Note: {note}',
  'material.reason': 'Reason: {reason}',
};

export const STRINGS: Record<Lang, Record<StringKey, string>> = { 'zh-CN': zh, en };

/** H-14: phrases that may never reach a citizen. */
export const FORBIDDEN_PHRASES = ['不知道', '不清楚', '不归我管', '你自己看', '急什么', '快点', '下班了，明天再来'] as const;

export function forbiddenPhraseIn(text: string): string | undefined {
  return FORBIDDEN_PHRASES.find((p) => text.includes(p));
}

export function t(lang: Lang, key: StringKey, vars: Record<string, string | number> = {}): string {
  return STRINGS[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

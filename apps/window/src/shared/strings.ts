/**
 * Everything the window terminal says, one table per language (H-14): the clerk's screen, and the
 * window's number display that citizens read. The printed notices' words live in the printer driver.
 */

import { CASE_STATE_NAMES, type CaseState, type Lane, type PriorityReason, type RatingLevel, type WaitPhrase } from '@servicehall/core';

export type WindowLanguage = 'zh-CN' | 'en';

export interface WindowStrings {
  appName: string;
  windowLabel(n: number): string;
  // sign-in
  signInTitle: string;
  signInHint: string;
  /** The window was closed by the hall day's end at `time` (its clerk did not sign out): why the sign-in screen shows. */
  dayEndedNotice(time: string): string;
  clerkNumber: string;
  pin: string;
  signIn: string;
  signingIn: string;
  signInErrors: { unauthorised: string; locked: string; notFound: string; conflict: string; missing: string; pinChangeRequired: string; triesLeft(n: number): string };
  // header
  clerkLabel(number: string, name?: string): string;
  signOut: string;
  pause: string;
  resume: string;
  pausedTitle: string;
  pausedFor(reason: string, minutes: number, seconds: number): string;
  pausedHint: string;
  // queue
  queueTitle: string;
  waitingTotal(n: number): string;
  waitingByItem(n: number, wait: WaitPhrase): string;
  queueEmpty: string;
  heldTitle: string;
  heldEmpty: string;
  callBack: string;
  callOutOfOrder: string;
  lane: Record<Lane, string>;
  priority: Record<PriorityReason, string>;
  transferredMark: string;
  /** A number taken on the citizen's phone (扫码取号). */
  remoteMark: string;
  /** Said under a called remote ticket: the citizen may be on the way; the no-show rules are the same. */
  remoteHint: string;
  // current
  currentTitle: string;
  noCurrent: string;
  calledHint: string;
  ticketState: Record<'called' | 'serving', string>;
  calledAgo(minutes: number): string;
  servingFor(minutes: number): string;
  recallsCount(n: number, limit: number): string;
  recallIn(seconds: number): string;
  firstClerk(number: string, name?: string): string;
  transferLine(from: string, to: string, reason: string): string;
  // actions
  actions: Record<'callNext' | 'recall' | 'start' | 'finish' | 'noShow' | 'hold' | 'transfer' | 'pause', string>;
  // serve panel
  serveTitle: string;
  serveHint: string;
  item: string;
  outcome: Record<'accepted' | 'correction' | 'rejected' | 'consultation', string>;
  outcomeHint: Record<'accepted' | 'correction' | 'rejected' | 'consultation', string>;
  continuesCase: string;
  continuesCaseHint: string;
  missingMaterials: string;
  missingReason: string;
  missingReasons: string[];
  rejectReason: string;
  rejectReasonHint: string;
  applicant: string;
  applicantName: string;
  applicantId: string;
  applicantPhone: string;
  recordOutcome: string;
  chooseOneMaterial: string;
  reasonRequired: string;
  materialForm: Record<'original' | 'copy' | 'original-and-copy' | 'electronic', string>;
  // results
  recorded: Record<'accepted' | 'correction' | 'rejected' | 'consultation', string>;
  printed: Record<'acceptance' | 'correction' | 'rejection' | 'one-time', string>;
  printFailed(code: string): string;
  reprint: string;
  breachTitle: string;
  breachText(materials: string[]): string;
  // amending an outcome of this visit (H-07), and a notice that breaks 一次性告知 (H-03)
  recordedHere(outcome: string, caseNumber: string): string;
  amendReason: string;
  amendReasonHint: string;
  amendReasonRequired: string;
  amendOutcome: string;
  amended(from: string, to: string): string;
  amendmentLine(from: string, to: string, reason: string): string;
  breachDialogTitle: string;
  breachDialogText(materials: string[]): string;
  breachReason: string;
  breachReasonHint: string;
  breachReasonRequired: string;
  breachConfirm: string;
  breachBack: string;
  breachGiven(reason: string): string;
  // transfer
  transferTitle: string;
  transferKind: { transfer: string; referral: string };
  toItem: string;
  toWindow: string;
  anyWindow: string;
  consultationDesk(n: number): string;
  /** After a window's name in the transfer list: nobody is signed in there. */
  windowNotOpen: string;
  /** Beside a chosen window nobody is signed in at (or who signed out while the dialog was open): the citizen waits until someone signs in there. */
  transferTargetClosed: string;
  /** Sign-out refused: a ticket held here, or transferred to this window, still waits for it alone. */
  signOutWaiting: string;
  transferReason: string;
  transferReasonHint: string;
  transferDo: string;
  referralDo: string;
  // out-of-order
  outOfOrderTitle(number: string): string;
  outOfOrderReason: string;
  outOfOrderReasons: string[];
  // pause
  pauseTitle: string;
  pauseReasons: string[];
  pauseOther: string;
  pauseOtherHint: string;
  pauseDo: string;
  // common
  cancel: string;
  confirm: string;
  otherReason: string;
  // cases
  casesTitle: string;
  casesEmpty: string;
  caseState: Record<CaseState, string>;
  /** A case's two due dates, each with its label: shown side by side, each kept on one line. */
  dueDates(promised: string, legal: string): [string, string];
  dueUncertain: string;
  notices(n: number): string;
  // rating
  ratingWaiting(ticket: string): string;
  ratingDone(ticket: string, level: string, isDefault: boolean): string;
  ratingLevel: Record<RatingLevel, string>;
  ratingNote: string;
  // neighbours and devices
  neighboursTitle: string;
  neighbourIdle: string;
  neighbourPaused: string;
  neighbourClosed: string;
  devices: { printer: string; display: string; absent: string; ok: string; fault(code: string): string; warning(code: string): string };
  /** A device's or a print's code (paper-end, offline, ...) in words; never the code itself in a sentence. */
  deviceCode(code: string): string;
  link: Record<'connecting' | 'reconnecting' | 'offline' | 'unauthorised' | 'unconfigured' | 'online', string>;
  privacyNote: string;
  shortcutsNote: string;
  // answers
  answer: Record<string, string>;
  done: Record<'callNext' | 'recall' | 'start' | 'finish' | 'noShow' | 'hold' | 'transfer' | 'referral' | 'pause' | 'resume' | 'callTicket', (ticket?: string) => string>;
  /** 应急模式: no hub; the clerk calls a typed number (应急手动叫号) and records the outcome here. */
  emergency: {
    title: string;
    message: string;
    typeNumber: string;
    placeholder: string;
    call: string;
    start: string;
    finish: string;
    noShow: string;
    current: string;
    none: string;
    state: Record<'called' | 'serving' | 'finished' | 'noShow', string>;
    recent: string;
    recentEmpty: string;
    waiting(n: number): string;
    allIn: string;
    invalidNumber: string;
  };
  // the number display above the window, read by citizens
  /** callLines: the call under the greeting, fullest first; the display takes the first that fits it whole. */
  display: { greeting: string; paused: string; pausedHint: string; windowLabel(n: number): string; callLines(number: string, window: number): string[] };
}

const ZH_DEVICE_CODES: Record<string, string> = {
  absent: '未配置',
  'paper-end': '缺纸',
  'paper-near-end': '纸将用完',
  'cover-open': '纸仓盖未合上',
  offline: '未连接',
  timeout: '未应答',
  'cutter-error': '切刀故障',
  'unrecoverable-error': '打印机故障，需维修',
  'write-failed': '设备未接收数据',
  'status-unavailable': '无法读取打印机状态',
  'status-unknown': '打印机状态不明',
  'write-incomplete': '打印中断，可能只打印了一部分',
  'fault-after-write': '打印过程中出现故障',
  'unknown-after-write': '已发送，未确认是否打印完成',
  'no-chinese': '打印机不支持中文',
  'qr-too-long': '二维码内容过长',
  'too-wide': '内容超出纸宽',
  'not-shown': '显示屏无法显示该内容',
  'modbus-exception': '显示屏拒绝了指令',
  'bad-reply': '显示屏应答有误',
  garbled: '信号无法识别，请检查速率和连接线',
  'not-in-step': '尚未收到服务器的记录',
  'no-item': '未找到该事项',
  'not-found': '没有可重新打印的通知书',
};
const EN_DEVICE_CODES: Record<string, string> = {
  absent: 'not set up',
  'paper-end': 'out of paper',
  'paper-near-end': 'paper running low',
  'cover-open': 'cover open',
  offline: 'not connected',
  timeout: 'no answer',
  'cutter-error': 'cutter fault',
  'unrecoverable-error': 'printer fault, needs repair',
  'write-failed': 'the device took no data',
  'status-unavailable': 'its status cannot be read',
  'status-unknown': 'status not known',
  'write-incomplete': 'cut off while printing; part of it may be on paper',
  'fault-after-write': 'a fault while printing',
  'unknown-after-write': 'sent, not confirmed as printed',
  'no-chinese': 'the printer has no Chinese characters',
  'qr-too-long': 'QR code too long',
  'too-wide': 'too wide for the paper',
  'not-shown': 'the display cannot show it',
  'modbus-exception': 'the display refused the command',
  'bad-reply': 'the display answered wrongly',
  garbled: 'nothing it sends can be read: check its speed and cable',
  'not-in-step': 'the record has not arrived from the server yet',
  'no-item': 'unknown item',
  'not-found': 'no notice to reprint',
};
/** A code the screen does not know yet still reads as words, never as the code. */
const zhDeviceCode = (code: string): string => ZH_DEVICE_CODES[code] ?? '设备异常';
const enDeviceCode = (code: string): string => EN_DEVICE_CODES[code] ?? 'device fault';

const zh: WindowStrings = {
  appName: '窗口服务终端',
  windowLabel: (n) => `${n}号窗口`,
  signInTitle: '工作人员签到',
  signInHint: '请输入您的工号和密码，签到后即可开始叫号。',
  dayEndedNotice: (time) => `本窗口上个工作日没有签退，已在闭厅时（${time}）自动签退。请重新签到。`,
  clerkNumber: '工号',
  pin: '密码',
  signIn: '签到',
  signingIn: '正在签到…',
  signInErrors: {
    unauthorised: '工号或密码不正确，请核对后重新输入。',
    locked: '密码错误次数过多，账号已暂时锁定。请稍后再试，或请管理员协助解锁。',
    notFound: '未找到该工号，请核对后重新输入，或联系管理员。',
    conflict: '该工号已在其他窗口签到，请先在原窗口签退。',
    missing: '请输入工号和 4 至 8 位数字密码。',
    pinChangeRequired: '这是管理员给您的初始密码，只能用来登录管理控制台：请先在办公电脑上用工号和它登录管理控制台，设置您自己的密码，再回到本窗口签到。',
    triesLeft: (n) => `还可尝试 ${n} 次。`,
  },
  clerkLabel: (number, name) => (name ? `${name}（工号 ${number}）` : `工号 ${number}`),
  signOut: '签退',
  pause: '暂停',
  resume: '恢复服务',
  pausedTitle: '暂停服务中',
  pausedFor: (reason, m, s) => `暂停原因：${reason}　已暂停 ${m} 分 ${String(s).padStart(2, '0')} 秒`,
  pausedHint: '暂停期间不叫号，窗口显示屏显示“暂停服务”（已叫的号码仍显示，直到群众到达）。恢复后即可继续叫号。',
  queueTitle: '本窗口等候队列',
  waitingTotal: (n) => `共 ${n} 人等候`,
  waitingByItem: (n, w) => (n === 0 ? '无人等候' : `${n} 人 · ${w.kind === 'next' ? '即将叫号' : w.kind === 'about' ? `约 ${w.minutes} 分钟` : w.kind === 'between' ? `${w.low}–${w.high} 分钟` : '无窗口开放'}`),
  queueEmpty: '目前没有群众等候。',
  heldTitle: '挂起的号码',
  heldEmpty: '没有挂起的号码。',
  callBack: '回呼',
  callOutOfOrder: '选叫',
  lane: { ordinary: '普通', priority: '绿色通道', appointment: '预约' },
  priority: { elderly: '老年人', disabled: '残疾人', military: '军人', pregnant: '孕妇', other: '其他优先' },
  transferredMark: '转来',
  remoteMark: '手机取号',
  remoteHint: '手机取号的群众已收到叫号提醒，可能正在赶来；如未到，重呼和弃号规则与现场取号相同。',
  currentTitle: '当前号码',
  noCurrent: '当前没有号码，按 F1 呼叫下一位。',
  calledHint: '群众到窗口后按 F3 开始办理；如未到，可按 F2 重呼，或按 F5 弃号、F6 挂起。',
  ticketState: { called: '已呼叫，等候群众到窗口', serving: '正在办理' },
  calledAgo: (m) => `呼叫于 ${m} 分钟前`,
  servingFor: (m) => `已办理 ${m} 分钟`,
  recallsCount: (n, limit) => `已重呼 ${n}/${limit} 次`,
  recallIn: (s) => `${s} 秒后可重呼`,
  firstClerk: (number, name) => `首问负责人：${name ? `${name}（${number}）` : number}`,
  transferLine: (from, to, reason) => `由“${from}”转至“${to}”：${reason}`,
  actions: { callNext: '呼叫下一位', recall: '重呼', start: '开始办理', finish: '办结', noShow: '弃号', hold: '挂起', transfer: '转办/指引', pause: '暂停' },
  serveTitle: '办理结果',
  serveHint: '每个办理事项记录一个结果；一次来访可办理多个事项。',
  item: '办理事项',
  outcome: { accepted: '受理', correction: '需补正', rejected: '不予受理', consultation: '仅咨询' },
  outcomeHint: {
    accepted: '材料齐全，当场受理：打印受理通知书（含办结日期）。',
    correction: '勾选需补正的全部材料，一次告知：打印补正材料告知书。',
    rejected: '须写明不予受理的理由，理由将打印在通知书上。',
    consultation: '打印一次性告知单，列明办理本事项所需的全部材料。',
  },
  continuesCase: '续办案件编号（补正后再次提交时填写）',
  continuesCaseHint: '新案件请留空',
  missingMaterials: '需补正的材料（请勾选全部）',
  missingReason: '补正原因',
  missingReasons: ['未提供', '不符合要求', '已过有效期', '信息不一致', '不清晰'],
  rejectReason: '不予受理理由',
  rejectReasonHint: '例如：申请事项不属于本机关职权范围，请向有关行政机关申请。',
  applicant: '申请人（可选，屏幕上脱敏显示）',
  applicantName: '姓名',
  applicantId: '身份证号',
  applicantPhone: '手机号',
  recordOutcome: '记录并打印',
  chooseOneMaterial: '请至少勾选一项需补正的材料。',
  reasonRequired: '请填写不予受理的理由。',
  materialForm: { original: '原件', copy: '复印件', 'original-and-copy': '原件及复印件', electronic: '电子件' },
  recorded: { accepted: '已受理', correction: '已出具补正告知', rejected: '已出具不予受理通知', consultation: '已出具一次性告知单' },
  printed: { acceptance: '受理通知书已打印', correction: '补正材料告知书已打印', rejection: '不予受理通知书已打印', 'one-time': '一次性告知单已打印' },
  printFailed: (code) =>
    code === 'absent'
      ? '本窗口未配置通知书打印机，结果已记录。请为群众出具书面通知，或联系管理员配置打印机。'
      : `通知书未能打印（${zhDeviceCode(code)}），结果已记录。请检查打印机后点“重新打印”。`,
  reprint: '重新打印',
  breachTitle: '注意：违反一次性告知',
  breachText: (m) => `本次补正告知新增了首次告知中未列明的材料：${m.join('、')}。该情况已记录，请向群众致歉并说明。`,
  recordedHere: (o, n) => `本事项本次来访已记录为“${o}”（${n}）。如需更正，请选择正确的结果并填写更正原因，系统将重新打印通知书。`,
  amendReason: '更正原因（必填，记入办理记录）',
  amendReasonHint: '例如：误选了需补正，材料已当场补齐',
  amendReasonRequired: '请填写更正原因。',
  amendOutcome: '更正并重新打印',
  amended: (from, to) => `已由“${from}”更正为“${to}”`,
  amendmentLine: (from, to, reason) => `更正：${from} → ${to}（${reason}）`,
  breachDialogTitle: '将违反一次性告知，请确认',
  breachDialogText: (m) => `本次补正告知新增了此前告知中未列明的材料：${m.join('、')}。一次性告知要求首次即告知全部所需材料。如确需补充告知，请填写原因，确认后打印，并向群众致歉说明。`,
  breachReason: '补充告知的原因（必填，记入办理记录）',
  breachReasonHint: '例如：申请人变更了申请内容',
  breachReasonRequired: '请填写补充告知的原因。',
  breachConfirm: '确认并打印',
  breachBack: '返回修改',
  breachGiven: (r) => `补充告知原因：${r}`,
  transferTitle: '转办 / 指引',
  transferKind: { transfer: '转办（保留排队位置）', referral: '指引到其他窗口或部门' },
  toItem: '转至事项',
  toWindow: '转至窗口',
  anyWindow: '任一办理该事项的窗口',
  consultationDesk: (n) => `${n}号 综合咨询台（多部门事项）`,
  windowNotOpen: '（无人签到）',
  transferTargetClosed: '所选窗口目前无人签到，转过去要等该窗口有人签到后才会叫号。可改选其他窗口，或只选事项（由任一办理该事项的窗口叫号）。',
  signOutWaiting: '挂起或转来本窗口的号码只能由本窗口叫号。请先叫回办理或转办，再签退；临时离开请按“暂停”。',
  transferReason: '原因',
  transferReasonHint: '例如：该事项由出入境窗口办理',
  transferDo: '确认转办',
  referralDo: '确认指引',
  outOfOrderTitle: (n) => `选叫 ${n} 号`,
  outOfOrderReason: '不按顺序呼叫需说明原因',
  outOfOrderReasons: ['群众临时离开后返回', '材料已预审', '特殊困难群众', '领导交办'],
  pauseTitle: '暂停服务',
  pauseReasons: ['离岗', '会议', '休息'],
  pauseOther: '其他',
  pauseOtherHint: '请填写原因',
  pauseDo: '确认暂停',
  cancel: '取消',
  confirm: '确认',
  otherReason: '其他原因',
  casesTitle: '本窗口近期案件',
  casesEmpty: '今天本窗口还没有办理记录。',
  caseState: CASE_STATE_NAMES,
  dueDates: (p, l) => [`承诺办结 ${p}`, `法定办结 ${l}`],
  dueUncertain: '（跨年节假日数据未发布，日期待核）',
  notices: (n) => `补正告知 ${n} 次`,
  ratingWaiting: (t) => `${t} 号已办结：请群众在评价器上评价。`,
  ratingDone: (t, level, d) => `${t} 号评价结果：${level}${d ? '（未评价，系统默认）' : ''}`,
  ratingLevel: { 'very-satisfied': '非常满意', satisfied: '满意', 'basically-satisfied': '基本满意', dissatisfied: '不满意', 'very-dissatisfied': '非常不满意' },
  ratingNote: '评价由群众自主完成，工作人员不代为评价。',
  neighboursTitle: '同类窗口',
  neighbourIdle: '空闲',
  neighbourPaused: '暂停',
  neighbourClosed: '未开',
  devices: {
    printer: '打印机',
    display: '窗口屏',
    absent: '未配置',
    ok: '正常',
    fault: (code) => `故障（${zhDeviceCode(code)}）`,
    warning: (code) => `提醒（${zhDeviceCode(code)}）`,
  },
  deviceCode: (code) => zhDeviceCode(code),
  link: {
    online: '已连接',
    connecting: '正在连接服务器…',
    reconnecting: '与服务器的连接中断，正在重连；请稍候再操作。',
    offline: '暂时连不上服务器。请稍候重试；如持续无法连接，请联系管理员并改为人工登记。',
    unauthorised: '终端令牌未通过验证，请联系管理员核对终端配置。',
    unconfigured: '本大厅正在设置中，管理员完成设置后本终端即可使用。',
  },
  privacyNote: '仅显示本窗口的办理记录，证件号已脱敏',
  shortcutsNote: '快捷键：F1 呼叫 · F2 重呼 · F3 开始 · F4 办结 · F5 弃号 · F6 挂起 · F7 转办 · F8 暂停',
  answer: {
    offline: '暂时连不上服务器，操作未执行。请稍候重试。',
    timeout: '服务器未及时答复。操作可能稍后完成，请留意屏幕状态。',
    invalid: '填写的内容不完整，请核对。',
    'queue-empty': '当前没有等候的号码。',
    'window-busy': '请先处理当前号码（开始办理、办结、弃号或挂起）。',
    'window-closed': '窗口未签到或处于暂停中，请先签到或恢复服务。',
    'recall-limit': '该号码重呼次数已达上限，可办理弃号或挂起。',
    'recall-cooldown': '请稍候片刻再重呼。',
    'illegal-transition': '该号码当前状态不能进行此项操作。',
    'not-served-here': '本窗口不办理该事项，请为群众转办或指引到相应窗口。',
    'not-found': '未找到相关信息，请核对后重试。',
    'bad-request': '填写的内容有误，请核对后重试。',
    conflict: '该操作与当前状态冲突，请稍后重试。',
    forbidden: '本终端无权进行此项操作，请联系管理员。',
    unauthorised: '工号或密码不正确，请核对后重新输入。',
    locked: '密码错误次数过多，账号已暂时锁定。请稍后再试，或请管理员协助解锁。',
    'outcome-recorded': '该事项本次来访已有办理结果，请在下方更正该结果并填写原因。',
    'notice-breach': '本次补正告知新增了此前未列明的材料，请确认原因后再打印。',
    internal: '系统暂时出现问题，请稍后重试；如仍不行，请联系管理员。',
    'sign-in-paused': '本窗口密码错误次数较多，请稍候片刻再签到；如忘记密码，请联系值班负责人。',
    'rate-limited': '操作过于频繁，请稍候片刻再试。',
    'disk-full': '服务器存储空间不足，操作未记录。请改为人工登记，并联系管理员。',
    'id-reused': '操作编号冲突，操作未执行，请重试。',
    'case-lapsed': '该案件的补正期限已过，不能再续办。请清空“续办案件编号”，按新申请记录办理结果，并向群众说明。',
  },
  done: {
    callNext: (t) => `已呼叫 ${t ?? ''} 号`,
    callTicket: (t) => `已呼叫 ${t ?? ''} 号`,
    recall: (t) => `已重呼 ${t ?? ''} 号`,
    start: (t) => `${t ?? ''} 号开始办理`,
    finish: (t) => `${t ?? ''} 号已办结`,
    noShow: (t) => `${t ?? ''} 号已弃号`,
    hold: (t) => `${t ?? ''} 号已挂起`,
    transfer: (t) => `${t ?? ''} 号已转办`,
    referral: (t) => `${t ?? ''} 号已指引`,
    pause: () => '已暂停服务',
    resume: () => '已恢复服务',
  },
  emergency: {
    title: '应急模式',
    message: '系统暂时无法连接。请按号票上的号码手动叫号，并记录办理结果；系统恢复后将自动补录，无需重复操作。',
    typeNumber: '输入号票上的号码',
    placeholder: '如 A981',
    call: '叫号',
    start: '开始办理',
    finish: '办结',
    noShow: '弃号',
    current: '当前号码',
    none: '请输入号码叫号',
    state: { called: '已叫号', serving: '办理中', finished: '已办结', noShow: '已弃号' },
    recent: '本窗口应急叫号记录',
    recentEmpty: '暂无记录',
    waiting: (n) => `${n} 条记录待系统恢复后补录`,
    allIn: '暂无待补录的记录',
    invalidNumber: '请输入号票上的号码，字母加数字，如 A981。',
  },
  display: {
    greeting: '您好！很高兴为您服务',
    paused: '暂停服务',
    pausedHint: '如需帮助请到咨询台',
    windowLabel: (n) => `${n}号窗口`,
    callLines: (number, window) => [`请${number}号到${window}号窗口`, `${number}号到${window}号窗口`],
  },
};

const en: WindowStrings = {
  appName: 'Window terminal',
  windowLabel: (n) => `Window ${n}`,
  signInTitle: 'Clerk sign-in',
  signInHint: 'Enter your clerk number and PIN to start calling.',
  dayEndedNotice: (time) => `This window was not signed out on the last working day: it was signed out when the hall closed (${time}). Please sign in again.`,
  clerkNumber: 'Clerk number',
  pin: 'PIN',
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  signInErrors: {
    unauthorised: 'The clerk number or PIN is not right. Please check and try again.',
    locked: 'Too many wrong PINs: the account is locked for a while. Please try later or ask the administrator to unlock it.',
    notFound: 'No clerk has this number. Please check it, or ask the administrator.',
    conflict: 'This clerk is signed in at another window. Please sign out there first.',
    missing: 'Please enter your clerk number and a PIN of 4 to 8 digits.',
    pinChangeRequired: 'This is the initial PIN the administrator gave you, for the console only: sign in to the console on an office PC with your clerk number and it, choose your own PIN, then sign in at this window.',
    triesLeft: (n) => `${n} tries left.`,
  },
  clerkLabel: (number, name) => (name ? `${name} (no. ${number})` : `Clerk ${number}`),
  signOut: 'Sign out',
  pause: 'Pause',
  resume: 'Resume',
  pausedTitle: 'Paused',
  pausedFor: (reason, m, s) => `Reason: ${reason}   paused for ${m} min ${String(s).padStart(2, '0')} s`,
  pausedHint: 'No calls while paused; the window display shows it (a number already called stays on it until the citizen arrives). Resume to call again.',
  queueTitle: 'Waiting for this window',
  waitingTotal: (n) => `${n} waiting`,
  waitingByItem: (n, w) => (n === 0 ? 'nobody waiting' : `${n} · ${w.kind === 'next' ? 'called shortly' : w.kind === 'about' ? `about ${w.minutes} min` : w.kind === 'between' ? `${w.low}–${w.high} min` : 'no window open'}`),
  queueEmpty: 'Nobody is waiting.',
  heldTitle: 'Held tickets',
  heldEmpty: 'No tickets on hold.',
  callBack: 'Call back',
  callOutOfOrder: 'Call',
  lane: { ordinary: 'Ordinary', priority: 'Priority', appointment: 'Appointment' },
  priority: { elderly: 'Elderly', disabled: 'Disabled', military: 'Military', pregnant: 'Pregnant', other: 'Priority' },
  transferredMark: 'Transferred',
  remoteMark: 'By phone',
  remoteHint: 'This number was taken by phone: the citizen has been alerted and may be on the way. Recall and no-show rules are the same as for a paper ticket.',
  currentTitle: 'Current ticket',
  noCurrent: 'No current ticket. Press F1 to call the next.',
  calledHint: 'When the citizen arrives press F3 to start; otherwise F2 recalls, F5 marks no-show, F6 holds.',
  ticketState: { called: 'Called, waiting for the citizen', serving: 'Being served' },
  calledAgo: (m) => `called ${m} min ago`,
  servingFor: (m) => `serving for ${m} min`,
  recallsCount: (n, limit) => `recalled ${n}/${limit}`,
  recallIn: (s) => `recall possible in ${s} s`,
  firstClerk: (number, name) => `First-responsible clerk: ${name ? `${name} (${number})` : number}`,
  transferLine: (from, to, reason) => `From "${from}" to "${to}": ${reason}`,
  actions: { callNext: 'Call next', recall: 'Recall', start: 'Start', finish: 'Finish', noShow: 'No-show', hold: 'Hold', transfer: 'Transfer/refer', pause: 'Pause' },
  serveTitle: 'Outcome',
  serveHint: 'One outcome for each service item handled; a visit may cover several.',
  item: 'Service item',
  outcome: { accepted: 'Accept', correction: 'Needs correction', rejected: 'Not accepted', consultation: 'Consultation' },
  outcomeHint: {
    accepted: 'Complete: accept now and print the acceptance notice with its due date.',
    correction: 'Tick every missing material at once: the correction notice prints.',
    rejected: 'State the reason; it is printed on the notice.',
    consultation: 'Prints the one-time notice with everything the item needs.',
  },
  continuesCase: 'Case number it continues (when corrections come back)',
  continuesCaseHint: 'Leave empty for a new case',
  missingMaterials: 'Materials to complete (tick all)',
  missingReason: 'Reason',
  missingReasons: ['Not provided', 'Does not meet requirements', 'Expired', 'Inconsistent', 'Illegible'],
  rejectReason: 'Reason for not accepting',
  rejectReasonHint: 'e.g. the matter belongs to another authority; please apply there.',
  applicant: 'Applicant (optional; masked on screen)',
  applicantName: 'Name',
  applicantId: 'ID number',
  applicantPhone: 'Phone',
  recordOutcome: 'Record and print',
  chooseOneMaterial: 'Please tick at least one material.',
  reasonRequired: 'Please state the reason.',
  materialForm: { original: 'original', copy: 'copy', 'original-and-copy': 'original and copy', electronic: 'electronic' },
  recorded: { accepted: 'Accepted', correction: 'Correction notice given', rejected: 'Non-acceptance given', consultation: 'One-time notice given' },
  printed: { acceptance: 'Acceptance notice printed', correction: 'Correction notice printed', rejection: 'Non-acceptance notice printed', 'one-time': 'One-time notice printed' },
  printFailed: (code) =>
    code === 'absent'
      ? 'This window has no notice printer; the outcome is recorded. Give the citizen a written notice, or ask the administrator to set up the printer.'
      : `The notice could not be printed (${enDeviceCode(code)}); the outcome is recorded. Check the printer, then press Reprint.`,
  reprint: 'Reprint',
  breachTitle: 'Attention: one-time notice breached',
  breachText: (m) => `This notice adds material the first notice did not name: ${m.join(', ')}. It is recorded; please apologise and explain.`,
  recordedHere: (o, n) => `This item's outcome in this visit is recorded as "${o}" (${n}). To correct it, choose the right outcome and give the reason; the notice is printed again.`,
  amendReason: 'Why it is corrected (required, kept in the record)',
  amendReasonHint: 'e.g. chose correction by mistake; the materials were completed on the spot',
  amendReasonRequired: 'Please give the reason for the correction.',
  amendOutcome: 'Correct and reprint',
  amended: (from, to) => `Corrected from "${from}" to "${to}"`,
  amendmentLine: (from, to, reason) => `Corrected: ${from} → ${to} (${reason})`,
  breachDialogTitle: 'This breaks the one-time notice: please confirm',
  breachDialogText: (m) => `This correction notice adds material an earlier notice did not name: ${m.join(', ')}. The one-time notice asks for everything at once. If it must be given, state why, confirm to print, and apologise to the citizen.`,
  breachReason: 'Why it is added (required, kept in the record)',
  breachReasonHint: 'e.g. the applicant changed the application',
  breachReasonRequired: 'Please state why the material is added.',
  breachConfirm: 'Confirm and print',
  breachBack: 'Back to the form',
  breachGiven: (r) => `Added because: ${r}`,
  transferTitle: 'Transfer / refer',
  transferKind: { transfer: 'Transfer (keeps the place in line)', referral: 'Refer to another window or department' },
  toItem: 'To service item',
  toWindow: 'To window',
  anyWindow: 'Any window serving the item',
  consultationDesk: (n) => `Window ${n}: general consultation desk`,
  windowNotOpen: ' (nobody signed in)',
  transferTargetClosed: 'Nobody is signed in at the chosen window: the citizen will be called only once someone signs in there. Choose another window, or the item only (any window serving it will call).',
  signOutWaiting: 'A ticket held here or transferred here can be called only from this window, so nobody would serve it after you sign out. Call it back and serve it, or transfer it to another window, then sign out; to step away for a while, pause.',
  transferReason: 'Reason',
  transferReasonHint: 'e.g. handled by the exit-entry windows',
  transferDo: 'Transfer',
  referralDo: 'Refer',
  outOfOrderTitle: (n) => `Call ${n} out of order`,
  outOfOrderReason: 'A call out of order needs a reason',
  outOfOrderReasons: ['Came back after stepping out', 'Materials pre-checked', 'Special difficulty', 'Assigned by a supervisor'],
  pauseTitle: 'Pause service',
  pauseReasons: ['Away from desk', 'Meeting', 'Break'],
  pauseOther: 'Other',
  pauseOtherHint: 'Please state the reason',
  pauseDo: 'Pause',
  cancel: 'Cancel',
  confirm: 'Confirm',
  otherReason: 'Other reason',
  casesTitle: 'Recent cases at this window',
  casesEmpty: 'No cases at this window today yet.',
  caseState: { accepted: 'Accepted', correction: 'Awaiting correction', rejected: 'Not accepted', consulted: 'Consultation', lapsed: 'Correction time passed' },
  dueDates: (p, l) => [`promised ${p}`, `legal ${l}`],
  dueUncertain: ' (holiday data for that year not yet published)',
  notices: (n) => `${n} correction notice(s)`,
  ratingWaiting: (t) => `${t} finished: the citizen is invited to rate on the pad.`,
  ratingDone: (t, level, d) => `${t} rated: ${level}${d ? ' (default, not rated)' : ''}`,
  ratingLevel: { 'very-satisfied': 'Very satisfied', satisfied: 'Satisfied', 'basically-satisfied': 'Basically satisfied', dissatisfied: 'Dissatisfied', 'very-dissatisfied': 'Very dissatisfied' },
  ratingNote: 'Citizens rate on their own; staff never rate for them.',
  neighboursTitle: 'Windows with the same items',
  neighbourIdle: 'free',
  neighbourPaused: 'paused',
  neighbourClosed: 'closed',
  devices: { printer: 'Printer', display: 'Display', absent: 'not set up', ok: 'ready', fault: (code) => `fault (${enDeviceCode(code)})`, warning: (code) => `attention (${enDeviceCode(code)})` },
  deviceCode: (code) => enDeviceCode(code),
  link: {
    online: 'Online',
    connecting: 'Connecting to the hub…',
    reconnecting: 'The link to the hub is down and being restored; please wait a moment.',
    offline: 'The hub cannot be reached. Please retry shortly; if it persists, call the administrator and register by hand.',
    unauthorised: 'The terminal token was not accepted; please ask the administrator to check the configuration.',
    unconfigured: 'The hall is being set up; this terminal is ready once the administrator has finished.',
  },
  privacyNote: "Only this window's visits; ID numbers masked",
  shortcutsNote: 'Keys: F1 call · F2 recall · F3 start · F4 finish · F5 no-show · F6 hold · F7 transfer · F8 pause',
  answer: {
    offline: 'The hub cannot be reached; nothing was done. Please retry shortly.',
    timeout: 'The hub did not answer in time. It may still happen: watch the screen.',
    invalid: 'Something is missing; please check.',
    'queue-empty': 'Nobody is waiting.',
    'window-busy': 'Please deal with the current ticket first (start, finish, no-show or hold).',
    'window-closed': 'The window is not signed in or is paused.',
    'recall-limit': 'This ticket has been recalled the maximum times; mark it no-show or hold it.',
    'recall-cooldown': 'Please wait a moment before recalling.',
    'illegal-transition': 'The ticket cannot do that in its present state.',
    'not-served-here': 'This window does not handle that item; please transfer or refer the citizen.',
    'not-found': 'Nothing was found; please check and retry.',
    'bad-request': 'Something is not right in the form; please check.',
    conflict: 'That conflicts with the present state; please retry shortly.',
    forbidden: 'This terminal may not do that; please ask the administrator.',
    unauthorised: 'The clerk number or PIN is not right.',
    locked: 'Too many wrong PINs: the account is locked for a while.',
    'outcome-recorded': 'This item already has its outcome in this visit; correct that outcome below, with the reason.',
    'notice-breach': 'This notice adds material not named before; confirm why before it is printed.',
    internal: 'Something went wrong; please retry, or call the administrator.',
    'sign-in-paused': 'Too many wrong PINs from this window: please wait a moment before signing in again. If the PIN is forgotten, ask the supervisor on duty.',
    'rate-limited': 'Too many actions at once: please wait a moment and try again.',
    'disk-full': 'The hub is out of storage and did not record this. Please record it by hand and call the administrator.',
    'id-reused': 'The action clashed with an earlier one and was not done: please try again.',
    'case-lapsed': 'The correction time of that case has passed, so it cannot be continued. Clear the case number it continues and record the outcome as a new application, and explain this to the citizen.',
  },
  done: {
    callNext: (t) => `Called ${t ?? ''}`,
    callTicket: (t) => `Called ${t ?? ''}`,
    recall: (t) => `Recalled ${t ?? ''}`,
    start: (t) => `Serving ${t ?? ''}`,
    finish: (t) => `${t ?? ''} finished`,
    noShow: (t) => `${t ?? ''} marked no-show`,
    hold: (t) => `${t ?? ''} on hold`,
    transfer: (t) => `${t ?? ''} transferred`,
    referral: (t) => `${t ?? ''} referred`,
    pause: () => 'Paused',
    resume: () => 'Resumed',
  },
  emergency: {
    title: 'Emergency mode',
    message: 'The system cannot be reached just now. Call the number printed on the ticket by typing it, and record how the visit ended; everything is filed automatically once the system is back.',
    typeNumber: 'Number on the ticket',
    placeholder: 'e.g. A981',
    call: 'Call',
    start: 'Start',
    finish: 'Finish',
    noShow: 'No-show',
    current: 'Now serving',
    none: 'Type a number to call',
    state: { called: 'called', serving: 'serving', finished: 'finished', noShow: 'no-show' },
    recent: 'Typed calls at this window',
    recentEmpty: 'None yet',
    waiting: (n) => `${n} record(s) to be filed when the system is back`,
    allIn: 'No records waiting to be filed',
    invalidNumber: 'Please type the number on the ticket: letters then digits, such as A981.',
  },
  display: {
    greeting: 'Glad to serve you!',
    paused: 'Paused',
    pausedHint: 'Help: enquiry desk',
    windowLabel: (n) => `Window ${n}`,
    callLines: (number, window) => [`No.${number} to window ${window}`, `${number} to window ${window}`, `${number}: window ${window}`],
  },
};

export const STRINGS: Record<WindowLanguage, WindowStrings> = { 'zh-CN': zh, en };

/** A refusal as a polite sentence for the clerk. */
export function answerText(t: WindowStrings, done: { code: string }): string {
  return t.answer[done.code] ?? t.answer.internal!;
}

/** Why signing out was refused: a current ticket to finish first, or (with none) a held or transferred ticket that waits for this window alone. */
export function signOutErrorText(t: WindowStrings, refused: { code: string }, hasCurrent: boolean): string {
  return refused.code === 'window-busy' && !hasCurrent ? t.signOutWaiting : answerText(t, refused);
}

/** Why a sign-in at the window was refused, in the clerk's words: what to do next, never the hub's code. */
export function signInErrorText(t: WindowStrings, refused: { code: string; triesLeft?: number }): string {
  const e = t.signInErrors;
  switch (refused.code) {
    case 'unauthorised':
      return `${e.unauthorised}${refused.triesLeft !== undefined ? e.triesLeft(refused.triesLeft) : ''}`;
    case 'locked':
      return e.locked;
    case 'not-found':
      return e.notFound;
    case 'conflict':
      return e.conflict;
    case 'pin-change-required':
      return e.pinChangeRequired;
    default:
      return answerText(t, refused);
  }
}

export function stringsFor(language: string | undefined): WindowStrings {
  return language === 'en' ? STRINGS.en : STRINGS['zh-CN'];
}

/** Every text of a table, functions called with sample values, for the H-14 check. */
export function allTexts(table: WindowStrings): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'function') {
      const f = v as (...a: unknown[]) => unknown;
      try {
        out.push(String(f('A012', 3, 5)));
      } catch {
        out.push(String(f(['营业执照', '身份证'])));
      }
    }
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(table);
  return out;
}

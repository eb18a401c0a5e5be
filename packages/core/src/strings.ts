import type { RefusalCode } from './result';

export type Language = 'zh-CN' | 'en';

/** 服务忌语: phrases the handbook forbids in anything a citizen sees or hears (H-14). */
export const FORBIDDEN_PHRASES: readonly string[] = ['不知道', '不清楚', '不归我管', '你自己看', '急什么', '快点', '下班了，明天再来', '下班了,明天再来'];

/** A window as the hall writes it in Chinese, with no space: 4号窗口 (the console's, the hub's and the phone's sentences alike). */
export const windowNo = (n: number | string) => `${n}号窗口`;

/** A line break inside one language's sentence (an item code with one) would read as the start of the other's. */
const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ');

/**
 * A refusal's words where no one language was asked for (a command over the hub's link): the hall's
 * Chinese first, the English on the next line, as the hub's own messages to operators are said.
 */
export const inBothLanguages = (zh: string, en: string) => `${oneLine(zh)}\n${oneLine(en)}`;

/**
 * The line of a message said inBothLanguages in `language`: the Chinese line for zh-CN, the English for en;
 * undefined for a message of one line, which is a developer's (English, for scripts and logs).
 */
export function saidIn(message: string, language: Language): string | undefined {
  const lines = message.split('\n');
  if (lines.length !== 2 || !/[\u4e00-\u9fff]/.test(lines[0]!)) return undefined;
  return language === 'en' ? lines[1] : lines[0];
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A day YYYY-MM-DD as a citizen reads it: 12月5日, 5 Dec. */
export function dayInWords(day: string, language: Language): string {
  const [, m, d] = day.split('-').map(Number);
  return language === 'en' ? `${d} ${MONTHS_EN[m! - 1]}` : `${m}月${d}日`;
}

/** Every forbidden phrase found in `text`. */
export function forbiddenPhrasesIn(text: string): string[] {
  const folded = text.replace(/\s+/g, '');
  return FORBIDDEN_PHRASES.filter((p) => folded.includes(p));
}

/**
 * What a citizen or clerk reads when the hub refuses a command: civil, apologetic where the hall is
 * at fault, and always with a way forward. One table per language; the keys are the refusal codes.
 */
export const REFUSAL_TEXT: Record<Language, Record<RefusalCode, string>> = {
  'zh-CN': {
    'bad-request': '抱歉，请求内容有误，请核对后重试。',
    unauthorised: '抱歉，身份验证未通过，请联系管理员核对终端令牌。',
    forbidden: '抱歉，本终端无权进行此项操作。',
    'not-found': '抱歉，未找到相关信息，请核对后重试，或咨询服务台。',
    'illegal-transition': '抱歉，该号码当前状态不能进行此项操作。',
    'recall-limit': '该号码重呼次数已达上限，可办理弃号或挂起。',
    'recall-cooldown': '请稍候片刻再重呼。',
    'queue-empty': '当前没有等候的号码。',
    'not-served-here': '抱歉，本窗口不办理该事项，请为群众指引到相应窗口。',
    'outside-issuing-hours': '抱歉，该事项当前不在取号时段，您可以在取号时段内再来，或通过网上办事大厅办理。',
    'daily-quota-reached': '抱歉，该事项今日号源已发完，您可以预约其他日期，或通过网上办事大厅办理。',
    'numbers-exhausted': '抱歉，该事项今日号码已发完，请咨询服务台为您安排。',
    'window-closed': '本窗口暂未开放或已暂停服务。',
    'window-busy': '本窗口正在办理当前号码，请先完成或弃号。',
    'appointment-unknown': '抱歉，未找到该预约，请核对预约码，或咨询服务台。',
    'appointment-used': '该预约已签到，请留意叫号。',
    'appointment-wrong-day': '抱歉，该预约不是今天的，请在预约日期前来，或咨询服务台改约。',
    conflict: '抱歉，该操作与当前状态冲突，请刷新后重试。',
    'too-large': '抱歉，提交的内容过大。',
    'already-rated': '本次服务已评价，感谢您的支持。',
    'outcome-recorded': '该事项本次已有办理结果；如需更正，请选择“更正结果”并说明原因。',
    'notice-breach': '本次补正告知新增了此前告知中未列明的材料，违反一次性告知要求；如确需告知，请说明原因后确认。',
    locked: '密码错误次数过多，账号已暂时锁定，请稍后再试或联系管理员。',
    unconfigured: '本大厅正在设置中，暂未开始服务，敬请谅解；如需办事请咨询工作人员。',
    'pin-change-required': '这是初始密码，请先登录管理控制台（/console）设置您自己的密码，再签到。',
    'closed-today': '抱歉，该事项今日已暂停取号，请留意大厅公告；您可以改日办理，或通过网上办事大厅办理。',
    'phone-limit': '抱歉，同一手机号今天的线上取号次数已满，您可以到大厅取号机取号，或咨询服务台。',
    'code-limit': '抱歉，该手机号今天的验证码发送次数已满，请明天再试，或到大厅取号机取号。',
    'address-code-limit': '抱歉，您所用的网络今天获取验证码的次数已满，请到大厅取号机取号。',
    'codes-spent': '抱歉，本大厅今天的短信验证码已全部发出，暂时无法验证手机号。请到大厅取号机取号，或明天再试。',
    'remote-closed': '抱歉，本大厅暂未开放手机取号，请到大厅取号机取号。',
    'slot-unavailable': '抱歉，该时段不可预约，请选择其他日期或时段。',
    'slot-full': '抱歉，该时段已约满，请选择其他时段。',
    'booking-limit': '您已有多个未办理的预约，请先办理或取消后再预约。',
    'booking-blocked': '抱歉，因近期多次预约未到，暂时不能预约，到期后可再次预约；您仍可到大厅取号办理。',
    'appointment-cancelled': '该预约已取消。如需办理，请重新预约或到大厅取号。',
    'appointment-withdrawn': '抱歉，本大厅已不再办理该预约的事项，这个预约已由大厅取消。请到服务台咨询，工作人员将为您安排；也可以预约其他事项。',
    'phone-unverified': '抱歉，验证码不正确或已过期，请重新获取验证码。',
    'rate-limited': '抱歉，操作过于频繁，请稍候片刻再试。',
    'case-lapsed': '抱歉，该办件的补正期限已过，需要重新申请，工作人员将为您办理。',
    'command-expired': '抱歉，这项操作提交已久，为避免重复办理未予执行，请重新操作。',
    'clock-ahead': '抱歉，本终端的时钟比主机快了半天以上，这项操作未予执行。请联系管理员校准本机时间后重新操作。',
    internal: '抱歉，系统暂时出现问题，请稍后重试，或到服务台人工办理。',
    'method-not-allowed': '抱歉，此地址不支持这种请求方式，请核对接口说明。',
    'id-reused': '抱歉，该请求编号已用于另一项操作，请使用新的编号重试。',
    'sign-in-paused': '登录尝试过于频繁，请稍候片刻再试；如忘记密码，请联系值班负责人。',
    'too-many-connections': '抱歉，系统当前连接较多，请稍候片刻自动重试。',
    'disk-full': '抱歉，系统存储空间不足，暂时无法记录，请到服务台人工办理，管理员正在处理。',
    'not-in-charge': '系统正在切换到备用服务器，请稍候片刻自动重试。',
    cancelled: '服务器正在停止，这项操作已取消，未作任何更改；服务器重新启动后请再试一次。',
  },
  en: {
    'bad-request': 'Sorry, the request is not valid. Please check it and try again.',
    unauthorised: 'Sorry, this terminal could not be verified. Please ask the administrator to check its token.',
    forbidden: 'Sorry, this terminal may not do that.',
    'not-found': 'Sorry, nothing was found. Please check and try again, or ask at the service desk.',
    'illegal-transition': 'Sorry, this ticket cannot do that in its present state.',
    'recall-limit': 'This ticket has been recalled the maximum number of times; mark it no-show or hold it.',
    'recall-cooldown': 'Please wait a moment before recalling.',
    'queue-empty': 'Nobody is waiting at present.',
    'not-served-here': 'Sorry, this window does not handle that service; please guide the citizen to the right window.',
    'outside-issuing-hours': 'Sorry, tickets for this service are not issued at this hour. Please come back during issuing hours, or apply online.',
    'daily-quota-reached': "Sorry, today's tickets for this service are all taken. You can book another day or apply online.",
    'numbers-exhausted': "Sorry, today's numbers for this service are all issued. The service desk will help you.",
    'window-closed': 'This window is not open or is paused.',
    'window-busy': 'This window is still serving its current ticket; finish it or mark it no-show first.',
    'appointment-unknown': 'Sorry, no appointment has this code. Please check it, or ask at the service desk.',
    'appointment-used': 'This appointment has checked in already; please watch for your number.',
    'appointment-wrong-day': 'Sorry, this appointment is for another day. The service desk can rebook it.',
    conflict: 'Sorry, this conflicts with the present state; please refresh and try again.',
    'too-large': 'Sorry, what was sent is too large.',
    'already-rated': 'This service has been rated already. Thank you.',
    'outcome-recorded': 'This item already has its outcome for this visit; to change it, choose "Amend outcome" and give the reason.',
    'notice-breach': 'This correction notice adds material an earlier notice did not name, against the one-time notice rule; if it must be given, state why and confirm.',
    locked: 'Too many wrong PINs: the account is locked for a while. Try again later or ask the administrator.',
    unconfigured: 'This hall is being set up and is not serving yet. We apologise; please ask our staff for help.',
    'pin-change-required': 'This is the initial PIN: please sign in to the console (/console) and choose your own PIN first, then sign in here.',
    'closed-today': "Sorry, this service has stopped issuing tickets for today; please see the hall's notice. You can come another day or apply online.",
    'phone-limit': 'Sorry, this phone number has taken as many numbers online as allowed today. Please use the kiosk in the hall, or ask at the service desk.',
    'code-limit': 'Sorry, this phone number has had as many codes as allowed today. Please try again tomorrow, or use the kiosk in the hall.',
    'address-code-limit': 'Sorry, the network you are on has asked for as many codes as allowed today. Please take a number at the kiosk in the hall.',
    'codes-spent': "Sorry, the hall has sent all of today's SMS codes and cannot verify phone numbers now. Please use the kiosk in the hall, or try again tomorrow.",
    'remote-closed': 'Sorry, this hall does not give numbers by phone yet. Please use the kiosk in the hall.',
    'slot-unavailable': 'Sorry, this time cannot be booked. Please choose another day or time.',
    'slot-full': 'Sorry, this time is fully booked. Please choose another.',
    'booking-limit': 'You already hold several bookings. Please use or cancel one before booking again.',
    'booking-blocked': 'Sorry, after several missed bookings, booking is paused for a while. You can still take a number in the hall.',
    'appointment-cancelled': 'This booking was cancelled. Please book again or take a number in the hall.',
    'appointment-withdrawn': 'Sorry, this hall no longer offers the service of this booking, so the hall has cancelled it. Please ask at the service desk, where our staff will help you, or book another service.',
    'phone-unverified': 'Sorry, the code is not right or has expired. Please ask for a new one.',
    'rate-limited': 'Sorry, that was a little too often. Please wait a moment and try again.',
    'case-lapsed': 'Sorry, the time for bringing the corrections has passed; the application starts anew, and the clerk will help you.',
    'command-expired': 'Sorry, this action was sent too long ago and was not carried out, so that nothing is done twice. Please do it again.',
    'clock-ahead': 'Sorry, this terminal’s clock is more than half a day ahead of the hub’s, so the action was not carried out. Please ask an administrator to set this PC’s time right, then do it again.',
    internal: 'Sorry, something went wrong on our side. Please try again shortly, or go to the service desk.',
    'method-not-allowed': 'Sorry, this address does not take that kind of request; please check the API description.',
    'id-reused': 'Sorry, this request id was used for another request; please retry with a new id.',
    'sign-in-paused': 'Too many sign-in attempts; please wait a moment. If the PIN is forgotten, ask the supervisor on duty.',
    'too-many-connections': 'Sorry, the hub has too many connections just now; it will be tried again shortly.',
    'disk-full': 'Sorry, the hub is out of storage and cannot record this now. Please go to the service desk; the administrator is on it.',
    'not-in-charge': 'The hall is moving to its standby hub; this will be tried again in a moment.',
    cancelled: 'The hub is stopping, so this was cancelled and nothing was changed. Please try again once it has started again.',
  },
};

/**
 * Where a staff member reads the refusal (the console, an installer's script), the sentences whose way forward
 * is a citizen's (ask at the service desk) say a staff member's instead.
 */
export const STAFF_REFUSAL_TEXT: Record<Language, Partial<Record<RefusalCode, string>>> = {
  'zh-CN': {
    'not-found': '未找到相关信息，请核对后重试。',
    internal: '抱歉，系统暂时出现问题，请稍后重试；如仍不行，请联系系统管理员。',
    'disk-full': '服务器存储空间不足，操作未记录：请联系系统管理员处理。',
    // Staff act on records (a follow-up, a complaint, a case), at a console, not on a ticket at a terminal.
    forbidden: '您的账号无权进行此项操作；如确需办理，请联系督查人员或管理员。',
    'illegal-transition': '该事项当前状态不能进行此项操作，可能已由他人办理：请刷新页面后查看。',
  },
  en: {
    'not-found': 'Nothing was found. Please check and try again.',
    internal: 'Sorry, the system has a problem just now. Please try again shortly; if it persists, contact the system administrator.',
    'disk-full': 'The hub is out of storage and did not record this: please contact the system administrator.',
    forbidden: 'Your account may not do this; if it must be done, ask a supervisor or an administrator.',
    'illegal-transition': 'This cannot be done in its present state; someone may have done it already: refresh the page to see.',
  },
};

export function refusalText(code: RefusalCode, language: Language = 'zh-CN', reader: 'citizen' | 'staff' = 'citizen'): string {
  return (reader === 'staff' ? STAFF_REFUSAL_TEXT[language][code] : undefined) ?? REFUSAL_TEXT[language][code];
}

/**
 * What a person reads for a refusal: the hall's own sentence where its message carries one (core's and the
 * hub's refusals said inBothLanguages: 停止取号公告中有服务忌语（…）…), else the code's polite sentence.
 */
export function refusalTextOf(refusal: { code: RefusalCode; message: string }, language: Language = 'zh-CN', reader: 'citizen' | 'staff' = 'citizen'): string {
  return saidIn(refusal.message, language) ?? refusalText(refusal.code, language, reader);
}

import type { Language } from '@servicehall/core';
import type { NoticeKind } from './notices';

/**
 * What the hall's notifications say, one table per language, Chinese first (rule 7). Placeholders
 * are `{name}`; each notice kind fills its own. No text may use a phrase the handbook forbids (H-14),
 * and none has a place for a name or an ID number (H-19).
 */
export const NOTICE_TEXT = {
  'zh-CN': {
    'wait-threshold': {
      title: '候号时间过长',
      text: '{item}有{waiting}人等候，最长已等{longestMinutes}分钟，超过设定的{thresholdMinutes}分钟，请考虑增开窗口或调配窗口办理该事项。',
    },
    'long-pause': { title: '窗口暂停时间过长', text: '{window}号窗口已暂停{minutes}分钟，超过允许的{allowedMinutes}分钟，请关注。' },
    'device-fault': { title: '设备故障', text: '{terminal}的{device}{fault}，请尽早处理。' },
    'terminal-offline': { title: '终端离线', text: '{terminal}已离线{minutes}分钟，请检查网络和电源。' },
    'devices-not-ready': { title: '开厅前设备检查', text: '{count}台终端尚未报告正常：{terminals}。开厅时间{opensAt}，请尽早检查。' },
    'bad-rating': { title: '差评提醒', text: '{window}号窗口办理的{ticket}号（{item}）收到“{level}”评价，请部门负责人及时核实处理。' },
    overdue: { title: '督办提醒', text: '{subject}{reference}已超过期限（{due}），请尽早办理。' },
    'standby-unlinked': { title: '备用主机未同步', text: '主机已{minutes}分钟没有同步的备用主机，主机电脑一旦故障，大厅将无法自动切换。请检查备用主机及两台主机之间的网络。' },
    'channel-test': { title: '通知渠道测试', text: '这是一条测试消息，本通知渠道工作正常。' },
    'phone-code': { title: '验证码', text: '您的验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。' },
    'ticket-near': { title: '即将叫号', text: '您的号码{ticket}前面还有{ahead}人，请回到大厅留意叫号。' },
    'ticket-called': { title: '叫号通知', text: '请{ticket}号到{window}号窗口办理。' },
    'appointment-withdrawn': { title: '预约已由大厅取消', text: '您预约{day}办理的{item}，因本大厅不再办理该事项，已由大厅取消。请预约其他事项，或到大厅服务台咨询。' },
  },
  en: {
    'wait-threshold': {
      title: 'Long wait',
      text: '{item}: {waiting} waiting, the longest for {longestMinutes} min, past the set {thresholdMinutes} min. Please consider opening a window or adding this item to one.',
    },
    'long-pause': { title: 'Long pause', text: 'Window {window} has been paused for {minutes} min, past the {allowedMinutes} min allowed.' },
    'device-fault': { title: 'Device fault', text: '{terminal}: {device}, {fault}. Please see to it soon.' },
    'terminal-offline': { title: 'Terminal offline', text: '{terminal} has been offline for {minutes} min. Please check its network and power.' },
    'devices-not-ready': { title: 'Device check before opening', text: '{count} terminal(s) have not reported ready: {terminals}. The hall opens at {opensAt}.' },
    'bad-rating': { title: 'Bad rating', text: 'Ticket {ticket} ({item}) at window {window} was rated "{level}". The department head is asked to look into it.' },
    overdue: { title: 'Overdue', text: '{subject} {reference} is past its deadline ({due}). Please see to it soon.' },
    'standby-unlinked': { title: 'Standby hub not in step', text: 'The hub has had no standby in step for {minutes} min: should its PC fail now, the hall cannot switch over. Please check the standby hub and the network between the two hubs.' },
    'channel-test': { title: 'Channel test', text: 'This is a test message: this notification channel works.' },
    'phone-code': { title: 'Verification code', text: 'Your verification code is {code}, valid for {minutes} minutes. If you did not ask for it, please ignore this message.' },
    'ticket-near': { title: 'Your turn is near', text: 'Ticket {ticket}: {ahead} ahead of you. Please come back to the hall and watch for your number.' },
    'ticket-called': { title: 'Your number is called', text: 'Ticket {ticket}, please go to window {window}.' },
    'appointment-withdrawn': {
      title: 'Booking cancelled by the hall',
      text: 'Your booking for {item} on {day} was cancelled by the hall, as the hall no longer offers this service. Please book another service, or ask at the service desk in the hall.',
    },
  },
} as const satisfies Record<Language, Record<NoticeKind, { title: string; text: string }>>;

/**
 * The order of an SMS template's variables ({1}, {2} ...) for each kind: the template registered with
 * the provider is the Chinese text above with these placeholders numbered (see `smsTemplateContent`).
 */
export const SMS_PARAMS: Record<NoticeKind, readonly string[]> = {
  'wait-threshold': ['item', 'waiting', 'longestMinutes', 'thresholdMinutes'],
  'long-pause': ['window', 'minutes', 'allowedMinutes'],
  'device-fault': ['terminal', 'device', 'fault'],
  'terminal-offline': ['terminal', 'minutes'],
  'devices-not-ready': ['count', 'terminals', 'opensAt'],
  'bad-rating': ['window', 'ticket', 'item', 'level'],
  overdue: ['subject', 'reference', 'due'],
  'standby-unlinked': ['minutes'],
  'channel-test': [],
  'phone-code': ['code', 'minutes'],
  'ticket-near': ['ticket', 'ahead'],
  'ticket-called': ['ticket', 'window'],
  'appointment-withdrawn': ['day', 'item'],
};

export const WORDS = {
  'zh-CN': {
    device: { printer: '打印机', display: '叫号显示屏', keypad: '评价按键', voice: '语音播报', scanner: '扫码器', screen: '屏幕' },
    fault: {
      'paper-near-end': '纸将用完',
      'paper-end': '缺纸',
      'cover-open': '纸仓盖未关',
      offline: '离线',
      timeout: '无响应',
      'cutter-error': '切刀故障',
      'no-voice': '无法播报',
      garbled: '信号无法识别',
      'unrecoverable-error': '故障需维修',
      'write-failed': '未接收数据',
      'status-unavailable': '无法读取状态',
      'status-unknown': '状态不明',
      'write-incomplete': '打印中断',
      'fault-after-write': '打印中出现故障',
      'unknown-after-write': '未确认打印完成',
      'no-chinese': '不支持中文',
      'qr-too-long': '二维码内容过长',
      'too-wide': '内容超出纸宽',
      'not-shown': '无法显示该内容',
      'modbus-exception': '拒绝了指令',
      'bad-reply': '应答有误',
    } as Record<string, string>,
    otherFault: '出现故障（{code}）',
    subject: { 'follow-up': '差评整改', complaint: '投诉', 'case-route': '转办件', delivery: '结果送达' },
    listSeparator: '、',
    /** A device fault with what its terminal said of it: which port, what is wrong, what to do. */
    deviceDetail: '{terminal}的{device}{fault}：{detail}',
    /** A long queue raised by how many wait, before anyone has waited past the minutes. */
    waitCount: '{item}有{waiting}人等候，达到设定的{waitingCount}人（最长已等{longestMinutes}分钟），请考虑增开窗口或调配窗口办理该事项。',
  },
  en: {
    device: { printer: 'printer', display: 'number display', keypad: 'rating keys', voice: 'voice', scanner: 'scanner', screen: 'screen' },
    fault: {
      'paper-near-end': 'paper nearly out',
      'paper-end': 'out of paper',
      'cover-open': 'cover open',
      offline: 'offline',
      timeout: 'not answering',
      'cutter-error': 'cutter fault',
      'no-voice': 'cannot speak',
      garbled: 'its signal cannot be read',
      'unrecoverable-error': 'a fault that needs repair',
      'write-failed': 'it took no data',
      'status-unavailable': 'its status cannot be read',
      'status-unknown': 'status not known',
      'write-incomplete': 'cut off while printing',
      'fault-after-write': 'a fault while printing',
      'unknown-after-write': 'printing not confirmed',
      'no-chinese': 'no Chinese characters',
      'qr-too-long': 'QR code too long',
      'too-wide': 'too wide for the paper',
      'not-shown': 'it cannot show that',
      'modbus-exception': 'it refused the command',
      'bad-reply': 'it answered wrongly',
    } as Record<string, string>,
    otherFault: 'fault ({code})',
    subject: { 'follow-up': 'Bad-rating follow-up', complaint: 'Complaint', 'case-route': 'Routed case', delivery: 'Result delivery' },
    listSeparator: ', ',
    deviceDetail: '{terminal}: {device}, {fault}: {detail}',
    waitCount: '{item}: {waiting} waiting, the set {waitingCount} reached (the longest for {longestMinutes} min). Please consider opening a window or adding this item to one.',
  },
} as const;

/** Why an attempt ended as it did, for the audit page and the log. */
export const REASON_TEXT = {
  'zh-CN': {
    delivered: '已送达。',
    'server-error': '对方服务暂时出错，将稍后重试。',
    timeout: '对方未及时应答，将稍后重试；该消息可能已经送达。',
    network: '网络连接失败，将稍后重试。',
    'rate-limited': '发送过于频繁，该渠道暂停片刻后继续。',
    rejected: '对方未接受该消息，请核对渠道配置。',
    'bad-answer': '对方的应答无法识别，将稍后重试。',
    interrupted: '发送中途服务重启，将重新发送；该消息可能重复。',
    'unknown-result': '请求已发出但对方未应答，无法确定短信是否已发出；为免市民收到两条，不再自动重发。',
    'recipient-limit': '该号码的收信次数已达上限，稍后再试或不再发送。',
    expired: '已过时效，不再发送。',
    'no-channel': '该渠道已不在配置中，未发送。',
    'too-many-failures': '多次发送未成功，已停止重试，请核对渠道后手动重发。',
  },
  en: {
    delivered: 'Delivered.',
    'server-error': 'The provider had a temporary error; it will be tried again.',
    timeout: 'The provider did not answer in time; it will be tried again. The message may have arrived.',
    network: 'The connection failed; it will be tried again.',
    'rate-limited': 'Too many messages: the channel pauses for a while, then goes on.',
    rejected: 'The provider did not accept the message; please check the channel settings.',
    'bad-answer': 'The provider answered something unexpected; it will be tried again.',
    interrupted: 'The hub restarted while sending; it will be sent again and may arrive twice.',
    'unknown-result': 'The request went out but no answer came: the SMS may or may not have been sent. Not sent again, so that the citizen does not get it twice.',
    'recipient-limit': 'This number has had as many messages as the provider allows for now.',
    expired: 'Too late to be useful: not sent.',
    'no-channel': 'That channel is no longer configured: not sent.',
    'too-many-failures': 'Failed too many times: no more retries. Please check the channel and send it again by hand.',
  },
} as const satisfies Record<Language, Record<string, string>>;
export type Reason = keyof (typeof REASON_TEXT)['zh-CN'];

/** Why a notice was not queued: the caller's mistake, said politely to whoever reads the console. */
export const REFUSAL_TEXT = {
  'zh-CN': {
    'bad-notice': '抱歉，通知内容不完整或格式有误，未能发送。',
    'personal-data': '抱歉，通知中不能含有姓名、身份证号或手机号，未能发送。',
    'bad-recipient': '抱歉，手机号码格式有误，请核对后重试。',
    'no-recipient': '抱歉，发送短信需要手机号码。',
    'bad-key': '抱歉，通知缺少有效的幂等键。',
    'unknown-channel': '抱歉，没有找到该通知渠道，请核对渠道配置。',
  },
  en: {
    'bad-notice': 'Sorry, the notification is incomplete or malformed and was not sent.',
    'personal-data': 'Sorry, a notification may not carry a name, an ID number or a phone number; it was not sent.',
    'bad-recipient': 'Sorry, the phone number is not valid. Please check it and try again.',
    'no-recipient': 'Sorry, an SMS needs a phone number.',
    'bad-key': 'Sorry, the notification has no valid idempotency key.',
    'unknown-channel': 'Sorry, no such notification channel. Please check the channel settings.',
  },
} as const satisfies Record<Language, Record<string, string>>;
export type RefusalCode = keyof (typeof REFUSAL_TEXT)['zh-CN'];

/** What is wrong with a channel configuration, said to the administrator who wrote it. */
export const CONFIG_TEXT = {
  'zh-CN': {
    heading: '通知渠道配置有误：',
    invalid: '格式不正确',
    oneOf: '应为以下之一：{values}',
    required: '必须填写',
    type: '类型不正确，应为{expected}',
    tooSmall: '太短或太小',
    tooBig: '太长或太大',
    unknownKeys: '不认识的字段：{keys}',
    kind: '渠道类型应为 wecom-robot（企业微信群机器人）、dingtalk-robot（钉钉自定义机器人）、tencent-sms（腾讯云短信）或 log-sms（演示用，写入日志）',
    channelId: '渠道编号只能用小写字母、数字和短横线，以字母或数字开头，最长40个字符',
    duplicateId: '渠道编号重复：{id}',
    webhookUrl: 'webhook 地址应为 https 地址（仅本机测试可用 http）',
    wecomWebhook: '企业微信群机器人的 webhook 地址应形如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
    dingtalkWebhook: '钉钉自定义机器人的 webhook 地址应形如 https://oapi.dingtalk.com/robot/send?access_token=…',
    dingtalkSecret: '钉钉加签密钥应为机器人安全设置中以 SEC 开头的字符串',
    secretId: '腾讯云 SecretId 应以 AKID 开头',
    secretKey: '腾讯云 SecretKey 不正确',
    sdkAppId: '短信 SdkAppId 应为10位数字，例如 1400006666',
    signName: '短信签名应为2到12个字',
    templateId: '短信模板 ID 应为数字',
    phone: '手机号码应为11位中国大陆手机号（可带 +86）',
    noticeKind: '不认识的通知类型',
    citizenOnRobot: '群机器人只发送给工作人员的提醒，不能发送{kind}',
    templateMissing: '短信渠道要发送{kind}，需要为它配置模板 ID',
    endpoint: '接口地址应为 https 地址（仅本机测试可用 http）',
    timeZone: '时区不正确，例如 Asia/Shanghai',
    lease: 'leaseMs 应大于 timeoutMs（一次发送的租期要比超时长）',
    delays: 'maxDelayMs 不能小于 baseDelayMs',
  },
  en: {
    heading: 'The notification channels are not configured correctly:',
    invalid: 'not valid',
    oneOf: 'must be one of: {values}',
    required: 'required',
    type: 'wrong type, expected {expected}',
    tooSmall: 'too short or too small',
    tooBig: 'too long or too large',
    unknownKeys: 'unknown field(s): {keys}',
    kind: 'the channel kind must be wecom-robot (WeChat Work group robot), dingtalk-robot (DingTalk custom robot), tencent-sms (Tencent Cloud SMS) or log-sms (demo: writes to the log)',
    channelId: 'a channel id is lower-case letters, digits and dashes, starting with a letter or digit, at most 40 characters',
    duplicateId: 'channel id used twice: {id}',
    webhookUrl: 'the webhook must be an https address (http only for a local test)',
    wecomWebhook: 'a WeChat Work robot webhook looks like https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
    dingtalkWebhook: 'a DingTalk robot webhook looks like https://oapi.dingtalk.com/robot/send?access_token=…',
    dingtalkSecret: "a DingTalk signing secret is the string starting with SEC in the robot's security settings",
    secretId: 'a Tencent Cloud SecretId starts with AKID',
    secretKey: 'the Tencent Cloud SecretKey is not valid',
    sdkAppId: 'the SMS SdkAppId is 10 digits, e.g. 1400006666',
    signName: 'the SMS signature is 2 to 12 characters',
    templateId: 'an SMS template id is digits',
    phone: 'a phone number is an 11-digit mainland China mobile number (+86 allowed)',
    noticeKind: 'unknown notification kind',
    citizenOnRobot: "group robots carry staff alerts only, not {kind}",
    templateMissing: 'to send {kind} by SMS the channel needs a template id for it',
    endpoint: 'the endpoint must be an https address (http only for a local test)',
    timeZone: 'not a time zone this system knows, e.g. Asia/Shanghai',
    lease: 'leaseMs must be longer than timeoutMs (a claim must outlast one request)',
    delays: 'maxDelayMs may not be below baseDelayMs',
  },
} as const satisfies Record<Language, Record<string, string>>;
export type ConfigTextKey = keyof (typeof CONFIG_TEXT)['zh-CN'];

/** Replaces each `{name}` with its value; a placeholder without a value is a bug and throws. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in "${template}"`);
    return String(value);
  });
}

/** The placeholders a template uses, in order of first appearance. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))];
}

/**
 * The content to register as the SMS template of a kind at the provider: the Chinese text with its
 * variables numbered in the order the provider's TemplateParamSet carries them.
 */
export function smsTemplateContent(kind: NoticeKind, language: Language = 'zh-CN'): string {
  const order = SMS_PARAMS[kind];
  return NOTICE_TEXT[language][kind].text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const i = order.indexOf(name);
    if (i < 0) throw new Error(`{${name}} of ${kind} has no place among its SMS variables`);
    return `{${i + 1}}`;
  });
}

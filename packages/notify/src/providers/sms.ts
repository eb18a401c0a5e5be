import type { SmsChannel } from '../config';
import { maskPhone } from '../privacy';
import { renderNotice, smsParamsOf } from '../render';
import { ANSWER_KEEP, parseJson, send, transportAnswer } from './http';
import { tc3Sign } from './tc3';
import { PrepareError, type NotifyLogger, type OutgoingMessage, type PreparedRequest, type Provider, type ProviderAnswer } from './types';

type TencentChannel = Extract<SmsChannel, { kind: 'tencent-sms' }>;
type LogChannel = Extract<SmsChannel, { kind: 'log-sms' }>;

export const TENCENT_SMS_VERSION = '2021-01-11';
export const THIRTY_SECONDS = 30_000;

/**
 * Tencent Cloud SMS, API 3.0 (SendSms, version 2021-01-11): a JSON POST signed with
 * TC3-HMAC-SHA256. The message is an approved template and its variables, never free text.
 */
export class TencentSms implements Provider {
  constructor(readonly channel: TencentChannel) {}

  prepare(message: OutgoingMessage, now: number): PreparedRequest {
    const templateId = this.channel.templates[message.notice.kind];
    if (!templateId) throw new PrepareError(`no SMS template for ${message.notice.kind} on channel ${this.channel.id}`);
    if (!message.recipient) throw new PrepareError('an SMS needs a phone number');
    const body = JSON.stringify({
      PhoneNumberSet: [message.recipient],
      SmsSdkAppId: this.channel.sdkAppId,
      SignName: this.channel.signName,
      TemplateId: templateId,
      TemplateParamSet: smsParamsOf(message.notice, 'zh-CN'),
    });
    const url = new URL(this.channel.endpoint);
    const contentType = 'application/json; charset=utf-8';
    const timestamp = Math.floor(now / 1000);
    const signed = tc3Sign({ method: 'POST', host: url.host, query: '', contentType, payload: body, service: 'sms', timestamp }, this.channel.secretId, this.channel.secretKey);
    return {
      url: url.toString(),
      method: 'POST',
      headers: {
        'Content-Type': contentType,
        Authorization: signed.authorization,
        'X-TC-Action': 'SendSms',
        'X-TC-Version': TENCENT_SMS_VERSION,
        'X-TC-Region': this.channel.region,
        'X-TC-Timestamp': String(timestamp),
      },
      body,
    };
  }

  async deliver(request: PreparedRequest, signal: AbortSignal): Promise<ProviderAnswer> {
    const result = await send(request, signal);
    return result.kind === 'answer' ? classifyTencentSms(result.status, result.text) : transportAnswer(result)!;
  }
}

/**
 * Tencent's answer is HTTP 200 either way: `Response.Error` for a refused request, else one
 * `SendStatusSet` entry per number whose `Code` is "Ok" or why that number got nothing.
 */
export function classifyTencentSms(status: number, text: string): ProviderAnswer {
  const transport = transportAnswer({ kind: 'answer', status, text });
  if (transport) return transport;
  const answer = text.slice(0, ANSWER_KEEP);
  const body = parseJson(text) as { Response?: { Error?: { Code?: string; Message?: string }; SendStatusSet?: { Code?: string; Message?: string }[] } } | undefined;
  const response = body?.Response;
  const failure = response?.Error ?? response?.SendStatusSet?.[0];
  if (!failure || typeof failure.Code !== 'string') return { outcome: 'retry', reason: 'bad-answer', status, answer, detail: 'no Error and no SendStatusSet in the answer' };
  const code = failure.Code;
  const detail = `${code} ${failure.Message ?? ''}`.trim().slice(0, 300);
  if (code === 'Ok') return { outcome: 'delivered', reason: 'delivered', status, answer, detail };
  if (code.startsWith('RequestLimitExceeded')) return { outcome: 'rate-limited', reason: 'rate-limited', status, answer, detail };
  if (code === 'LimitExceeded.PhoneNumberThirtySecondLimit') return { outcome: 'retry', reason: 'recipient-limit', status, answer, detail, retryAfterMs: THIRTY_SECONDS };
  if (code.startsWith('LimitExceeded.PhoneNumber')) return { outcome: 'rejected', reason: 'recipient-limit', status, answer, detail };
  // InternalError.Timeout is documented as "retry to solve it"; a stale timestamp is this machine's clock.
  if (code.startsWith('InternalError') || code === 'AuthFailure.SignatureExpire') return { outcome: 'retry', reason: 'server-error', status, answer, detail };
  return { outcome: 'rejected', reason: 'rejected', status, answer, detail };
}

/** The demo hall's stand-in: the message goes to the log, the number masked, as a phone would show it. */
export class LogSms implements Provider {
  constructor(
    readonly channel: LogChannel,
    private readonly hall: string,
    private readonly logger: NotifyLogger,
  ) {}

  prepare(message: OutgoingMessage): PreparedRequest {
    if (!message.recipient) throw new PrepareError('an SMS needs a phone number');
    const { text } = renderNotice(message.notice, this.channel.language);
    const body = `【${this.channel.signName ?? this.hall}】${text}`;
    return { url: 'log:sms', method: 'POST', headers: { To: message.recipient }, body };
  }

  async deliver(request: PreparedRequest): Promise<ProviderAnswer> {
    const to = maskPhone(request.headers.To ?? '');
    this.logger.info(`SMS to ${to}: ${request.body}`, { channel: this.channel.id, to });
    return { outcome: 'delivered', reason: 'delivered', detail: `written to the log for ${to}` };
  }
}

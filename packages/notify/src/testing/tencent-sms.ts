import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parseTc3Authorization, tc3Sign } from '../providers/tc3';
import { StandIn, type Answer, type Failure, type Received } from './stand-in';

const SendSmsBody = z.object({
  PhoneNumberSet: z.array(z.string()).min(1).max(200),
  SmsSdkAppId: z.string(),
  TemplateId: z.string(),
  SignName: z.string().optional(),
  TemplateParamSet: z.array(z.string()).optional(),
  ExtendCode: z.string().optional(),
  SessionContext: z.string().optional(),
  SenderId: z.string().optional(),
});

export interface SmsReceived {
  phone: string;
  templateId: string;
  params: string[];
  /** The template with its variables filled: what the phone shows after the 【signature】. */
  text: string;
  signName: string;
}

/**
 * Tencent Cloud SMS, SendSms 2021-01-11, as its documentation describes it: it checks the
 * TC3-HMAC-SHA256 signature against the request it received (headers, body, timestamp within five
 * minutes), the SdkAppId, signature name, template and its variables (at most 12 characters each),
 * and answers `Response.Error` for a refused request or one `SendStatusSet` entry per number.
 * A number gets at most one message in 30 seconds (LimitExceeded.PhoneNumberThirtySecondLimit).
 */
export class TencentSmsStandIn extends StandIn {
  readonly sent: SmsReceived[] = [];
  private readonly lastTo = new Map<string, number>();

  private constructor(
    private readonly setup: { secretId: string; secretKey: string; sdkAppId: string; signName: string; templates: Record<string, string> },
    clock: () => number,
  ) {
    super(clock);
  }

  static start(options: { secretId: string; secretKey: string; sdkAppId: string; signName: string; templates: Record<string, string>; clock?: () => number }): Promise<TencentSmsStandIn> {
    const { clock, ...setup } = options;
    return new TencentSmsStandIn(setup, clock ?? Date.now).listen();
  }

  get endpoint(): string {
    return this.origin;
  }

  protected failureAnswer(failure: Extract<Failure, { kind: 'error' | 'rate-limit' }>): unknown {
    if (failure.kind === 'rate-limit') return this.error('RequestLimitExceeded', 'Your current request times equals to `3000` in a second, which exceeds the frequency limit `3000`.');
    return this.error(String(failure.code), failure.message);
  }

  private error(code: string, message: string) {
    return { Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } };
  }

  protected handle(r: Received): Answer {
    const refuse = (code: string, message: string): Answer => ({ status: 200, body: this.error(code, message), accepted: false });
    if (r.method !== 'POST' || r.path !== '/') return refuse('InvalidAction', 'only POST / is served here');
    const header = (name: string) => {
      const v = r.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const contentType = header('content-type') ?? '';
    if (!contentType.startsWith('application/json')) return refuse('InvalidParameter', 'Content-Type must be application/json');
    if (header('x-tc-action') !== 'SendSms') return refuse('InvalidAction', 'The action requested was not found.');
    if (header('x-tc-version') !== '2021-01-11') return refuse('NoSuchVersion', 'The version requested was not found.');
    if (!header('x-tc-region')) return refuse('MissingParameter', 'The request is missing X-TC-Region.');
    const timestamp = Number(header('x-tc-timestamp'));
    if (!Number.isInteger(timestamp)) return refuse('MissingParameter', 'The request is missing X-TC-Timestamp.');
    if (Math.abs(r.at / 1000 - timestamp) > 300) return refuse('AuthFailure.SignatureExpire', 'The signature expired.');
    const auth = parseTc3Authorization(header('authorization') ?? '');
    if (!auth) return refuse('AuthFailure.InvalidAuthorization', 'The Authorization header is not valid.');
    if (auth.secretId !== this.setup.secretId) return refuse('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    const expected = tc3Sign(
      { method: 'POST', host: header('host') ?? '', query: '', contentType, payload: r.body, service: 'sms', timestamp },
      this.setup.secretId,
      this.setup.secretKey,
    );
    if (auth.service !== 'sms' || auth.date !== expected.date || auth.signedHeaders !== 'content-type;host' || auth.signature !== expected.signature)
      return refuse('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');

    const body = SendSmsBody.safeParse(r.json);
    if (!body.success) return refuse('FailedOperation.FailResolvePacket', 'The request packet could not be parsed.');
    const b = body.data;
    if (b.SmsSdkAppId !== this.setup.sdkAppId) return refuse('InvalidParameterValue.SdkAppIdNotExist', 'The SdkAppId does not exist.');
    if (b.SignName !== this.setup.signName) return refuse('FailedOperation.SignatureIncorrectOrUnapproved', 'The signature is not approved or not valid.');
    const template = this.setup.templates[b.TemplateId];
    const params = b.TemplateParamSet ?? [];
    const variables = template ? new Set(template.match(/\{\d+\}/g) ?? []).size : -1;
    if (!template || variables !== params.length) return refuse('FailedOperation.TemplateIncorrectOrUnapproved', 'The template is not approved or does not match.');
    if (params.some((p) => [...p].length > 12)) return refuse('InvalidParameterValue.TemplateParameterLengthLimit', 'A template variable is longer than 12 characters.');

    const statuses = b.PhoneNumberSet.map((to) => {
      const base = { SerialNo: randomUUID(), PhoneNumber: to, Fee: 0, SessionContext: b.SessionContext ?? '', IsoCode: 'CN' };
      if (!/^\+861[3-9]\d{9}$/.test(to)) return { ...base, IsoCode: 'DEF', Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: 'The phone number is not valid.' };
      if (r.at - (this.lastTo.get(to) ?? -Infinity) < 30_000)
        return { ...base, Code: 'LimitExceeded.PhoneNumberThirtySecondLimit', Message: 'This number had a message less than 30 seconds ago.' };
      this.lastTo.set(to, r.at);
      const text = template.replace(/\{(\d+)\}/g, (_, i: string) => params[Number(i) - 1] ?? '');
      this.sent.push({ phone: to, templateId: b.TemplateId, params, text, signName: b.SignName ?? '' });
      return { ...base, Fee: 1, Code: 'Ok', Message: 'send success' };
    });
    return { status: 200, body: { Response: { SendStatusSet: statuses, RequestId: randomUUID() } }, accepted: statuses.some((s) => s.Code === 'Ok') };
  }
}

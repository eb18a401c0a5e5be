import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { acceptedWithin, StandIn, type Answer, type Failure, type Received } from './stand-in';

const MINUTE = 60_000;
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

// The message bodies as the robots' documentation gives them.
const WecomBody = z.discriminatedUnion('msgtype', [
  z.object({
    msgtype: z.literal('text'),
    text: z.object({ content: z.string(), mentioned_list: z.array(z.string()).optional(), mentioned_mobile_list: z.array(z.string()).optional() }),
  }),
  z.object({ msgtype: z.literal('markdown'), markdown: z.object({ content: z.string() }) }),
]);
const DingtalkAt = z.object({ atMobiles: z.array(z.string()).optional(), atUserIds: z.array(z.string()).optional(), isAtAll: z.boolean().optional() }).optional();
const DingtalkBody = z.discriminatedUnion('msgtype', [
  z.object({ msgtype: z.literal('text'), text: z.object({ content: z.string().min(1) }), at: DingtalkAt }),
  z.object({ msgtype: z.literal('markdown'), markdown: z.object({ title: z.string().min(1), text: z.string().min(1) }), at: DingtalkAt }),
]);

export interface RobotMessage {
  /** The robot's key or access token. */
  robot: string;
  msgtype: 'text' | 'markdown';
  /** text.content, or markdown.content (WeChat Work) / markdown.text (DingTalk). */
  content: string;
  title?: string;
}

/**
 * 企业微信群机器人: POST /cgi-bin/webhook/send?key=KEY with a text or markdown message; answers
 * {"errcode":0,"errmsg":"ok"}, 93000 for an unknown key, 45009 past 20 messages a minute.
 */
export class WecomStandIn extends StandIn {
  private constructor(
    private readonly keys: readonly string[],
    clock: () => number,
    private readonly perMinute: number,
  ) {
    super(clock);
  }

  static start(options: { keys: string[]; clock?: () => number; perMinute?: number }): Promise<WecomStandIn> {
    return new WecomStandIn(options.keys, options.clock ?? Date.now, options.perMinute ?? 20).listen();
  }

  webhook(key: string): string {
    return `${this.origin}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`;
  }

  get messages(): RobotMessage[] {
    return this.accepted.map((r) => {
      const body = WecomBody.parse(r.json);
      return { robot: r.query.key!, msgtype: body.msgtype, content: body.msgtype === 'text' ? body.text.content : body.markdown.content };
    });
  }

  protected failureAnswer(failure: Extract<Failure, { kind: 'error' | 'rate-limit' }>): unknown {
    return failure.kind === 'rate-limit' ? { errcode: 45009, errmsg: 'api freq out of limit' } : { errcode: failure.code, errmsg: failure.message };
  }

  protected handle(r: Received): Answer {
    const refuse = (errcode: number, errmsg: string): Answer => ({ status: 200, body: { errcode, errmsg }, accepted: false });
    if (r.method !== 'POST' || r.path !== '/cgi-bin/webhook/send') return { status: 404, body: 'not found', accepted: false };
    const key = r.query.key ?? '';
    if (!this.keys.includes(key)) return refuse(93000, 'invalid webhook url');
    if (acceptedWithin(this.received, r.at, MINUTE, (x) => x.query.key === key) >= this.perMinute) return refuse(45009, 'api freq out of limit');
    if (r.json === undefined) return refuse(47001, 'data format error');
    const body = WecomBody.safeParse(r.json);
    if (!body.success) return refuse(40008, 'invalid message type');
    const content = body.data.msgtype === 'text' ? body.data.text.content : body.data.markdown.content;
    if (content.length === 0) return refuse(44004, 'empty content');
    const max = body.data.msgtype === 'text' ? 2048 : 4096;
    if (bytes(content) > max) return refuse(40058, `${body.data.msgtype}.content exceed max length ${max}`);
    return { status: 200, body: { errcode: 0, errmsg: 'ok' }, accepted: true };
  }
}

export interface DingtalkRobotSetup {
  token: string;
  /** 加签 secret (SEC...): requests must carry timestamp and sign. */
  secret?: string;
  /** 自定义关键词: a message must contain one of them. */
  keywords?: string[];
}

/**
 * 钉钉自定义机器人: POST /robot/send?access_token=TOKEN[&timestamp=&sign=]; checks the signature,
 * the timestamp (within an hour) and the keywords as the robot's security settings say; answers
 * {"errcode":0,"errmsg":"ok"}, 300001 for an unknown token, 310000 for a wrong sign, timestamp or
 * keyword, and 130101 past 20 messages a minute, after which the robot is blocked for 10 minutes.
 */
export class DingtalkStandIn extends StandIn {
  private readonly blockedUntil = new Map<string, number>();

  private constructor(
    private readonly robots: readonly DingtalkRobotSetup[],
    clock: () => number,
    private readonly perMinute: number,
  ) {
    super(clock);
  }

  static start(options: { robots: DingtalkRobotSetup[]; clock?: () => number; perMinute?: number }): Promise<DingtalkStandIn> {
    return new DingtalkStandIn(options.robots, options.clock ?? Date.now, options.perMinute ?? 20).listen();
  }

  webhook(token: string): string {
    return `${this.origin}/robot/send?access_token=${encodeURIComponent(token)}`;
  }

  get messages(): RobotMessage[] {
    return this.accepted.map((r) => {
      const body = DingtalkBody.parse(r.json);
      return body.msgtype === 'text'
        ? { robot: r.query.access_token!, msgtype: 'text', content: body.text.content }
        : { robot: r.query.access_token!, msgtype: 'markdown', content: body.markdown.text, title: body.markdown.title };
    });
  }

  protected failureAnswer(failure: Extract<Failure, { kind: 'error' | 'rate-limit' }>): unknown {
    return failure.kind === 'rate-limit' ? { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } : { errcode: failure.code, errmsg: failure.message };
  }

  protected handle(r: Received): Answer {
    const refuse = (errcode: number, errmsg: string): Answer => ({ status: 200, body: { errcode, errmsg }, accepted: false });
    if (r.method !== 'POST' || r.path !== '/robot/send') return { status: 404, body: 'not found', accepted: false };
    const robot = this.robots.find((x) => x.token === r.query.access_token);
    if (!robot) return refuse(300001, 'token is not exist');
    if (robot.secret) {
      const timestamp = Number(r.query.timestamp);
      if (!r.query.timestamp || !r.query.sign) return refuse(310000, 'sign not match');
      if (!Number.isFinite(timestamp) || Math.abs(r.at - timestamp) > 3_600_000) return refuse(310000, 'invalid timestamp');
      const expected = createHmac('sha256', robot.secret).update(`${r.query.timestamp}\n${robot.secret}`, 'utf8').digest();
      const given = Buffer.from(r.query.sign, 'base64');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse(310000, 'sign not match');
    }
    if ((this.blockedUntil.get(robot.token) ?? 0) > r.at) return refuse(130101, 'send too fast, exceed 20 times per minute');
    if (acceptedWithin(this.received, r.at, MINUTE, (x) => x.query.access_token === robot.token) >= this.perMinute) {
      this.blockedUntil.set(robot.token, r.at + 10 * MINUTE);
      return refuse(130101, 'send too fast, exceed 20 times per minute');
    }
    const body = DingtalkBody.safeParse(r.json);
    if (!body.success) return refuse(40035, 'missing parameter json');
    const text = body.data.msgtype === 'text' ? body.data.text.content : `${body.data.markdown.title}\n${body.data.markdown.text}`;
    if (robot.keywords && !robot.keywords.some((k) => text.includes(k))) return refuse(310000, 'keywords not in content');
    return { status: 200, body: { errcode: 0, errmsg: 'ok' }, accepted: true };
  }
}

import { createHmac } from 'node:crypto';
import type { RobotChannel } from '../config';
import { hallTime, renderNotice } from '../render';
import { cutToBytes, parseJson, send, transportAnswer, ANSWER_KEEP } from './http';
import type { OutgoingMessage, PreparedRequest, Provider, ProviderAnswer } from './types';

// The group robots of WeChat Work (企业微信群机器人) and DingTalk (钉钉自定义机器人): a webhook that takes
// a JSON message, text or markdown, and answers {"errcode":0,"errmsg":"ok"}. Both allow 20 messages
// a minute per robot; DingTalk then blocks the robot for 10 minutes.

export interface HallInfo {
  hall: string;
  /** The hall's English name, for an English channel's heading. */
  hallEn?: string;
  timeZone: string;
}

/** WeChat Work: text content at most 2048 bytes, markdown at most 4096, UTF-8. */
export const WECOM_TEXT_MAX = 2048;
export const WECOM_MARKDOWN_MAX = 4096;
export const DINGTALK_BLOCK_MS = 10 * 60_000;
export const WECOM_RATE_PAUSE_MS = 60_000;

function lines(channel: RobotChannel, hall: HallInfo, message: OutgoingMessage) {
  const { title, text } = renderNotice(message.notice, channel.language);
  const name = channel.language === 'en' ? (hall.hallEn ?? hall.hall) : hall.hall;
  return { heading: `【${name}】${title}`, title, text, time: hallTime(message.at, hall.timeZone) };
}

export function wecomMessage(channel: Extract<RobotChannel, { kind: 'wecom-robot' }>, hall: HallInfo, message: OutgoingMessage): object {
  const m = lines(channel, hall, message);
  if (channel.format === 'markdown')
    return { msgtype: 'markdown', markdown: { content: cutToBytes(`### ${m.heading}\n${m.text}\n> <font color="comment">${m.time}</font>`, WECOM_MARKDOWN_MAX) } };
  return { msgtype: 'text', text: { content: cutToBytes(`${m.heading}\n${m.text}\n${m.time}`, WECOM_TEXT_MAX) } };
}

export function dingtalkMessage(channel: Extract<RobotChannel, { kind: 'dingtalk-robot' }>, hall: HallInfo, message: OutgoingMessage): object {
  const m = lines(channel, hall, message);
  // A robot secured by keywords drops a message without one of them (errcode 310000).
  const keyword = channel.keyword && !`${m.heading}${m.text}`.includes(channel.keyword) ? `\n${channel.keyword}` : '';
  if (channel.format === 'markdown') return { msgtype: 'markdown', markdown: { title: m.title, text: `#### ${m.heading}\n\n${m.text}\n\n> ${m.time}${keyword}` } };
  return { msgtype: 'text', text: { content: `${m.heading}\n${m.text}\n${m.time}${keyword}` } };
}

/** 加签: Base64(HmacSHA256(key = secret, timestamp + "\n" + secret)); URL-encoded once, by the query string. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

function jsonRequest(url: string, message: object): PreparedRequest {
  return { url, method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(message) };
}

/** WeChat Work's answer: 45009 is its rate limit, -1 "system busy"; 93000 a wrong key; the rest of the documented codes are the request's fault. */
export function classifyWecom(status: number, text: string): ProviderAnswer {
  const transport = transportAnswer({ kind: 'answer', status, text });
  if (transport) return transport;
  return classifyErrcode(status, text, { rateLimited: [45009], busy: [-1], permanent: [93000, 40008, 40035, 40058, 44004], pauseMs: WECOM_RATE_PAUSE_MS });
}

/** DingTalk's answer: 130101 and 410100 are its rate limit; 300001/300005 an unknown token; 310000 a wrong signature, keyword, IP or timestamp. */
export function classifyDingtalk(status: number, text: string): ProviderAnswer {
  const transport = transportAnswer({ kind: 'answer', status, text });
  if (transport) return transport;
  return classifyErrcode(status, text, {
    rateLimited: [130101, 410100],
    busy: [-1],
    permanent: [300001, 300005, 310000, 400101, 400102, 400105, 400106, 430101, 430102, 430103, 430104, 40035],
    pauseMs: DINGTALK_BLOCK_MS,
  });
}

function classifyErrcode(status: number, text: string, codes: { rateLimited: number[]; busy: number[]; permanent: number[]; pauseMs: number }): ProviderAnswer {
  const answer = text.slice(0, ANSWER_KEEP);
  const body = parseJson(text) as { errcode?: unknown; errmsg?: unknown } | undefined;
  if (!body || typeof body.errcode !== 'number') return { outcome: 'retry', reason: 'bad-answer', status, answer, detail: 'no errcode in the answer' };
  const detail = `errcode ${body.errcode} ${typeof body.errmsg === 'string' ? body.errmsg.slice(0, 200) : ''}`.trim();
  if (body.errcode === 0) return { outcome: 'delivered', reason: 'delivered', status, answer, detail };
  if (codes.rateLimited.includes(body.errcode)) return { outcome: 'rate-limited', reason: 'rate-limited', status, answer, detail, pauseChannelMs: codes.pauseMs };
  if (codes.permanent.includes(body.errcode)) return { outcome: 'rejected', reason: 'rejected', status, answer, detail };
  // -1 (busy) and codes not in the documentation: try again, within the dead-letter limit.
  return { outcome: 'retry', reason: codes.busy.includes(body.errcode) ? 'server-error' : 'bad-answer', status, answer, detail };
}

export class WecomRobot implements Provider {
  constructor(
    readonly channel: Extract<RobotChannel, { kind: 'wecom-robot' }>,
    private readonly hall: HallInfo,
  ) {}

  prepare(message: OutgoingMessage): PreparedRequest {
    return jsonRequest(this.channel.webhook, wecomMessage(this.channel, this.hall, message));
  }

  async deliver(request: PreparedRequest, signal: AbortSignal): Promise<ProviderAnswer> {
    const result = await send(request, signal);
    return result.kind === 'answer' ? classifyWecom(result.status, result.text) : transportAnswer(result)!;
  }
}

export class DingtalkRobot implements Provider {
  constructor(
    readonly channel: Extract<RobotChannel, { kind: 'dingtalk-robot' }>,
    private readonly hall: HallInfo,
  ) {}

  prepare(message: OutgoingMessage, now: number): PreparedRequest {
    const url = new URL(this.channel.webhook);
    if (this.channel.secret) {
      url.searchParams.set('timestamp', String(now));
      url.searchParams.set('sign', dingtalkSign(this.channel.secret, now));
    }
    return jsonRequest(url.toString(), dingtalkMessage(this.channel, this.hall, message));
  }

  async deliver(request: PreparedRequest, signal: AbortSignal): Promise<ProviderAnswer> {
    const result = await send(request, signal);
    return result.kind === 'answer' ? classifyDingtalk(result.status, result.text) : transportAnswer(result)!;
  }
}

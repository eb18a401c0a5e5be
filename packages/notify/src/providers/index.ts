import type { ChannelConfig } from '../config';
import { DingtalkRobot, WecomRobot, type HallInfo } from './robots';
import { LogSms, TencentSms } from './sms';
import type { NotifyLogger, Provider } from './types';

/** The provider that speaks for a channel. */
export function createProvider(channel: ChannelConfig, hall: HallInfo, logger: NotifyLogger): Provider {
  switch (channel.kind) {
    case 'wecom-robot':
      return new WecomRobot(channel, hall);
    case 'dingtalk-robot':
      return new DingtalkRobot(channel, hall);
    case 'tencent-sms':
      return new TencentSms(channel);
    case 'log-sms':
      return new LogSms(channel, hall.hall, logger);
  }
}

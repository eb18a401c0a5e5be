// Stand-in providers for tests (this package's, and the hub's e2e tests of issues 14 and 16).
export { StandIn, type Failure, type Received } from './stand-in';
export { WecomStandIn, DingtalkStandIn, type DingtalkRobotSetup, type RobotMessage } from './robots';
export { TencentSmsStandIn, type SmsReceived } from './tencent-sms';

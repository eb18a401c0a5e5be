export { RatingKeyDecoder, type KeyPress, type DecoderStats, type DecodeResult } from './decoder';
export { RatingKeyPad, openSerialLink, openFailureDetail, GARBLED_AFTER_BYTES, QUIET_MS, KEYPAD_CODES, SerialOpenError, shownPort, type ByteLink } from './keypad';
export {
  crc8,
  keyFrame,
  helloFrame,
  ackFrame,
  keyCodeOf,
  LEVELS,
  LEVEL_NAMES_ZH,
  FRAME_START,
  ACK_START,
  FRAME_LENGTH,
  ACK_LENGTH,
  TYPE_KEY,
  TYPE_HELLO,
  TYPE_ACK,
  type KeyCode,
  type RatingLevel,
} from './frame';

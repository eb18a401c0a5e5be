/**
 * The head of a masked text frame declaring `length` bytes (RFC 6455: 127, then the length in 8
 * bytes, then the mask), for the tests of a link's limit on a message as its head arrives.
 */
export function frameHead(length: number): Buffer {
  const head = Buffer.alloc(14);
  head[0] = 0x81;
  head[1] = 0x80 | 127;
  head.writeBigUInt64BE(BigInt(length), 2);
  head.writeUInt32BE(0x01020304, 10);
  return head;
}

/** CRC-16/MODBUS: reflected polynomial 0xA001, init 0xFFFF; sent low byte first. */
export function crc16Modbus(bytes: ArrayLike<number>, from = 0, to = bytes.length): number {
  let crc = 0xffff;
  for (let i = from; i < to; i++) {
    crc ^= bytes[i]! & 0xff;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export function withCrc(body: number[]): Buffer {
  const crc = crc16Modbus(body);
  return Buffer.from([...body, crc & 0xff, crc >> 8]);
}

/** Function 06, write single register. */
export function writeRegister(slave: number, register: number, value: number): Buffer {
  return withCrc([slave & 0xff, 0x06, (register >> 8) & 0xff, register & 0xff, (value >> 8) & 0xff, value & 0xff]);
}

/** Function 16, write multiple registers: one request, applied by the display as a whole or not at all. */
export function writeRegisters(slave: number, first: number, values: readonly number[]): Buffer {
  const body = [slave & 0xff, 0x10, (first >> 8) & 0xff, first & 0xff, 0, values.length, values.length * 2];
  for (const v of values) body.push((v >> 8) & 0xff, v & 0xff);
  return withCrc(body);
}

/** What a display answers to a write when it took it: function 06 echoes the request, function 16 its first six bytes. */
export function writeReply(request: Buffer): Buffer {
  return request[1] === 0x10 ? withCrc([...request.subarray(0, 6)]) : Buffer.from(request);
}

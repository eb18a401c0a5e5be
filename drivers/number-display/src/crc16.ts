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

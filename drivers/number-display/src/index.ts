export { NumberDisplay, DISPLAY_CODES, type ByteLink, type DisplayResult } from './display';
export { commandsFor, callLine, callLines, callLineFitting, callRegisters, displayColumns, displayLimitProblem, type Call, type DisplayCommands } from './commands';
export { crc16Modbus, writeRegister, writeRegisters, writeReply, withCrc } from './crc16';
export { DISPLAY_PROFILES, type DisplayProfile, type ModbusRegisters, type TextDisplayProfile, type ModbusDisplayProfile } from './profiles';

export { SerialTransport, TcpTransport, FileTransport, SERIAL_WRITE_WITHIN_MS, type SerialOptions, type Transport, type ByteLink } from './transport';
export { boundTimer } from './bound';
export { openSerialPort, openFailure, openFailureDetail, shownPort, SerialOpenError } from './serial';

export { SerialTransport, TcpTransport, TcpConnectError, connectFailure, FileTransport, SERIAL_WRITE_WITHIN_MS, type SerialOptions, type Transport, type ByteLink } from './transport';
export { boundTimer } from './bound';
export { openSerialPort, openFailure, SerialOpenError } from './serial';
export { LineOpenError, OpenFailure, openFailureDetail, shownPort } from './open-failure';

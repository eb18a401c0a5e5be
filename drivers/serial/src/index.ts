export { SerialTransport, TcpTransport, FileTransport, type Transport, type ByteLink } from './transport';
export { openSerialPort } from './serial';

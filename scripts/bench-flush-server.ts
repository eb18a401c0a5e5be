import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/**
 * The least a QR rating could cost on this machine, for the hub bench: an HTTP server in a process
 * of its own that does nothing with a request but append three pages (12 KB) to a file and flush it
 * (fdatasync) before it answers, as a hub's commit of one rating would with no other work. Started
 * with the folder for its file; prints its port, then serves until it is killed.
 */
const dir = process.argv[2];
if (!dir) throw new Error('bench-flush-server: give the folder for its file');
const fd = fs.openSync(path.join(dir, 'flush-server.log'), 'w');
const pages = Buffer.alloc(3 * 4096, 1);
const answer = JSON.stringify({ ok: false, code: 'not-found', message: 'no hub here: the floor' });

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    // Written on the event loop and flushed in libuv's pool, as SQLite's commit and the hub's flush are.
    fs.writeSync(fd, pages);
    fs.fdatasync(fd, (error) => {
      // A failed flush is the client's answer (its code counted beside the latencies), not a crash.
      const text = error ? JSON.stringify({ ok: false, code: 'internal', message: `the flush failed: ${error.message}` }) : answer;
      res.writeHead(error ? 500 : 404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));

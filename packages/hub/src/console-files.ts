import { refusalText, type RefusalCode } from '@servicehall/core';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { language, send, statusOf } from './http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

// The console talks only to this hub: its own scripts, its own API, its own live feed.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Serves the console's built files at /console/; any other path under it is the app's own route (index.html). */
export function serveConsole(dir: string) {
  const root = path.resolve(dir);
  return (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    // A refusal in the API's shape, with its polite text, not an empty page.
    const refuse = (code: RefusalCode, message: string, headers: Record<string, string> = {}) =>
      send(res, statusOf(code), { ok: false, code, message, text: refusalText(code, language(req)) }, headers);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse('method-not-allowed', `${req.method} is not allowed here; the console's files are read with GET`, { allow: 'GET, HEAD' });
    if (url.pathname === '/console') {
      res.writeHead(301, { location: '/console/' }).end();
      return;
    }
    let file: string;
    try {
      file = path.resolve(root, '.' + decodeURIComponent(url.pathname.slice('/console'.length)));
    } catch {
      return refuse('bad-request', 'the address is not valid');
    }
    // Inside the folder itself: a folder beside it whose name begins the same (renderer-old) is outside.
    if (file !== root && !file.startsWith(root + path.sep)) return refuse('forbidden', 'the address leads outside the console');
    const asset = url.pathname.startsWith('/console/assets/');
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      if (asset) return refuse('not-found', `there is no ${url.pathname}`);
      file = path.join(root, 'index.html');
    }
    if (!fs.existsSync(file)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('管理控制台尚未构建，请运行 npm run build (the console has not been built: npm run build)');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      // Built assets carry their hash in their name; the page itself is asked for fresh.
      'cache-control': asset ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'same-origin',
    });
    if (req.method === 'HEAD') return void res.end();
    fs.createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}

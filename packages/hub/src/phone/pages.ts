import { publicBaseOf, type Catalogue } from '@servicehall/core';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import QRCode from 'qrcode';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * What every phone page is sent with: nothing from elsewhere, no address of the page passed on
 * to another site (the address carries the ticket's reference), no framing, no sniffing.
 */
export const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; media-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The printable poster for the hall's door: its QR code opens the phone's pages (扫码取号). */
export async function doorPoster(catalogue: Catalogue, publicBase: string): Promise<string> {
  const link = `${publicBase}/m/`;
  const svg = await QRCode.toString(link, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  const hall = escape(catalogue.hall.name);
  const hallEn = catalogue.hall.nameEn ? escape(catalogue.hall.nameEn) : '';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${hall} · 扫码取号</title><style>
@page{size:A4;margin:15mm}body{font-family:'WenQuanYi Micro Hei','PingFang SC','Microsoft YaHei',sans-serif;margin:0;color:#12355b;text-align:center}
main{max-width:170mm;margin:0 auto;padding:10mm 0}h1{font-size:30pt;margin:0 0 4mm}h2{font-size:40pt;margin:8mm 0 2mm;color:#0b5394}
.en{font-size:14pt;color:#3d5a80}.qr{box-sizing:border-box;width:min(132mm,94vw);aspect-ratio:1;margin:6mm auto;border:3mm solid #0b5394;border-radius:6mm;padding:3mm}
.qr svg{width:100%;height:100%}.warn{color:#a4161a;font-size:12pt;border:1px solid #a4161a;padding:3mm}ol{display:inline-block;text-align:left;font-size:16pt;line-height:1.8}.link{font-size:12pt;color:#555;word-break:break-all}
</style></head><body><main><h1>${hall}</h1>${hallEn ? `<div class="en">${hallEn}</div>` : ''}
<h2>扫码取号</h2><div class="en">Scan for a number · book a time · follow your turn</div>
<div class="qr" role="img" aria-label="二维码 QR code">${svg}</div>
<ol><li>微信、支付宝或手机浏览器扫码</li><li>选择办理事项，验证手机号后取号</li><li>在手机上看排队进度，临近叫号时提醒您</li><li>也可预约其他工作日的办理时段</li></ol>
<p class="link">${escape(link)}</p>${
    publicBaseOf(catalogue.hall.publicUrl)
      ? ''
      : '<p class="warn">大厅尚未设置公共访问地址（hall.publicUrl），此二维码只在本机所在网络可用，请在控制台设置后再打印。<br>The hall has no public address yet: this code works on the hub\'s own network only. Set it in the console before printing.</p>'
  }</main></body></html>`;
}

/**
 * Serves the phone's pages under /m/: the built app (a single page: every address under /m/ that is
 * not a file gets index.html), and /m/door, the door's poster. Only GET and HEAD.
 */
export function phonePages(dir: string, poster: () => Promise<string>) {
  const root = path.resolve(dir);
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('405: these pages are only read (GET)\n');
    }
    if (url.pathname === '/m') {
      res.writeHead(301, { location: '/m/' });
      return void res.end();
    }
    const answer = (status: number, type: string, body: Buffer | string, cache: string) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': cache, ...PAGE_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (url.pathname === '/m/door') return answer(200, TYPES['.html']!, await poster(), 'no-store');

    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname.slice('/m/'.length));
    } catch {
      // A link mangled on its way (a broken escape): said to the citizen, Chinese first, with the way home.
      return answer(
        400,
        TYPES['.html']!,
        '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><p>抱歉，这个地址无法打开，请重新扫码，或<a href="/m/">从首页进入</a>。</p><p>Sorry, this address cannot be opened: please scan the code again, or <a href="/m/">start from the home page</a>.</p>',
        'no-store',
      );
    }
    const file = path.resolve(root, rel);
    const inside = file.startsWith(root + path.sep);
    if (inside && rel !== '' && !rel.endsWith('/')) {
      const body = await fs.promises.readFile(file).catch(() => undefined);
      if (body) {
        // Built assets carry their hash in the name: they never change under it.
        const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
        return answer(200, TYPES[path.extname(file)] ?? 'application/octet-stream', body, cache);
      }
      if (rel.startsWith('assets/')) return answer(404, 'text/plain; charset=utf-8', '404\n', 'no-store');
    }
    const index = await fs.promises.readFile(path.join(root, 'index.html')).catch(() => undefined);
    if (!index)
      return answer(
        503,
        TYPES['.html']!,
        '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><p>抱歉，手机页面暂时无法打开，请使用大厅取号机，或到服务台咨询。</p><p>Sorry, the phone pages are not available now: please use the kiosk in the hall. (The hub has no built pages: npm run build.)</p>',
        'no-store',
      );
    return answer(200, TYPES['.html']!, index, 'no-store');
  };
}

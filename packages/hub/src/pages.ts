import { findItem, RATING_LEVEL_NAMES, RATING_LEVELS, RatingLevelSchema, refusalText, ticketWait, type Ticket } from '@servicehall/core';
import { linkKey, linkSignature } from '@servicehall/protocol/node';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HallStore } from './store';

/**
 * The citizen's own pages, reached from the QR codes on the ticket and the rating pad: the
 * ticket's progress (H-11) and the phone rating, the second channel (N-01). Numbers only.
 */
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style>
body{font-family:'WenQuanYi Micro Hei','PingFang SC','Microsoft YaHei',sans-serif;margin:0;background:#f3f6fa;color:#1d2733}
main{max-width:480px;margin:0 auto;padding:24px}h1{font-size:22px;color:#134074}.card{background:#fff;border-radius:12px;padding:20px;margin:16px 0;box-shadow:0 1px 4px #0001}
.big{font-size:48px;font-weight:700;color:#134074;text-align:center}button{display:block;width:100%;font-size:20px;padding:14px;margin:10px 0;border-radius:10px;border:1px solid #8aa;background:#fff}
button.good{border-color:#2a9d8f}button.bad{border-color:#c44536}textarea{width:100%;min-height:80px;font-size:16px}p.note{color:#5a6b7d;font-size:14px}
</style></head><body><main>${body}</main></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function signed(key: string, ticketId: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(linkSignature(key, ticketId));
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const STATE_TEXT: Record<Ticket['state'], string> = {
  issued: '等候中',
  called: '已叫号，请到窗口办理',
  serving: '正在办理',
  done: '已办结',
  'no-show': '已过号，请到服务台咨询',
  held: '暂时挂起，请留意窗口呼叫',
  voided: '已作废，请到服务台咨询',
};

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      if (text.length > 8192) req.destroy();
    });
    req.on('end', () => resolve(new URLSearchParams(text)));
    req.on('error', reject);
  });
}

export function publicPages(store: HallStore, token: string) {
  const key = linkKey(token);
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const m = /^\/(q|rate)\/([^/]+)$/.exec(url.pathname);
    if (!m) return false;
    let ticketId: string;
    try {
      ticketId = decodeURIComponent(m[2]!);
    } catch {
      page(res, 400, '链接有误', '<h1>抱歉，链接有误</h1><p>请重新扫描号票上的二维码，或到服务台咨询。</p>');
      return true;
    }
    if (!signed(key, ticketId, url.searchParams.get('s'))) {
      page(res, 403, '链接有误', '<h1>抱歉，链接无法识别</h1><p>请重新扫描号票上的二维码，或到服务台咨询。</p>');
      return true;
    }
    const t = store.view.tickets.get(ticketId);
    const hall = escape(store.view.catalogue.hall.name);
    if (m[1] === 'q') {
      if (!t) {
        page(res, 404, '查询进度', `<h1>${hall}</h1><div class="card"><p>抱歉，未查到该号码今天的记录。如有疑问，请到服务台咨询。</p></div>`);
        return true;
      }
      const item = findItem(store.view.catalogue, t.serviceCode);
      const wait = t.state === 'issued' ? ticketWait(store.view, t) : undefined;
      page(
        res,
        200,
        '查询进度',
        `<h1>${hall}</h1><div class="card"><div class="big">${escape(t.number)}</div><p>办理事项：${escape(item?.name ?? t.serviceCode)}</p>
<p>当前状态：${STATE_TEXT[t.state]}${t.window && (t.state === 'called' || t.state === 'serving') ? `（${t.window}号窗口）` : ''}</p>
${wait ? `<p>前面还有 ${wait.waiting} 人，预计等候约 ${wait.minutes} 分钟</p>` : ''}</div><p class="note">页面不会显示您的个人信息。</p>`,
      );
      return true;
    }
    if (req.method === 'POST') {
      const form = await readForm(req);
      const level = RatingLevelSchema.safeParse(form.get('level'));
      if (!level.success) {
        page(res, 400, '评价', '<h1>抱歉，请选择一个评价等级</h1>');
        return true;
      }
      const text = (form.get('text') ?? '').trim().slice(0, 500);
      const commandId = `qr-rate-${ticketId}-${(form.get('nonce') ?? '').slice(0, 40)}`;
      const { answer } = store.execute({ id: commandId.slice(0, 80), type: 'rate', ticketId, level: level.data, aspects: {}, reasons: [], text: text || undefined, channel: 'qr' }, { role: 'admin', terminal: 'qr-page' });
      if (answer.ok) page(res, 200, '感谢评价', `<h1>${hall}</h1><div class="card"><p>感谢您的评价，我们会不断改进服务。</p></div>`);
      else page(res, 409, '评价', `<h1>${hall}</h1><div class="card"><p>${escape(refusalText(answer.code))}</p></div>`);
      return true;
    }
    const nonce = Math.random().toString(36).slice(2, 12);
    page(
      res,
      200,
      '服务评价',
      `<h1>${hall} · 服务评价</h1><div class="card"><p>号码 ${t ? escape(t.number) : ''}，请对本次服务作出评价：</p>
<form method="post">${RATING_LEVELS.map((l, i) => `<button class="${i < 2 ? 'good' : i > 2 ? 'bad' : ''}" name="level" value="${l}">${RATING_LEVEL_NAMES[l]['zh-CN']}</button>`).join('')}
<p>意见建议（可选）</p><textarea name="text" maxlength="500"></textarea><input type="hidden" name="nonce" value="${nonce}"></form></div>
<p class="note">评价匿名提交，不收集您的身份信息。</p>`,
    );
    return true;
  };
}

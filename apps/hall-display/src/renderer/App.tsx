import { connectBridge } from '@servicehall/agent/renderer';
import type { ConnectionState } from '@servicehall/protocol';
import { useEffect, useState } from 'react';
import type { Board, HallDisplayShape } from '../shared/api';

const bridge = connectBridge<HallDisplayShape>();

function useTopic<K extends keyof HallDisplayShape['topics'] & string>(topic: K): HallDisplayShape['topics'][K] | undefined {
  const [value, setValue] = useState<HallDisplayShape['topics'][K]>();
  useEffect(() => bridge.on(topic, (v) => setValue(() => v)), [topic]);
  return value;
}

function useClock(): Date {
  const [now, setNow] = useState(new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

function LinkBadge({ link }: { link?: ConnectionState }) {
  if (!link || link.status === 'online') return null;
  return <div className="link-badge" data-testid="link">正在连接服务器，叫号信息稍后更新</div>;
}

export function App() {
  const board = useTopic('board');
  const link = useTopic('link');
  const now = useClock();
  return (
    <main className="board">
      <header>
        <h1>{board?.hallName ?? '政务服务中心'}</h1>
        <time>{now.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}</time>
      </header>
      <Calls board={board} />
      <footer>
        <span>请留意叫号，过号请到服务台咨询</span>
        <span>投诉电话 {board?.complaintPhone ?? '12345'}</span>
      </footer>
      <LinkBadge link={link} />
    </main>
  );
}

function Calls({ board }: { board?: Board }) {
  const [latest, ...recent] = board?.calls ?? [];
  return (
    <section className="calls">
      <div className="latest" data-testid="latest-call">
        {latest ? (
          <>
            <div className="ticket">{latest.ticket}</div>
            <div className="arrow">请到</div>
            <div className="window">{latest.window}号窗口</div>
          </>
        ) : (
          <div className="idle">您好！很高兴为您服务</div>
        )}
      </div>
      <ol className="recent">
        {recent.slice(0, 8).map((c) => (
          <li key={`${c.ticket}-${c.at}`}>
            <span className="ticket">{c.ticket}</span>
            <span className="window">{c.window}号窗口</span>
          </li>
        ))}
      </ol>
      <ul className="waiting">
        {(board?.waiting ?? []).slice(0, 10).map((w) => (
          <li key={w.code}>
            <span>{w.name}</span>
            <span>
              等候 {w.waiting} 人 · 约 {w.minutes} 分钟
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

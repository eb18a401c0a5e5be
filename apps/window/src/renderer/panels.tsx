import { isBadRating, type RatingLevel } from '@servicehall/core';
import type { CaseCard, Desk, TicketCard } from '../shared/api';
import type { WindowStrings } from '../shared/strings';
import { bridge } from './bridge';

const minutesSince = (now: number, at?: number) => (at === undefined ? 0 : Math.max(0, Math.floor((now - at) / 60_000)));

function LaneBadge({ t, ticket }: { t: WindowStrings; ticket: TicketCard }) {
  return (
    <>
      {ticket.lane !== 'ordinary' ? (
        <span className={`badge lane-${ticket.lane}`}>{ticket.lane === 'priority' && ticket.priorityReason ? `${t.lane.priority}·${t.priority[ticket.priorityReason]}` : t.lane[ticket.lane]}</span>
      ) : null}
      {ticket.transferred ? <span className="badge transferred">{t.transferredMark}</span> : null}
      {ticket.remote ? (
        <span className="badge remote" data-testid="remote-badge">
          {t.remoteMark}
        </span>
      ) : null}
    </>
  );
}

/** A case's due dates: a narrow panel breaks the line between them, never inside a date (2026-↵12-28). */
export function DueDates({ t, promised, legal }: { t: WindowStrings; promised: string; legal: string }) {
  const [p, l] = t.dueDates(promised, legal);
  return (
    <>
      <span className="due-date">{p}</span> · <span className="due-date">{l}</span>
    </>
  );
}

export function QueuePanel({ t, desk, now, onCall }: { t: WindowStrings; desk: Desk; now: number; onCall: (ticketId: string, number: string) => void }) {
  return (
    <div className="panel queue" data-testid="queue">
      <h2>
        {t.queueTitle}
        <span className="count" data-testid="waiting-total">
          {t.waitingTotal(desk.waitingTotal)}
        </span>
      </h2>
      <ul className="by-item">
        {desk.byItem.map((i) => (
          <li key={i.code} data-code={i.code}>
            <span className="name">{i.name}</span>
            <span className="figures">{t.waitingByItem(i.waiting, i.wait)}</span>
          </li>
        ))}
      </ul>
      {desk.queue.length === 0 ? (
        <p className="empty">{t.queueEmpty}</p>
      ) : (
        <ol className="tickets">
          {desk.queue.map((ticket, i) => (
            <li key={ticket.id} data-ticket={ticket.number} className={i === 0 ? 'next' : ''}>
              <span className="number">{ticket.number}</span>
              <span className="item">
                {ticket.serviceName}
                <LaneBadge t={t} ticket={ticket} />
              </span>
              <span className="waited">{minutesSince(now, ticket.issuedAt)}′</span>
              {i > 0 ? (
                <button className="small" onClick={() => onCall(ticket.id, ticket.number)} disabled={!!desk.current || desk.pausedSince !== undefined}>
                  {t.callOutOfOrder}
                </button>
              ) : (
                <span className="small-spacer" />
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export function HeldPanel({ t, desk, onCallBack }: { t: WindowStrings; desk: Desk; onCallBack: (ticketId: string) => void }) {
  return (
    <div className="panel held" data-testid="held">
      <h2>{t.heldTitle}</h2>
      {desk.held.length === 0 ? (
        <p className="empty">{t.heldEmpty}</p>
      ) : (
        <ul className="tickets">
          {desk.held.map((ticket) => (
            <li key={ticket.id} data-ticket={ticket.number}>
              <span className="number">{ticket.number}</span>
              <span className="item">{ticket.serviceName}</span>
              <button className="small" onClick={() => onCallBack(ticket.id)} disabled={!!desk.current || desk.pausedSince !== undefined}>
                {t.callBack}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function CurrentPanel({ t, desk, now }: { t: WindowStrings; desk: Desk; now: number }) {
  const c = desk.current;
  if (!c) return <div className="panel current empty-current" data-testid="current" data-state="none" />;
  return (
    <div className={`panel current state-${c.state}`} data-testid="current" data-state={c.state} data-ticket={c.number}>
      <div className="current-main">
        <div className="number">{c.number}</div>
        <div className="facts">
          <div className="state">{t.ticketState[c.state]}</div>
          <div className="item">
            {c.serviceName}
            <LaneBadge t={t} ticket={c} />
          </div>
          <div className="times">
            {c.state === 'serving' ? t.servingFor(minutesSince(now, c.servingAt)) : t.calledAgo(minutesSince(now, c.calledAt))}
            {c.state === 'called' ? ` · ${t.recallsCount(c.recalls, c.recallLimit)}` : ''}
          </div>
          {c.firstClerk ? (
            <div className="first-clerk" data-testid="first-clerk">
              {t.firstClerk(c.firstClerk.number, c.firstClerk.name)}
            </div>
          ) : null}
        </div>
      </div>
      {c.transfers.length > 0 ? (
        <ul className="transfers">
          {c.transfers.map((x) => (
            <li key={x.at}>{t.transferLine(x.fromService, x.toService, x.reason)}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A bad rating (差评) never reads as good news: red for the bottom two levels, amber for 基本满意. */
export function ratingTone(level: RatingLevel): 'good' | 'fair' | 'bad' {
  return isBadRating(level) ? 'bad' : level === 'basically-satisfied' ? 'fair' : 'good';
}

export function RatingPanel({ t, desk }: { t: WindowStrings; desk: Desk }) {
  const r = desk.rating;
  return (
    <div className="panel rating" data-testid="rating" data-state={r?.state ?? 'none'}>
      {r ? (
        <p className={`rating-line ${r.state}${r.level ? ` tone-${ratingTone(r.level)}` : ''}`} data-testid="rating-line" data-level={r.level ?? ''}>
          {r.state === 'waiting' ? t.ratingWaiting(r.ticketNumber) : t.ratingDone(r.ticketNumber, r.level ? t.ratingLevel[r.level] : '', !!r.isDefault)}
        </p>
      ) : null}
      <p className="note">{t.ratingNote}</p>
    </div>
  );
}

function CaseRow({ t, c, canReprint, say }: { t: WindowStrings; c: CaseCard; canReprint: boolean; say: (ok: boolean, text: string) => void }) {
  const reprint = async () => {
    const r = await bridge.call('reprint', { caseNumber: c.number });
    say(r.ok, r.ok ? t.reprint : t.printFailed(r.code));
  };
  return (
    <li className={`case case-${c.state}${c.breach ? ' breach' : ''}`} data-case={c.number}>
      <div className="case-head">
        <span className="case-number">{c.number}</span>
        <span className={`badge state-${c.state}`}>{t.caseState[c.state]}</span>
        {c.ticketNumber ? <span className="ticket">{c.ticketNumber}</span> : null}
      </div>
      <div className="case-item">{c.serviceName}</div>
      {c.applicant ? (
        <div className="applicant" data-testid="applicant">
          {c.applicant.name}
          {c.applicant.idNumber ? ` · ${c.applicant.idNumber}` : ''}
        </div>
      ) : null}
      {c.promisedDue && c.legalDue ? (
        <div className="due">
          <DueDates t={t} promised={c.promisedDue} legal={c.legalDue} />
          {c.dueCertain === false ? t.dueUncertain : ''}
        </div>
      ) : null}
      {c.notices.length > 0 ? <div className="notices">{t.notices(c.notices.length)}</div> : null}
      {c.breach ? (
        <div className="breach-flag" data-testid="breach">
          {t.breachTitle}：{c.notices.flatMap((n) => n.newMaterials).join('、')}
        </div>
      ) : null}
      {c.amendments.map((a) => (
        <div className="amendment" data-testid="amendment" key={a.at}>
          {t.amendmentLine(t.outcome[a.from], t.outcome[a.to], a.reason)}
        </div>
      ))}
      {canReprint ? (
        <button className="small" onClick={reprint}>
          {t.reprint}
        </button>
      ) : null}
    </li>
  );
}

export function CasesPanel({ t, desk, say }: { t: WindowStrings; desk: Desk; say: (ok: boolean, text: string) => void }) {
  return (
    <div className="panel cases" data-testid="cases">
      <h2>{t.casesTitle}</h2>
      {desk.cases.length === 0 ? (
        <p className="empty">{t.casesEmpty}</p>
      ) : (
        <ul>
          {desk.cases.map((c) => (
            <CaseRow key={c.number} t={t} c={c} say={say} canReprint={desk.lastPrint?.caseNumber === c.number && !desk.lastPrint.ok} />
          ))}
        </ul>
      )}
    </div>
  );
}

export function NeighboursPanel({ t, desk }: { t: WindowStrings; desk: Desk }) {
  if (desk.neighbours.length === 0) return null;
  return (
    <div className="panel neighbours" data-testid="neighbours">
      <h2>{t.neighboursTitle}</h2>
      <ul>
        {desk.neighbours.map((n) => (
          <li key={n.number} data-window={n.number}>
            <span className="name">{t.windowLabel(n.number)}</span>
            <span className="ticket">{!n.open ? t.neighbourClosed : n.paused ? t.neighbourPaused : (n.ticket ?? t.neighbourIdle)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

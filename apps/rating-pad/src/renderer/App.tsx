import { connectBridge } from '@servicehall/agent/renderer';
import { isBadRating, RATING_LEVELS, REFUSAL_TEXT, type RatingLevel } from '@servicehall/core';
import type { ConnectionState } from '@servicehall/protocol';
import { useEffect, useState } from 'react';
import type { ClerkCard, PadDetails, PadLanguage, PadRequest, PadScreen, PadThanks, RatingPadShape } from '../shared/api';
import { ASPECT_IDS, currentLine, fill, REASON_IDS, STRINGS, type AspectId, type ReasonId } from '../shared/strings';

const bridge = connectBridge<RatingPadShape>();

type Strings = (typeof STRINGS)[PadLanguage];

const IDLE_LANGUAGE_MS = 60_000;

function useTopic<K extends keyof RatingPadShape['topics'] & string>(topic: K): RatingPadShape['topics'][K] | undefined {
  const [value, setValue] = useState<RatingPadShape['topics'][K]>();
  useEffect(() => bridge.on(topic, (v) => setValue(() => v)), [topic]);
  return value;
}

/** Whose screen it is: the idle pad, or the citizen of one service (asked, giving reasons, thanked). */
function sessionOf(screen: PadScreen | undefined): string {
  if (!screen || screen.phase === 'idle') return 'idle';
  return screen.request?.ticketId ?? screen.details?.ticketId ?? screen.thanks?.ticketId ?? 'idle';
}

export function App() {
  const screen = useTopic('pad');
  const link = useTopic('link');
  // A language switched by one citizen holds for that citizen only: the screen of anyone else is in
  // the terminal's own language from its very first frame (not one render later).
  const [chosen, setChosen] = useState<{ language: PadLanguage; session: string }>();
  const phase = screen?.phase;
  const session = sessionOf(screen);
  const language: PadLanguage = chosen && chosen.session === session ? chosen.language : (screen?.language ?? 'zh-CN');
  // A language chosen on the idle screen goes back after a minute nobody uses it.
  useEffect(() => {
    if (!chosen || chosen.session !== 'idle' || session !== 'idle') return;
    const timer = setTimeout(() => setChosen(undefined), IDLE_LANGUAGE_MS);
    return () => clearTimeout(timer);
  }, [chosen, session]);
  const t = STRINGS[language];
  return (
    <main className={`pad phase-${phase ?? 'idle'}`} lang={language} data-testid="pad" data-phase={phase ?? 'starting'}>
      <header>
        <div className="where">
          {screen ? <span className="window-badge">{fill(t.window, { n: screen.window })}</span> : null}
          <span className="hall">{language === 'en' ? (screen?.hallNameEn ?? screen?.hallName) : screen?.hallName}</span>
        </div>
        <button className="language" data-testid="language" onClick={() => setChosen({ language: language === 'zh-CN' ? 'en' : 'zh-CN', session })}>
          {t.languageSwitch}
        </button>
      </header>
      <section className="body">
        {!screen ? (
          <div className="thanks waiting" data-testid="connecting">
            <h1>{t.greeting}</h1>
            <p>{t.connecting}</p>
          </div>
        ) : screen.phase === 'details' && screen.details ? (
          <Reasons key={screen.details.ticketId} details={screen.details} t={t} />
        ) : screen.phase === 'thanks' && screen.thanks ? (
          <Thanks thanks={screen.thanks} t={t} language={language} />
        ) : screen.phase === 'asking' && screen.request ? (
          <Asking key={screen.request.ticketId} request={screen.request} t={t} language={language} />
        ) : (
          <Idle screen={screen} t={t} language={language} />
        )}
      </section>
      <footer>
        <span>{t.anonymous}</span>
        {screen?.keypad === 'fault' ? <span className="warn">{t.keypadFault}</span> : screen?.keypad === 'unanswered' ? <span className="warn" data-testid="keypad-unanswered">{t.keypadUnanswered}</span> : null}
        <span>{fill(t.complaint, { phone: screen?.complaintPhone ?? '12345' })}</span>
      </footer>
      {screen ? <LinkBanner link={link} t={t} /> : null}
      {screen?.notice ? (
        <div className="toast" data-testid="notice" data-notice={screen.notice}>
          {screen.notice === 'already-rated' ? t.alreadyRatedPress : t.nothingToRate}
        </div>
      ) : null}
    </main>
  );
}

function LinkBanner({ link, t }: { link?: ConnectionState; t: Strings }) {
  if (!link || link.status === 'online' || link.status === 'connecting') return null;
  return (
    <div className="link-banner" data-testid="link">
      {link.status === 'offline' && link.reason === 'unconfigured' ? t.unconfigured : t.offline}
    </div>
  );
}

function Idle({ screen, t, language }: { screen: PadScreen; t: Strings; language: PadLanguage }) {
  const department = language === 'en' ? (screen.departmentEn ?? screen.department) : screen.department;
  return (
    <div className="idle" data-testid="idle">
      {screen.clerk ? <ClerkPanel clerk={screen.clerk} t={t} language={language} /> : <div className="clerk-card empty" />}
      <div className="welcome">
        {screen.windowStatus === 'open' ? (
          <>
            <h1 className="greeting" data-testid="greeting">
              {t.greeting}
            </h1>
            <p className="hint">{t.idleHint}</p>
            {screen.current ? (
              <p className="serving" data-testid="serving">
                {currentLine(t, screen.current)}
              </p>
            ) : null}
          </>
        ) : (
          <>
            <div className="paused" data-testid="paused">
              {screen.windowStatus === 'paused' ? t.paused : t.closed}
            </div>
            <p className="hint">{screen.windowStatus === 'paused' ? t.pausedHint : t.closedHint}</p>
          </>
        )}
        <p className="window-line">
          {fill(t.window, { n: screen.window })}
          {department ? ` · ${department}` : ''}
        </p>
      </div>
    </div>
  );
}

function ClerkPanel({ clerk, t, language }: { clerk: ClerkCard; t: Strings; language: PadLanguage }) {
  return (
    <div className="clerk-card" data-testid="clerk">
      {clerk.photo ? (
        <img className="photo" src={clerk.photo} alt={t.photoAlt} />
      ) : (
        <div className="photo placeholder" aria-label={t.photoAlt}>
          <span>{clerk.surname}</span>
        </div>
      )}
      <div className="name">{clerk.name}</div>
      {clerk.title ? <div className="title">{clerk.title}</div> : null}
      <dl>
        <dt>{t.clerkNumber}</dt>
        <dd data-testid="clerk-number">{clerk.number}</dd>
      </dl>
      <div className="department">{language === 'en' ? (clerk.departmentEn ?? clerk.department) : clerk.department}</div>
    </div>
  );
}

type Aspects = Partial<Record<AspectId, RatingLevel>>;

function Asking({ request, t, language }: { request: PadRequest; t: Strings; language: PadLanguage }) {
  const [aspects, setAspects] = useState<Aspects>({});
  const [sending, setSending] = useState(false);
  // The level pressed is the rating: it is sent at the press; a bad one then offers its reasons as an addition.
  const send = (level: RatingLevel) => {
    if (sending) return;
    setSending(true);
    bridge.call('rate', { ticketId: request.ticketId, level, aspects }).catch(() => setSending(false));
  };
  const service = language === 'en' ? (request.serviceNameEn ?? request.serviceName) : request.serviceName;
  return (
    <div className="asking" data-testid="asking">
      <div className="ask-head">
        <h1>{t.ask}</h1>
        <p className="ticket" data-testid="ticket">
          {fill(t.ticket, { ticket: request.ticketNumber })} · {service}
        </p>
      </div>
      <div className="levels">
        {RATING_LEVELS.map((level) => (
          <button key={level} className={`level level-${level}`} data-testid={`level-${level}`} disabled={sending} onClick={() => send(level)}>
            <Face level={level} />
            <span>{t.levels[level]}</span>
          </button>
        ))}
      </div>
      <div className="ask-foot">
        <div className="aspects">
          <h2>{t.aspectsTitle}</h2>
          {ASPECT_IDS.map((id) => (
            <Stars key={id} label={t.aspects[id]} value={aspects[id]} t={t} testId={`aspect-${id}`} onChange={(v) => setAspects({ ...aspects, [id]: v })} />
          ))}
        </div>
        <div className="qr" data-testid="qr">
          {request.qr ? <img src={request.qr} alt={t.qrTitle} data-link={request.link} /> : <div className="qr-wait" />}
          <div>
            <strong>{t.qrTitle}</strong>
            <p>{t.qrHint}</p>
          </div>
        </div>
      </div>
    </div>
  );
}

/** Five stars for an aspect: five is 非常满意, one is 非常不满意; touching the chosen star again clears it. */
function Stars({ label, value, t, testId, onChange }: { label: string; value?: RatingLevel; t: Strings; testId: string; onChange: (v?: RatingLevel) => void }) {
  const chosen = value ? RATING_LEVELS.length - RATING_LEVELS.indexOf(value) : 0;
  return (
    <div className="stars" data-testid={testId} role="group" aria-label={label}>
      <span className="label" aria-hidden="true">{label}</span>
      {[1, 2, 3, 4, 5].map((n) => {
        const level = RATING_LEVELS[RATING_LEVELS.length - n]!;
        return (
          <button key={n} className={n <= chosen ? 'star on' : 'star'} aria-label={`${label}${/[\u4e00-\u9fff]/.test(label) ? '：' : ': '}${t.levels[level]}`} aria-pressed={n === chosen} data-testid={`${testId}-${n}`} onClick={() => onChange(n === chosen ? undefined : level)}>
            ★
          </button>
        );
      })}
      <span className="star-name">{value ? t.levels[value] : ''}</span>
    </div>
  );
}

/** The reasons screen of a bad rating already recorded: reasons and a comment amend it; leaving adds nothing. */
function Reasons({ details, t }: { details: PadDetails; t: Strings }) {
  const [reasons, setReasons] = useState<ReasonId[]>([]);
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const ready = reasons.length > 0 || text.trim().length > 0;
  const toggle = (id: ReasonId) => setReasons(reasons.includes(id) ? reasons.filter((r) => r !== id) : [...reasons, id]);
  const send = (withDetails: boolean) => {
    if (sending) return;
    setSending(true);
    bridge.call('amend', { ticketId: details.ticketId, ...(withDetails ? { reasons, text } : {}) }).catch(() => setSending(false));
  };
  return (
    <div className="reasons" data-testid="reasons" data-status={details.status}>
      <div className="reason-head">
        <Face level={details.level} small />
        <div>
          <h1>{t.reasonTitle}</h1>
          <p>{t.reasonAsk}</p>
        </div>
        <span className={`chosen level-${details.level}`} data-testid="recorded-level">
          {fill(t.levelRecorded, { level: t.levels[details.level] })}
        </span>
      </div>
      <div className="reason-list">
        {REASON_IDS.map((id) => (
          <button key={id} className={reasons.includes(id) ? 'reason on' : 'reason'} data-testid={`reason-${id}`} aria-pressed={reasons.includes(id)} onClick={() => toggle(id)}>
            <span className="tick">{reasons.includes(id) ? <Check /> : null}</span>
            {t.reasons[id]}
          </button>
        ))}
      </div>
      <label className="text">
        <span>{t.textLabel}</span>
        <textarea data-testid="reason-text" maxLength={500} placeholder={t.textPlaceholder} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <div className="reason-actions">
        <button className="back" data-testid="skip" disabled={sending} onClick={() => send(false)}>
          {t.skip}
        </button>
        <span className="need">{ready ? '' : t.reasonNeeded}</span>
        <button className="submit" data-testid="submit" disabled={!ready || sending} onClick={() => send(true)}>
          {t.submit}
        </button>
      </div>
    </div>
  );
}

function Thanks({ thanks, t, language }: { thanks: PadThanks; t: Strings; language: PadLanguage }) {
  const refused = thanks.status === 'refused';
  // A refused addition leaves the level pressed recorded: the thanks say so.
  const detailsRefused = refused && thanks.part === 'details';
  const line =
    thanks.status === 'sending'
      ? t.sending
      : thanks.status === 'queued'
        ? t.queued
        : detailsRefused
          ? t.detailsRefused
          : refused
            ? thanks.code === 'already-rated'
              ? REFUSAL_TEXT[language]['already-rated']
              : t.refused
            : isBadRating(thanks.level)
              ? t.thanksBad
              : t.thanksGood;
  return (
    <div className={`thanks status-${thanks.status}`} data-testid="thanks" data-status={thanks.status} data-code={thanks.code ?? ''} data-part={thanks.part ?? 'rating'}>
      <div className="thanks-mark">{refused && !detailsRefused ? <span className="info">i</span> : <Check />}</div>
      <h1>{refused && !detailsRefused && thanks.code !== 'already-rated' ? t.title : t.thanks}</h1>
      <p data-testid="thanks-line">{line}</p>
    </div>
  );
}

const FACE_MOUTH: Record<RatingLevel, string> = {
  'very-satisfied': 'M34 66 Q60 96 86 66 Z',
  satisfied: 'M36 70 Q60 90 84 70',
  'basically-satisfied': 'M38 74 Q60 82 82 74',
  dissatisfied: 'M40 80 Q60 72 80 80',
  'very-dissatisfied': 'M38 84 Q60 64 82 84',
};

/** A drawn face per level: no emoji font is needed on the tablet. */
function Face({ level, small }: { level: RatingLevel; small?: boolean }) {
  const size = small ? 72 : 112;
  const filled = level === 'very-satisfied';
  return (
    <svg className="face" width={size} height={size} viewBox="0 0 120 120" aria-hidden="true">
      <circle cx="60" cy="60" r="54" className="face-bg" />
      {level === 'very-dissatisfied' ? (
        <>
          <path d="M32 42 L50 36" className="brow" />
          <path d="M88 42 L70 36" className="brow" />
        </>
      ) : null}
      <circle cx="42" cy="52" r="6" className="eye" />
      <circle cx="78" cy="52" r="6" className="eye" />
      <path d={FACE_MOUTH[level]} className={filled ? 'mouth open' : 'mouth'} />
    </svg>
  );
}

function Check() {
  return (
    <svg className="check" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M5 12.5 L10 17.5 L19 7" />
    </svg>
  );
}

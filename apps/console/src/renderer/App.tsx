import { HubOffset, type StaffRole } from '@servicehall/core';
import { createContext, lazy, Suspense, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, NavLink, Outlet, RouterProvider, useLocation } from 'react-router';
import { AlertTray } from './alerts';
import { api, ApiError, setApiLanguage, setCsrf, whenSignedOut } from './api';
import { STRINGS, type Language, type Strings } from './i18n';
import { hallTimes, type HallTimes } from './hall-time';
import { useLive, type Live } from './live';
import { AuditPage } from './pages/Audit';
import { BoardPage } from './pages/Board';
import { CalendarPage } from './pages/Calendar';
import { LoginPage, PasswordPage } from './pages/Login';
import { OverviewPage } from './pages/Overview';
import { SetupPage } from './pages/Setup';
import { StaffPage } from './pages/Staff';
import { TerminalsPage } from './pages/Terminals';
import { TodayPage } from './pages/Today';
import { CaseRoutesPage } from './pages/CaseRoutes';
import { CasePage } from './pages/Case';
import { ComplaintPage, ComplaintsPage } from './pages/Complaints';
import { FollowUpPage, FollowUpsPage } from './pages/FollowUps';
import { PersonalDataPage } from './pages/PersonalData';
import { CASEWORK_STRINGS, type CaseworkStrings } from './casework-strings';

// The reports' pages carry the charting library: loaded when first opened, not with the console.
const ReportsPage = lazy(() => import('./pages/Reports').then((m) => ({ default: m.ReportsPage })));
const MonthlyReportPage = lazy(() => import('./pages/Reports').then((m) => ({ default: m.MonthlyReportPage })));
const ForecastPage = lazy(() => import('./pages/Forecast').then((m) => ({ default: m.ForecastPage })));

export interface SignedIn {
  id: string;
  name: string;
  role: StaffRole;
  department?: string;
  mustChange: boolean;
}

interface ConsoleState {
  t: Strings;
  /** The words of the cases that need someone. */
  cw: CaseworkStrings;
  language: Language;
  setLanguage(l: Language): void;
  staff?: SignedIn;
  status?: { configured: boolean; hallName: string; needsFirstAdmin: boolean; timeZone?: string; hubTime?: number };
  /** The hall's time zone: the live view's, else the hub's answer before sign-in. */
  timeZone: string;
  /** Now on the hub's clock: waits and pauses count by it, not by this computer's clock (it may be minutes or hours off). */
  hubNow(): number;
  /** Times as the hall's clock shows them, in its zone (never the browser's). */
  times: HallTimes;
  signedIn(staff: SignedIn, csrf: string): void;
  signOut(): Promise<void>;
  /** Whose session the hub said has ended, until they or another sign in: the sign-in page says why it is shown, and goes back to the page. */
  sessionEnded?: string;
  /** Leaves a page whose session has ended, once told that what was typed on it and not saved will not be kept. */
  leave(): void;
  /** Something was typed or chosen on the page since it was opened. */
  changed(): void;
  /** Another page was opened: nothing on it changed yet. */
  opened(): void;
  refreshStatus(): Promise<void>;
  live: Live;
  /** On the hub's clock, when the feed stopped being live: what is shown is the hall as it was then. Absent while live. */
  liveUntil?: number;
}

const Ctx = createContext<ConsoleState | undefined>(undefined);

export function useConsole(): ConsoleState {
  const c = useContext(Ctx);
  if (!c) throw new Error('useConsole outside the console');
  return c;
}

/**
 * The console's pages, by role. Parts 2 (supervision, alerts, follow-ups, complaints) and 3
 * (reports) add theirs here: a route and a navigation entry with the roles that see it.
 */
const ALL_STAFF: readonly StaffRole[] = ['administrator', 'supervisor', 'department-head', 'clerk'];
const HANDLERS: readonly StaffRole[] = ['administrator', 'supervisor', 'department-head'];

/** A hidden page (a detail) is routed but not in the navigation. */
export const PAGES: { path: string; nav: keyof Strings['nav']; roles: readonly StaffRole[]; element: ReactNode; hidden?: boolean }[] = [
  { path: '', nav: 'overview', roles: ['administrator', 'supervisor', 'department-head'], element: <OverviewPage /> },
  { path: 'board', nav: 'board', roles: ['administrator', 'supervisor', 'department-head'], element: <BoardPage /> },
  { path: 'setup', nav: 'setup', roles: ['administrator'], element: <SetupPage /> },
  { path: 'today', nav: 'today', roles: ['administrator', 'supervisor', 'department-head'], element: <TodayPage /> },
  { path: 'staff', nav: 'staff', roles: ['administrator', 'supervisor', 'department-head'], element: <StaffPage /> },
  { path: 'terminals', nav: 'terminals', roles: ['administrator', 'supervisor', 'department-head'], element: <TerminalsPage /> },
  { path: 'calendar', nav: 'calendar', roles: ['administrator', 'supervisor', 'department-head'], element: <CalendarPage /> },
  { path: 'audit', nav: 'audit', roles: ['administrator', 'supervisor'], element: <AuditPage /> },
  { path: 'follow-ups', nav: 'followUps', roles: ALL_STAFF, element: <FollowUpsPage /> },
  { path: 'follow-ups/:id', nav: 'followUps', roles: ALL_STAFF, element: <FollowUpPage />, hidden: true },
  { path: 'complaints', nav: 'complaints', roles: HANDLERS, element: <ComplaintsPage /> },
  { path: 'complaints/:id', nav: 'complaints', roles: HANDLERS, element: <ComplaintPage />, hidden: true },
  { path: 'case-routes', nav: 'caseRoutes', roles: HANDLERS, element: <CaseRoutesPage /> },
  { path: 'cases', nav: 'cases', roles: ALL_STAFF, element: <CasePage /> },
  { path: 'cases/:number', nav: 'cases', roles: ALL_STAFF, element: <CasePage />, hidden: true },
  { path: 'personal-data', nav: 'personalData', roles: ['administrator', 'supervisor'], element: <PersonalDataPage /> },
  { path: 'reports', nav: 'reports', roles: ALL_STAFF, element: <ReportsPage /> },
  { path: 'reports/monthly', nav: 'reports', roles: ALL_STAFF, element: <MonthlyReportPage />, hidden: true },
  { path: 'forecast', nav: 'forecast', roles: ['administrator', 'supervisor', 'department-head'], element: <ForecastPage /> },
  { path: 'password', nav: 'password', roles: ['administrator', 'supervisor', 'department-head', 'clerk'], element: <PasswordPage /> },
];

/** The session has ended on a page with something typed or chosen on it: said before the page is left for the sign-in page. */
function SessionEnded() {
  const { t, staff, sessionEnded, leave } = useConsole();
  if (!staff || sessionEnded !== staff.id) return null;
  return (
    <div className="session-ended" role="alertdialog" aria-labelledby="session-ended-title" data-testid="session-ended">
      <p id="session-ended-title">
        <b>{t.login.sessionEnded}</b> {t.login.unsaved}
      </p>
      <button onClick={leave} autoFocus>
        {t.login.again}
      </button>
    </div>
  );
}

/** The wall screen's feed when not live, said across the room above the board: since when its figures are old, and why. */
function WallLink({ ended }: { ended: boolean }) {
  const { t, live, times, liveUntil } = useConsole();
  if (live.link === 'linked' && !ended) return null;
  const since = liveUntil === undefined ? undefined : times.clock(liveUntil);
  return (
    <div className="wall-link" role="status" data-testid="wall-link">
      <b>{t.board.notLive(since, ended || live.link === 'ended')}</b>
      <span>{t.live[ended ? 'ended' : live.link]}</span>
    </div>
  );
}

function Layout() {
  const { t, staff, status, signOut, language, setLanguage, live, changed, opened, sessionEnded } = useConsole();
  const location = useLocation();
  const wall = location.pathname.endsWith('/board') && new URLSearchParams(location.search).has('wall');
  useEffect(opened, [location.pathname, opened]);
  // Back here after signing in again (or after signing in from a link to this page).
  if (!staff) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (staff.mustChange) return <Navigate to="/login" replace />;
  // The session-ended notice is up: nothing will reconnect, whatever the feed last said.
  const ended = sessionEnded === staff.id;
  // The wall screen of the supervisors' office: the board alone, in large type.
  if (wall)
    return (
      <main className="page wall-page">
        <SessionEnded />
        <WallLink ended={ended} />
        <AlertTray />
        <Outlet />
      </main>
    );
  return (
    <div className="shell">
      <aside className="nav">
        <div className="brand">
          <div className="hall">{status?.hallName || 'ServiceHall'}</div>
          <div className="app">{t.appName}</div>
        </div>
        <nav>
          {PAGES.filter((p) => !p.hidden && p.roles.includes(staff.role)).map((p) => (
            <NavLink key={p.path} to={`/${p.path}`} end={p.path === ''} className={({ isActive }) => (isActive ? 'active' : '')}>
              {t.nav[p.nav]}
            </NavLink>
          ))}
        </nav>
        <div className="who">
          <div>
            {staff.name} · {t.roles[staff.role]}
            {staff.department ? ` · ${staff.department}` : ''}
          </div>
          {/* A clerk's console has no live feed (their pages read their own figures): no link to report on. */}
          {staff.role !== 'clerk' && (
            <div className={`link ${live.link === 'linked' && !ended ? 'on' : 'off'}`} data-testid="feed-link">
              {t.live[ended ? 'ended' : live.link]}
            </div>
          )}
          <div className="row">
            <button className="ghost" onClick={() => setLanguage(language === 'zh-CN' ? 'en' : 'zh-CN')}>
              {t.language}
            </button>
            <button className="ghost" onClick={() => void signOut()}>
              {t.signOut}
            </button>
          </div>
        </div>
      </aside>
      {/* A change event from any field of any page: what the page would lose if the session ended now. */}
      <main className="page" onChange={changed}>
        <SessionEnded />
        <AlertTray />
        <Suspense fallback={null}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}

function Guard({ roles, children }: { roles: readonly StaffRole[]; children: ReactNode }) {
  const { staff, t } = useConsole();
  if (staff && !roles.includes(staff.role)) return <p className="notice">{t.forbidden}</p>;
  return <>{children}</>;
}

const router = createBrowserRouter(
  [
    { path: '/login', element: <LoginPage /> },
    {
      path: '/',
      element: <Layout />,
      children: PAGES.map((p) => ({ path: p.path || undefined, index: p.path === '', element: <Guard roles={p.roles}>{p.element}</Guard> })),
    },
    { path: '*', element: <Navigate to="/" replace /> },
  ],
  { basename: '/console' },
);

/** How often the console asks the hub's clock again. */
const HUB_TIME_EVERY_MS = 60_000;

export function App() {
  const [language, setLang] = useState<Language>(() => (localStorage.getItem('servicehall.language') === 'en' ? 'en' : 'zh-CN'));
  const [staff, setStaff] = useState<SignedIn | undefined>();
  const [status, setStatus] = useState<ConsoleState['status']>();
  const [ready, setReady] = useState(false);
  const [sessionEnded, setSessionEnded] = useState<string>();
  const live = useLive(!!staff && !staff.mustChange && staff.role !== 'clerk');
  // Read by the hub's answers as they come, not by a render: who is signed in, and whether the page has changes.
  const signedInAs = useRef<SignedIn | undefined>(undefined);
  const pageChanged = useRef(false);
  const changed = useCallback(() => void (pageChanged.current = true), []);
  const opened = useCallback(() => void (pageChanged.current = false), []);
  const keep = useCallback((s: SignedIn | undefined) => {
    signedInAs.current = s;
    setStaff(s);
  }, []);

  // The hub says the session has ended: back to the sign-in page saying why, at once unless the page has changes, which are said first.
  useEffect(
    () =>
      whenSignedOut(() => {
        const s = signedInAs.current;
        // Not signed in (the sign-in page's own requests, the first look at the session): nothing has ended.
        if (!s) return;
        setSessionEnded(s.id);
        if (!pageChanged.current) keep(undefined);
      }),
    [keep],
  );

  // The hub's clock less this computer's steady clock (performance.now()), as the hub's status answers say it,
  // each at the midpoint of its round trip (core's HubOffset, as the terminals' link counts): this computer's own
  // clock until the first answer. Its clock put an hour on does not move the hall's time shown.
  const offsets = useRef(new HubOffset());
  const [hubOffset, setHubOffset] = useState(() => Date.now() - performance.now());
  const askStatus = useCallback(async () => {
    const asked = performance.now();
    const s = await api<NonNullable<ConsoleState['status']>>('GET', '/api/console/status');
    const offset = offsets.current.sample(asked, typeof s.hubTime === 'number' ? s.hubTime : Number.NaN, performance.now());
    if (offset !== undefined) setHubOffset(Math.round(offset));
    return s;
  }, []);
  const refreshStatus = useCallback(async () => setStatus(await askStatus()), [askStatus]);
  // Asked again each minute and whenever the live feed comes back: a hub's clock put right is followed.
  useEffect(() => {
    const timer = setInterval(() => void askStatus().catch(() => undefined), HUB_TIME_EVERY_MS);
    return () => clearInterval(timer);
  }, [askStatus]);
  useEffect(() => {
    if (live.online) void askStatus().catch(() => undefined);
  }, [live.online, askStatus]);

  useEffect(() => {
    setApiLanguage(language);
    document.documentElement.lang = language;
    localStorage.setItem('servicehall.language', language);
  }, [language]);

  useEffect(() => {
    void (async () => {
      await refreshStatus().catch(() => undefined);
      try {
        const s = await api<{ staff: SignedIn; csrf: string }>('GET', '/api/console/session');
        setCsrf(s.csrf);
        keep(s.staff);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
      }
      setReady(true);
    })();
  }, [refreshStatus, keep]);

  // The live feed brings the hall's name and whether it is set up.
  useEffect(() => {
    if (live.view && status && status.hallName !== live.view.catalogue.hall.name) void refreshStatus();
  }, [live.seq, live.view, status, refreshStatus]);

  const timeZone = live.view?.catalogue.hall.timeZone ?? status?.timeZone ?? 'Asia/Shanghai';
  const value = useMemo<ConsoleState>(
    () => ({
      timeZone,
      hubNow: () => Math.round(performance.now() + hubOffset),
      liveUntil: live.lostAt === undefined ? undefined : Math.round(live.lostAt + hubOffset),
      times: hallTimes(language, timeZone),
      t: STRINGS[language],
      cw: CASEWORK_STRINGS[language],
      language,
      setLanguage: setLang,
      staff,
      status,
      live,
      refreshStatus,
      signedIn(s, csrf) {
        setCsrf(csrf);
        pageChanged.current = false;
        setSessionEnded(undefined);
        keep(s);
      },
      async signOut() {
        // Signing out is not a session that ended: the sign-in page says nothing about it.
        signedInAs.current = undefined;
        setSessionEnded(undefined);
        await api('POST', '/api/console/logout').catch(() => undefined);
        setCsrf('');
        keep(undefined);
      },
      sessionEnded,
      leave: () => keep(undefined),
      changed,
      opened,
    }),
    [language, staff, status, live, refreshStatus, sessionEnded, keep, changed, opened, timeZone, hubOffset],
  );
  if (!ready) return null;
  return (
    <Ctx.Provider value={value}>
      <RouterProvider router={router} />
    </Ctx.Provider>
  );
}

/** An error from the hub as the console says it: the hub's polite text in the chosen language. */
export function ErrorLine({ error }: { error: unknown }) {
  const { t } = useConsole();
  if (!error) return null;
  // A page's own sentence comes as an Error: its message alone, never 'Error: …' on the Chinese screen.
  const text = error instanceof ApiError ? error.text || error.message : error instanceof Error ? error.message : String(error);
  return (
    <p className="error" role="alert">
      {t.error}
      {text}
    </p>
  );
}

import { appointmentPolicyOf, phonePolicyOf, supervisionOf, type Catalogue } from '@servicehall/core';
import type { Strings } from './i18n';

/** One entry of the audit log as `GET /api/audit` gives it. */
export interface AuditRecord {
  action: string;
  target: string;
  staff: { id: string; name: string; role: string };
  before?: unknown;
  after?: unknown;
}

/** What the summary names from the hall as it is now: items by code, people by id, a date. */
export interface AuditNames {
  item(code: string): string | undefined;
  /** A staff account's or a clerk's name by id (number), when known. */
  person(id: string): string | undefined;
  date(at: number): string;
}

type Words = Strings['audit']['summary'];
type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** The id after the kind in a target: `staff:zhang` → zhang, when the target is of that kind. */
const targetId = (target: string, kind: string) => (target.startsWith(`${kind}:`) ? target.slice(kind.length + 1) : undefined);

/**
 * What an audit entry did, as a supervisor reads it (新增账号 张三（zhang，值班主任）, 修改事项 X 的今日设置：
 * 取号时段 08:30–11:30 → 09:00–11:30), from the entry itself. Undefined for an action it does not
 * know or a record not of the shape the hub writes: the page then shows the record as it is.
 */
export function auditSummary(e: AuditRecord, w: Words, names: AuditNames): string | undefined {
  const who = (id: string) => {
    const name = names.person(id);
    return name && name !== id ? w.person(name, id) : id;
  };
  const item = (code: string) => names.item(code) ?? code;
  const items = (codes: unknown[]) => (codes.length ? codes.map((c) => item(String(c))).join('、') : w.none);
  const before = obj(e.before);
  const after = obj(e.after);
  const atDayEnd = obj(after?.atDayEnd);
  switch (e.action) {
    case 'createStaff': {
      const id = targetId(e.target, 'staff');
      const name = str(after?.name);
      if (!id || !name) return undefined;
      return w.createStaff(name, id, w.role(str(after?.role) ?? ''), str(after?.department));
    }
    case 'resetPassword':
    case 'disableStaff':
    case 'enableStaff': {
      const id = targetId(e.target, 'staff');
      return id ? w[e.action](who(id)) : undefined;
    }
    case 'changeOwnPassword':
      return w.changeOwnPassword;
    case 'changeOwnPin':
      return w.changeOwnPin;
    case 'issueInitialPin':
    case 'unlockClerk': {
      const id = targetId(e.target, 'clerk');
      return id ? w[e.action](who(id)) : undefined;
    }
    case 'enrolTerminal': {
      const terminal = targetId(e.target, 'terminal');
      if (!terminal || !after) return undefined;
      const window = num(after.window);
      const expires = num(after.expiresAt);
      return w.enrolTerminal(terminal, w.terminalRole(str(after.role) ?? ''), window, expires !== undefined ? names.date(expires) : undefined, after.replaced === true);
    }
    case 'revokeTerminal':
    case 'removeHallTokenTerminal': {
      const terminal = targetId(e.target, 'terminal');
      return terminal ? w[e.action](terminal) : undefined;
    }
    case 'assignWindowItems': {
      const window = Number(targetId(e.target, 'window'));
      if (!Number.isInteger(window)) return undefined;
      const next = atDayEnd ? atDayEnd.serves : after?.serves;
      if (!Array.isArray(next)) return undefined;
      return w.assignWindowItems(window, items(list(before?.serves)), items(next), !!atDayEnd);
    }
    case 'openTemporaryWindow': {
      const window = Number(targetId(e.target, 'window'));
      if (!Number.isInteger(window) || !after) return undefined;
      return w.openTemporaryWindow(window, str(after.name), items(list(after.serves)));
    }
    case 'setItemToday': {
      const code = targetId(e.target, 'item');
      if (!code || !before || !after) return undefined;
      return w.setItemToday(item(code), itemTodayChanges(before, after, w));
    }
    case 'replaceCatalogue':
      return catalogueSummary(before, after, w, item);
    case 'withdrawBookings': {
      const code = targetId(e.target, 'item');
      const bookings = num(after?.bookings);
      const firstDay = str(after?.firstDay);
      if (!code || bookings === undefined || !firstDay) return undefined;
      // The item is gone from the setup: named as it was when its bookings were cancelled.
      return w.withdrawBookings(`${code} ${str(after?.itemName) ?? item(code)}`, bookings, firstDay);
    }
    case 'cancelPendingChange': {
      const text = str(after?.text);
      if (text) return w.cancelPending(text);
      const change = obj(before?.change);
      if (!change) return w.cancelPending(w.pendingGone);
      return w.cancelPending(change.type === 'assignWindowItems' ? w.pendingWindow(Number(change.window)) : w.pendingSetup);
    }
    case 'setCalendarYear': {
      const year = Number(targetId(e.target, 'calendar'));
      if (!Number.isInteger(year) || !after) return undefined;
      const count = (v: unknown) => Object.keys(obj(v) ?? {}).length;
      const was = before && (count(before.holidays) > 0 || count(before.workdays) > 0) ? { holidays: count(before.holidays), workdays: count(before.workdays) } : undefined;
      return w.setCalendarYear(year, count(after.holidays), count(after.workdays), was);
    }
    case 'createComplaint': {
      // Named by the complaint it made and what that concerns; a record from before the hub named it says only what was done.
      const id = targetId(e.target, 'complaint');
      if (!id) return w.commands.createComplaint;
      const [ticket, window, caseNumber, clerk] = [str(after?.ticket), num(after?.window), str(after?.caseNumber), str(after?.clerk)];
      const about = [
        ticket && w.subjects.ticket!(ticket),
        window !== undefined && w.subjects.window!(String(window)),
        caseNumber && w.subjects.case!(caseNumber),
        clerk && w.subjects.clerk!(who(clerk)),
      ].filter((x): x is string => !!x);
      return w.command(w.commands.createComplaint!, w.concerning(w.subjects.complaint!(id), about));
    }
    case 'advanceFollowUp': {
      // Named by the step it completed (核实, 整改, 反馈, 回访); a record from before the hub kept the step says only what was done.
      const id = targetId(e.target, 'follow-up');
      const step = w.followUpSteps[str(after?.step) ?? ''];
      if (!id || !step) return id ? w.command(w.commands.advanceFollowUp!, w.subjects['follow-up']!(id)) : w.commands.advanceFollowUp;
      return w.command(w.followUpStep(step), w.subjects['follow-up']!(id));
    }
    default: {
      // A casework or alert command sent from the console: what it did, and to what where the record names it.
      const done = w.commands[e.action];
      if (!done) return undefined;
      const [kind, ...rest] = e.target.split(':');
      const subject = rest.length ? w.subjects[kind!] : undefined;
      return subject ? w.command(done, subject(rest.join(':'))) : e.target === e.action ? done : w.command(done, e.target);
    }
  }
}

/** What a change of an item for today changed: hours, quota, closed with its notice, opened again. */
function itemTodayChanges(before: Obj, after: Obj, w: Words): string[] {
  const effective = (o: Obj) => {
    const today = obj(o.today);
    const hours = list(today?.issuingHours ?? o.issuingHours)
      .map((h) => `${str(obj(h)?.from) ?? '?'}–${str(obj(h)?.to) ?? '?'}`)
      .join('、');
    return { hours, quota: num(today?.dailyQuota) ?? num(o.dailyQuota), closed: str(today?.closedNotice) };
  };
  const [b, a] = [effective(before), effective(after)];
  const out: string[] = [];
  if (b.hours !== a.hours) out.push(w.hours(b.hours, a.hours));
  if (b.quota !== a.quota) out.push(w.quota(b.quota, a.quota));
  if (a.closed && a.closed !== b.closed) out.push(w.closed(a.closed));
  if (b.closed && !a.closed) out.push(w.reopened);
  return out.length ? out : [w.unchanged];
}

/** The parts of a setup the summary names when they change, in the order it names them. */
const SETUP_PARTS = ['hall', 'departments', 'windows', 'clerks', 'numbering', 'queue', 'rating', 'phone', 'appointments', 'cases', 'supervision'] as const;
/** Of a list of items, the summary names this many and counts the rest. */
const NAMED_ITEMS = 5;

/**
 * A whole setup saved: what it has, and what it changed: the parts (取号规则, 窗口, …), the items it
 * adds, drops, renames, gives a new code (an item dropped and one added of the same name) or
 * otherwise changes, each list cut to its first few.
 */
function catalogueSummary(before: Obj | undefined, after: Obj | undefined, w: Words, item: (code: string) => string): string | undefined {
  const scheduled = obj(obj(after?.atDayEnd)?.catalogue);
  const next = scheduled ?? after;
  if (!next || !Array.isArray(next.items)) return undefined;
  const byCode = (c: Obj | undefined) => new Map(list(c?.items).map((i) => [str(obj(i)?.code) ?? '', obj(i) ?? {}]));
  const [was, now] = [byCode(before), byCode(next)];
  const nameOf = (i: Obj) => str(i.name) ?? '';
  let added = [...now].filter(([code]) => !was.has(code));
  let dropped = [...was].filter(([code]) => !now.has(code));
  // An item dropped and one added under the same name, one each: its code was changed.
  const recoded = added.filter(([, a]) => nameOf(a) && added.filter(([, x]) => nameOf(x) === nameOf(a)).length === 1 && dropped.filter(([, d]) => nameOf(d) === nameOf(a)).length === 1);
  const recodedNames = new Set(recoded.map(([, a]) => nameOf(a)));
  added = added.filter(([, a]) => !recodedNames.has(nameOf(a)));
  dropped = dropped.filter(([, d]) => !recodedNames.has(nameOf(d)));
  // What an item is apart from its name and its changes for today (the hall's own, carried over).
  const rest = (i: Obj) => JSON.stringify({ ...i, name: undefined, today: undefined });
  const kept = [...now].filter(([code]) => was.has(code));
  const few = (names: string[]) => w.few(names.slice(0, NAMED_ITEMS), names.length);
  // A policy absent (a hall set up before it existed) and the same policy written out with its defaults by the form are one.
  const settled = (c: Obj | undefined, part: string) => {
    const given = obj(c?.[part]);
    if (part === 'supervision') return supervisionOf({ supervision: given } as Catalogue);
    if (part === 'phone') return phonePolicyOf({ phone: given } as Catalogue);
    if (part === 'appointments') return appointmentPolicyOf({ appointments: given } as Catalogue);
    return c?.[part] ?? null;
  };
  const same = (part: string) => JSON.stringify(settled(before, part)) === JSON.stringify(settled(next, part));
  const counts = { items: now.size, windows: list(next.windows).length, clerks: list(next.clerks).length };
  return w.replaceCatalogue(
    counts,
    {
      first: !before,
      parts: SETUP_PARTS.filter((part) => !same(part)).map((part) => w.parts[part]!),
      added: few(added.map(([code, i]) => nameOf(i) || code)),
      dropped: few(dropped.map(([code, i]) => nameOf(i) || item(code))),
      renamed: few(kept.filter(([code, i]) => nameOf(was.get(code)!) !== nameOf(i)).map(([code, i]) => w.renamed(nameOf(was.get(code)!), nameOf(i) || code))),
      recoded: few(recoded.map(([code, a]) => w.recoded(nameOf(a), [...was].find(([, d]) => nameOf(d) === nameOf(a))![0], code))),
      modified: few(kept.filter(([code, i]) => rest(was.get(code)!) !== rest(i)).map(([code, i]) => nameOf(i) || code)),
    },
    !!scheduled,
  );
}

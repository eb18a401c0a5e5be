import { changed } from '../copy';
import type { CommandBody } from '../commands';
import { FOLLOW_UP_STEP_NAMES as STEP_NAMES, FOLLOW_UP_STEPS, type FollowUp } from '../ratings';
import { ok, refuse, type Result } from '../result';
import { inBothLanguages } from '../strings';
import { byOf, departmentOf, forbidden, isHeadOf, isSupervisor, missingEvidence, staffOf } from './casework';
import type { Catalogue } from '../catalogue';
import { OutOfStep, type DecideContext, type Decision, type EventOf, type HallView } from './view';

// Follow-ups of bad ratings (N-03): verify, rectify, feed back, revisit, each with its text and
// evidence; the clerk's appeal (申诉) and the supervisor's review (复核); closure.

export type FollowUpEventType = 'followUp.opened' | 'followUp.advanced' | 'followUp.appealed' | 'followUp.appealDecided';

export type FollowUpCommand = Extract<CommandBody, { type: 'advanceFollowUp' | 'appealFollowUp' | 'decideFollowUpAppeal' }>;

export function applyFollowUpEvent(view: HallView, event: EventOf<FollowUpEventType>): void {
  if (event.type === 'followUp.opened') {
    view.followUps.set(event.followUp.id, event.followUp);
    return;
  }
  const f = view.followUps.get(event.id) ?? event.followUp;
  if (!f) throw new OutOfStep(`event ${event.seq} names unknown follow-up ${event.id}`);
  switch (event.type) {
    case 'followUp.advanced': {
      const closed = event.step === 'revisit';
      const step = { step: event.step, at: event.at, note: event.note, by: event.by, ...(event.evidence?.length ? { evidence: event.evidence } : {}) };
      view.followUps.set(f.id, changed(f, { done: [...f.done, step], closed, ...(closed ? { closure: { at: event.at, how: 'revisited' as const } } : {}) }));
      break;
    }
    case 'followUp.appealed':
      view.followUps.set(f.id, changed(f, { appeal: { at: event.at, reason: event.reason, ...(event.by ? { by: event.by } : {}) } }));
      break;
    case 'followUp.appealDecided': {
      const decision = { at: event.at, upheld: event.upheld, note: event.note, ...(event.by ? { by: event.by } : {}) };
      const appeal = changed(f.appeal ?? { at: event.at, reason: '' }, { decision });
      view.followUps.set(f.id, changed(f, { appeal, ...(event.upheld ? { closed: true, closure: { at: event.at, how: 'appeal-upheld' as const } } : {}) }));
      break;
    }
  }
}

/** The department whose head sees to a follow-up (one opened before follow-ups named it: its window's or clerk's). */
export const followUpDepartment = (f: FollowUp, catalogue: Catalogue): string | undefined => f.department ?? departmentOf(catalogue, f.window, f.clerk).department;

/** The step a follow-up waits for, or none once closed. */
export const nextFollowUpStep = (f: FollowUp) => (f.closed ? undefined : FOLLOW_UP_STEPS[f.done.length]);

export function decideFollowUp(view: HallView, command: FollowUpCommand, ctx: DecideContext): Result<Decision> {
  const by = byOf(ctx);
  // The view holds today's follow-ups; an earlier one is in the hall's records, and its event carries it.
  const today = view.followUps.get(command.followUpId);
  const f = today ?? ctx.followUpOf?.(command.followUpId);
  if (!f) return refuse('not-found', `there is no open follow-up ${command.followUpId}`);
  const carried = today ? {} : { followUp: f };
  // Two supervisors, or a page left open: the one who acts second is told what happened, in the hall's words.
  if (f.closed) return refuse('illegal-transition', inBothLanguages(`差评整改 ${f.id} 已办结，无需再办理：请刷新页面查看。`, `Follow-up ${f.id} is closed: nothing more to do; refresh the page to see it.`));
  switch (command.type) {
    case 'advanceFollowUp': {
      // The department head sees to their department's follow-ups; supervisors to all.
      const department = followUpDepartment(f, view.catalogue);
      if (!isSupervisor(ctx) && !isHeadOf(ctx, department)) return forbidden(ctx, `advance follow-up ${f.id} of ${department ?? 'no department'}`);
      const expected = nextFollowUpStep(f);
      if (command.step !== expected) {
        const done = f.done.some((d) => d.step === command.step);
        return refuse(
          'illegal-transition',
          done
            ? inBothLanguages(`差评整改 ${f.id} 的「${STEP_NAMES[command.step]}」已有人办理，现在待办「${STEP_NAMES[expected!]}」：请刷新页面后再办理。`, `Step ${command.step} of follow-up ${f.id} is done already; it is at step ${expected} now: refresh the page.`)
            : inBothLanguages(`差评整改 ${f.id} 现在待办「${STEP_NAMES[expected!]}」，还不能办理「${STEP_NAMES[command.step]}」。`, `Follow-up ${f.id} is at step ${expected}, not ${command.step}.`),
        );
      }
      const missing = missingEvidence(ctx, command.evidence);
      if (missing) return missing;
      return ok({ events: [{ type: 'followUp.advanced', id: f.id, step: command.step, note: command.note, by, ...(command.evidence?.length ? { evidence: command.evidence } : {}), ...carried }] });
    }
    case 'appealFollowUp': {
      // The clerk appeals their own follow-up (the hall token may record an appeal made on paper).
      const s = staffOf(ctx);
      if (s && s.id !== 'hall-token' && !(s.role === 'clerk' && s.id === f.clerk)) return forbidden(ctx, `appeal follow-up ${f.id}: only its clerk appeals`);
      if (f.appeal) return refuse('illegal-transition', inBothLanguages(`差评整改 ${f.id} 已提出过申诉，不能再次申诉。`, `Follow-up ${f.id} is appealed already.`));
      return ok({ events: [{ type: 'followUp.appealed', id: f.id, reason: command.reason, by, ...carried }] });
    }
    case 'decideFollowUpAppeal':
      if (!isSupervisor(ctx)) return forbidden(ctx, `decide the appeal of follow-up ${f.id}`);
      if (!f.appeal) return refuse('illegal-transition', inBothLanguages(`差评整改 ${f.id} 没有待复核的申诉。`, `Follow-up ${f.id} has no appeal to decide.`));
      if (f.appeal.decision)
        return refuse('illegal-transition', inBothLanguages(`差评整改 ${f.id} 的申诉已复核，无需再作决定：请刷新页面查看。`, `The appeal of follow-up ${f.id} is decided already: refresh the page to see it.`));
      return ok({ events: [{ type: 'followUp.appealDecided', id: f.id, upheld: command.upheld, note: command.note, by, ...carried }] });
  }
}

import type { CommandBody } from '../commands';
import { FOLLOW_UP_STEPS } from '../ratings';
import { ok, refuse, type Result } from '../result';
import { OutOfStep, type DecideContext, type Decision, type EventOf, type HallView } from './view';

// Follow-ups of bad ratings (N-03): verify, rectify, feed back, revisit; the clerk's appeal.

export type FollowUpEventType = 'followUp.opened' | 'followUp.advanced' | 'followUp.appealed';

export type FollowUpCommand = Extract<CommandBody, { type: 'advanceFollowUp' | 'appealFollowUp' }>;

export function applyFollowUpEvent(view: HallView, event: EventOf<FollowUpEventType>): void {
  switch (event.type) {
    case 'followUp.opened':
      view.followUps.set(event.followUp.id, event.followUp);
      break;
    case 'followUp.advanced': {
      const f = view.followUps.get(event.id) ?? event.followUp;
      if (!f) throw new OutOfStep(`event ${event.seq} advances unknown follow-up ${event.id}`);
      view.followUps.set(f.id, { ...f, done: [...f.done, { step: event.step, at: event.at, note: event.note, by: event.by }], closed: event.step === 'revisit' });
      break;
    }
    case 'followUp.appealed': {
      const f = view.followUps.get(event.id) ?? event.followUp;
      if (!f) throw new OutOfStep(`event ${event.seq} appeals unknown follow-up ${event.id}`);
      view.followUps.set(f.id, { ...f, appeal: { at: event.at, reason: event.reason } });
      break;
    }
  }
}

export function decideFollowUp(view: HallView, command: FollowUpCommand, ctx: DecideContext): Result<Decision> {
  const by = ctx.actor.terminal;
  // The view holds today's follow-ups; an earlier one is in the hall's records, and its event carries it.
  const today = view.followUps.get(command.followUpId);
  const f = today ?? ctx.followUpOf?.(command.followUpId);
  if (!f) return refuse('not-found', `there is no open follow-up ${command.followUpId}`);
  const carried = today ? {} : { followUp: f };
  switch (command.type) {
    case 'advanceFollowUp': {
      if (f.closed) return refuse('illegal-transition', `follow-up ${f.id} is closed`);
      const expected = FOLLOW_UP_STEPS[f.done.length];
      if (command.step !== expected) return refuse('illegal-transition', `follow-up ${f.id} is at step ${expected}, not ${command.step}`);
      return ok({ events: [{ type: 'followUp.advanced', id: f.id, step: command.step, note: command.note, by, ...carried }] });
    }
    case 'appealFollowUp':
      if (f.closed || f.appeal) return refuse('illegal-transition', `follow-up ${f.id} is closed or appealed already`);
      return ok({ events: [{ type: 'followUp.appealed', id: f.id, reason: command.reason, ...carried }] });
  }
}

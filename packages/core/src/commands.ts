import { z } from 'zod';
import { CatalogueSchema } from './catalogue';
import { DeviceReportSchema } from './events';
import { LaneSchema, PriorityReasonSchema } from './ticket';

const windowNo = z.number().int().min(1).max(999);
const ticketId = z.string().min(1).max(80);
const reason = z.string().trim().min(1).max(200);

/** What a terminal or an integration asks the hub to do. Each carries an id its sender chose. */
export const CommandBodySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('issueTicket'),
    serviceCode: z.string().min(1).max(40),
    lane: LaneSchema.exclude(['appointment']).default('ordinary'),
    priorityReason: PriorityReasonSchema.optional(),
  }),
  z.object({ type: z.literal('checkInAppointment'), code: z.string().trim().min(1).max(40) }),
  z.object({
    type: z.literal('bookAppointment'),
    code: z.string().trim().min(1).max(40),
    serviceCode: z.string().min(1).max(40),
    slotStart: z.number().int(),
    slotEnd: z.number().int(),
  }),
  z.object({ type: z.literal('voidTicket'), ticketId, reason }),
  z.object({ type: z.literal('callNext'), window: windowNo }),
  z.object({ type: z.literal('callTicket'), window: windowNo, ticketId, reason: reason.optional() }),
  z.object({ type: z.literal('recall'), window: windowNo }),
  z.object({ type: z.literal('startService'), window: windowNo }),
  z.object({ type: z.literal('finishService'), window: windowNo }),
  z.object({ type: z.literal('markNoShow'), window: windowNo }),
  z.object({ type: z.literal('holdTicket'), window: windowNo }),
  z.object({
    type: z.literal('transferTicket'),
    window: windowNo,
    ticketId: ticketId.optional(),
    toService: z.string().min(1).max(40).optional(),
    toWindow: windowNo.optional(),
    reason,
  }),
  z.object({ type: z.literal('openWindow'), window: windowNo, clerk: z.string().max(16).optional() }),
  z.object({ type: z.literal('closeWindow'), window: windowNo }),
  z.object({ type: z.literal('pauseWindow'), window: windowNo, reason }),
  z.object({ type: z.literal('resumeWindow'), window: windowNo }),
  z.object({ type: z.literal('replaceCatalogue'), catalogue: CatalogueSchema }),
  z.object({ type: z.literal('reportDevices'), devices: z.array(DeviceReportSchema).max(10) }),
]);
export type CommandBody = z.infer<typeof CommandBodySchema>;
export type CommandType = CommandBody['type'];

export const CommandSchema = z.intersection(z.object({ id: z.string().min(8).max(80) }), CommandBodySchema);
export type Command = CommandBody & { id: string };

/** Who sends a command. A terminal may send only its own kind of commands. */
export type Actor =
  | { role: 'kiosk'; terminal: string }
  | { role: 'window'; terminal: string; window: number }
  | { role: 'rating-pad'; terminal: string; window: number }
  | { role: 'display'; terminal: string }
  | { role: 'admin'; terminal: string };

const windowCommands: readonly CommandType[] = [
  'callNext',
  'callTicket',
  'recall',
  'startService',
  'finishService',
  'markNoShow',
  'holdTicket',
  'transferTicket',
  'openWindow',
  'closeWindow',
  'pauseWindow',
  'resumeWindow',
];

const kioskCommands: readonly CommandType[] = ['issueTicket', 'checkInAppointment', 'voidTicket'];

/** Whether `actor` may send `command`: a kiosk cannot call, a window acts on its own window only, a pad cannot issue. */
export function mayCommand(actor: Actor, command: CommandBody): boolean {
  // Every terminal reports its own devices.
  if (command.type === 'reportDevices') return true;
  switch (actor.role) {
    case 'admin':
      return true;
    case 'kiosk':
      return kioskCommands.includes(command.type);
    case 'window':
      return windowCommands.includes(command.type) && 'window' in command && command.window === actor.window;
    case 'rating-pad':
    case 'display':
      return false;
  }
}

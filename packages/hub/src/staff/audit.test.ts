import { emptyView, type CommandBody } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { describe, expect, it } from 'vitest';
import { auditSubject } from './audit';

describe('what an audited console command was done to', () => {
  const view = emptyView(demoCatalogue(), '2026-12-07');
  it.each([
    [{ type: 'advanceComplaint', complaintId: 'TS-20261207-001', step: 'accept', note: '已受理' }, 'complaint:TS-20261207-001'],
    [{ type: 'advanceFollowUp', followUpId: 'FU-2026-12-07-A001', step: 'verify', note: '已核实' }, 'follow-up:FU-2026-12-07-A001'],
    [{ type: 'appealFollowUp', followUpId: 'FU-2026-12-07-A001', reason: '群众误评' }, 'follow-up:FU-2026-12-07-A001'],
    [{ type: 'decideFollowUpAppeal', followUpId: 'FU-2026-12-07-A001', upheld: true, note: '属实' }, 'follow-up:FU-2026-12-07-A001'],
    [{ type: 'routeCase', caseNumber: 'SL202612070001', to: '不动产登记' }, 'case:SL202612070001'],
    [{ type: 'recordDelivery', caseNumber: 'SL202612070001', method: 'pickup' }, 'case:SL202612070001'],
    [{ type: 'acknowledgeAlert', alertId: 'wait-threshold:CRJ-HZ-SL' }, 'alert:wait-threshold:CRJ-HZ-SL'],
    [{ type: 'pauseWindow', window: 3, reason: '会议' }, 'window:3'],
  ])('names it by the id the command carries: %o', (command, target) => {
    expect(auditSubject(view, command as unknown as CommandBody).target).toBe(target);
  });
});

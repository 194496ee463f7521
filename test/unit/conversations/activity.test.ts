import { describe, expect, it } from 'vitest';
import { describeChanges } from '../../../server/conversations/activity.js';
import type { ConversationRecord } from '../../../server/conversations/repo.js';

const before: ConversationRecord = {
  tenantId: 't',
  id: 'c1',
  inboxId: 'i',
  channel: 'web',
  contactId: 'k',
  status: 'open',
  assigneeId: null,
  teamId: null,
  priority: 'none',
  intent: null,
  lastSeq: 4,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
} as ConversationRecord;
const names = { actor: 'Ada', assignee: 'Sam', team: 'Billing' };

describe('describeChanges', () => {
  it('writes one line per real change, naming who did it', () => {
    expect(describeChanges(before, { assigneeId: 'sam', teamId: 'billing', priority: 'high', status: 'resolved' }, 'ada', names)).toEqual([
      'Ada assigned the conversation to Sam',
      'Ada assigned the conversation to team Billing',
      'Ada resolved the conversation',
      'Ada set the priority to high',
    ]);
  });

  it('says self-assigned, unassigned, reopened, pending, snoozed and cleared', () => {
    expect(describeChanges(before, { assigneeId: 'ada' }, 'ada', names)).toEqual(['Ada self-assigned the conversation']);
    expect(describeChanges({ ...before, assigneeId: 'sam', teamId: 'b', priority: 'high' }, { assigneeId: null, teamId: null, priority: 'none' }, 'ada', names)).toEqual([
      'Ada unassigned the conversation',
      'Ada removed the team',
      'Ada cleared the priority',
    ]);
    expect(describeChanges({ ...before, status: 'resolved' }, { status: 'open' }, 'ada', names)).toEqual(['Ada reopened the conversation']);
    expect(describeChanges(before, { status: 'pending' }, 'ada', names)).toEqual(['Ada marked the conversation as pending']);
    expect(describeChanges(before, { status: 'snoozed', snoozedUntil: Date.UTC(2026, 11, 1, 9) }, 'ada', names)).toEqual([
      'Ada snoozed the conversation until 2026-12-01T09:00:00.000Z',
    ]);
  });

  it('writes nothing when nothing changes', () => {
    expect(describeChanges(before, { status: 'open', assigneeId: null, priority: 'none' }, 'ada', names)).toEqual([]);
  });
});

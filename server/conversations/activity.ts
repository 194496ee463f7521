import type { ConversationPatch, ConversationRecord } from './repo.js';

/** Names the activity text needs, looked up by the caller. */
export interface ActivityNames {
  actor: string;
  assignee: string | null;
  team: string | null;
}

/**
 * The timeline lines an agent's change produces ("Ada assigned the conversation to Sam"),
 * one per field that really changed. They are stored as private system messages, so every
 * agent sees who did what, in order with the messages, and customers never do.
 */
export function describeChanges(before: ConversationRecord, patch: ConversationPatch, actorId: string, names: ActivityNames): string[] {
  const lines: string[] = [];
  const who = names.actor;
  if (patch.assigneeId !== undefined && patch.assigneeId !== before.assigneeId) {
    if (patch.assigneeId === null) lines.push(`${who} unassigned the conversation`);
    else if (patch.assigneeId === actorId) lines.push(`${who} self-assigned the conversation`);
    else lines.push(`${who} assigned the conversation to ${names.assignee ?? 'an agent'}`);
  }
  if (patch.teamId !== undefined && patch.teamId !== before.teamId) {
    lines.push(patch.teamId === null ? `${who} removed the team` : `${who} assigned the conversation to team ${names.team ?? patch.teamId}`);
  }
  if (patch.status !== undefined && (patch.status !== before.status || patch.status === 'snoozed')) {
    switch (patch.status) {
      case 'resolved':
        lines.push(`${who} resolved the conversation`);
        break;
      case 'open':
        lines.push(`${who} reopened the conversation`);
        break;
      case 'pending':
        lines.push(`${who} marked the conversation as pending`);
        break;
      case 'snoozed':
        lines.push(
          patch.snoozedUntil ? `${who} snoozed the conversation until ${new Date(patch.snoozedUntil).toISOString()}` : `${who} snoozed the conversation`,
        );
        break;
    }
  }
  if (patch.priority !== undefined && patch.priority !== before.priority) {
    lines.push(patch.priority === 'none' ? `${who} cleared the priority` : `${who} set the priority to ${patch.priority}`);
  }
  return lines;
}

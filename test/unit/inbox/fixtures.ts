import type { Conversation, Message } from '../../../server/contract/index.js';

/** A conversation with sensible defaults. */
export function conv(id: string, over: Partial<Conversation & { unreadCount: number }> = {}): Conversation & { unreadCount?: number } {
  return {
    id,
    inboxId: 'in1',
    channel: 'web',
    contactId: `ct-${id}`,
    status: 'open',
    assigneeId: null,
    teamId: null,
    priority: 'none',
    intent: null,
    intentConfidence: null,
    triage: false,
    lastSeq: 1,
    snoozedUntil: null,
    lastActivityAt: '2025-01-01T10:00:00.000Z',
    createdAt: '2025-01-01T09:00:00.000Z',
    updatedAt: '2025-01-01T10:00:00.000Z',
    ...over,
  };
}

/** A message with sensible defaults. */
export function msg(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    conversationId: 'c1',
    seq,
    direction: 'inbound',
    private: false,
    sender: { type: 'contact', id: 'ct', name: null },
    body: `message ${seq}`,
    attachments: [],
    channel: 'web',
    createdAt: '2025-01-01T10:00:00.000Z',
    ...over,
  };
}

import type { Message } from '../../../widget/src/core/types.js';
import type { OutboxEntry } from '../../../widget/src/core/outbox.js';

/** A stored message as the server sends it; agent-written unless `sender` says otherwise. */
export function message(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    conversationId: 'c1',
    seq,
    direction: 'outbound',
    private: false,
    sender: { type: 'agent', id: 'a1', name: 'Ada' },
    body: `message ${seq}`,
    attachments: [],
    channel: 'web',
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, seq)).toISOString(),
    ...over,
  };
}

/** A message the visitor wrote, as acknowledged. */
export const visitorMessage = (seq: number, over: Partial<Message> = {}): Message =>
  message(seq, { direction: 'inbound', sender: { type: 'contact', id: 'k1', name: null }, ...over });

export function outboxEntry(clientId: string, over: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    clientId,
    conversationId: 'c1',
    body: `text of ${clientId}`,
    attachments: [],
    createdAt: '2026-01-01T13:00:00.000Z',
    state: 'sending',
    ...over,
  };
}

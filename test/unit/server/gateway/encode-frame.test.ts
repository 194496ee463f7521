import { describe, expect, it, vi } from 'vitest';
import type { Message, ServerFrame } from '../../../../server/contract/index.js';
import { encodeFrame } from '../../../../server/gateway/connection.js';

const message: Message = {
  id: 'm1',
  conversationId: 'c1',
  seq: 7,
  direction: 'inbound',
  private: false,
  sender: { type: 'contact', id: 'k1', name: 'Zoë "Z" \u2028' },
  body: 'line one\nline "two" \\ \u0001 ☃',
  attachments: [],
  channel: 'web',
  createdAt: '2026-11-27T03:00:00.000Z',
};

describe('encodeFrame', () => {
  it('writes the same text as JSON.stringify for message frames, reusing the message encoding', () => {
    const frames: ServerFrame[] = [
      { type: 'message.created', message },
      { type: 'message.ack', clientId: 'c-1 "quoted"', message },
      { type: 'message.created', message }, // second use of the cached encoding
    ];
    for (const f of frames) expect(encodeFrame(f)).toBe(JSON.stringify(f));
  });

  it('falls back to JSON.stringify for every other frame and for unexpected extra keys', () => {
    const frames = [
      { type: 'pong' },
      { type: 'error', code: 'SB_ERR_VALIDATION', message: 'body: too long', clientId: 'x' },
      { type: 'message.created', message, extra: 1 },
    ] as unknown as ServerFrame[];
    for (const f of frames) expect(encodeFrame(f)).toBe(JSON.stringify(f));
  });

  it('encodes a message once for its deliveries and its ack, and never hands one message the text of another', () => {
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      const a: Message = { ...message, id: 'ma', seq: 100 };
      const created = encodeFrame({ type: 'message.created', message: a });
      encodeFrame({ type: 'message.created', message: a });
      const ack = encodeFrame({ type: 'message.ack', clientId: 'c-a', message: a });
      expect(stringify.mock.calls.filter(([v]) => v === a)).toHaveLength(1);
      expect(created).toContain('"id":"ma"');
      expect(ack).toContain('"id":"ma"');
    } finally {
      stringify.mockRestore();
    }
    // Equal content, different objects; and far more messages than the memo holds, so early
    // ones have left it by the time they are encoded again.
    const many = Array.from({ length: 500 }, (_, i) => ({ ...message, id: `m${i % 250}`, seq: i }));
    for (const m of many) expect(encodeFrame({ type: 'message.created', message: m })).toBe(JSON.stringify({ type: 'message.created', message: m }));
    for (const m of many) expect(encodeFrame({ type: 'message.ack', clientId: 'k', message: m })).toBe(JSON.stringify({ type: 'message.ack', clientId: 'k', message: m }));
  });
});

import { describe, expect, it } from 'vitest';
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
});

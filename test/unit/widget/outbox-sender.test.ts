import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OutboxEntry } from '../../../widget/src/core/outbox.js';
import { ACK_TIMEOUT_MS, OutboxSender } from '../../../widget/src/core/outbox-sender.js';
import { MemoryStorage, SessionStore } from '../../../widget/src/core/session.js';
import type { OutgoingFrame } from '../../../widget/src/core/types.js';
import { outboxEntry } from './fixtures.js';

function setup(conversationId: string | null = 'c1') {
  const store = new SessionStore(new MemoryStorage(), 'site');
  const socket = { ready: true, frames: [] as OutgoingFrame[], send: (f: OutgoingFrame) => (socket.ready ? (socket.frames.push(f), true) : false) };
  const changes: OutboxEntry[] = [];
  const sender = new OutboxSender({
    store,
    socket,
    timers: { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as number) },
    conversationId: () => conversationId,
    onChange: (e) => changes.push(e),
  });
  const ids = () => socket.frames.map((f) => (f.type === 'message.send' ? f.clientId : f.type));
  return { store, socket, sender, changes, ids };
}

describe('OutboxSender', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends due entries once per connection, with attachment ids only', () => {
    const t = setup();
    t.store.putOutbox(outboxEntry('a', { attachments: [{ id: 'f1', name: 'x.png', contentType: 'image/png', size: 3, url: 'http://hub/f1' }] }));
    t.store.putOutbox(outboxEntry('b', { state: 'failed' }));
    t.sender.flush();
    t.sender.flush();
    expect(t.socket.frames).toEqual([{ type: 'message.send', clientId: 'a', conversationId: 'c1', body: 'text of a', attachments: ['f1'] }]);
    t.sender.connectionLost();
    t.sender.flush();
    expect(t.ids()).toEqual(['a', 'a']);
  });

  it('waits for a connection', () => {
    const t = setup();
    t.socket.ready = false;
    t.store.putOutbox(outboxEntry('a'));
    t.sender.flush();
    expect(t.socket.frames).toEqual([]);
  });

  it('sends only the first entry while there is no conversation', () => {
    const t = setup(null);
    t.store.putOutbox(outboxEntry('a', { createdAt: '2026-01-01T00:00:01.000Z' }));
    t.store.putOutbox(outboxEntry('b', { createdAt: '2026-01-01T00:00:02.000Z' }));
    t.sender.flush();
    expect(t.ids()).toEqual(['a']);
    expect(t.socket.frames[0]).not.toHaveProperty('conversationId');
  });

  it('drops acknowledged entries and fails unanswered ones after the timeout', async () => {
    const t = setup();
    t.store.putOutbox(outboxEntry('a'));
    t.store.putOutbox(outboxEntry('b'));
    t.sender.flush();
    t.sender.acknowledged('a');
    await vi.advanceTimersByTimeAsync(ACK_TIMEOUT_MS);
    expect(t.store.outbox().map((e) => [e.clientId, e.state, e.error])).toEqual([['b', 'failed', 'timeout']]);
    expect(t.changes.map((e) => e.clientId)).toEqual(['b']);
  });

  it('retries a failed entry with the same clientId', () => {
    const t = setup();
    t.store.putOutbox(outboxEntry('a'));
    t.sender.flush();
    t.sender.fail('a', 'SB_ERR_RATE_LIMITED');
    t.sender.retry('a');
    expect(t.ids()).toEqual(['a', 'a']);
    expect(t.store.outbox()[0]).not.toHaveProperty('error');
    expect(t.changes.map((e) => e.state)).toEqual(['failed', 'sending']);
  });

  it('ignores a failure for an entry already acknowledged', () => {
    const t = setup();
    t.store.putOutbox(outboxEntry('a'));
    t.sender.flush();
    t.sender.acknowledged('a');
    t.sender.fail('a', 'late error');
    expect(t.store.outbox()).toEqual([]);
    expect(t.changes).toEqual([]);
  });
});

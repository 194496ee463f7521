import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TypingSignals } from '../../../widget/src/core/typing.js';
import type { OutgoingFrame } from '../../../widget/src/core/types.js';

function setup(opts: { conversationId?: string | null; socketOpen?: boolean } = {}) {
  const sent: OutgoingFrame[] = [];
  const agent: (string | null)[] = [];
  const state = { conversationId: opts.conversationId === undefined ? 'conv-1' : opts.conversationId, open: opts.socketOpen ?? true };
  const typing = new TypingSignals({
    socket: { send: (f) => (state.open ? (sent.push(f), true) : false) },
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    now: () => Date.now(),
    conversationId: () => state.conversationId,
    onAgentTyping: (name) => agent.push(name),
  });
  return { typing, sent, agent, state };
}

const on = { type: 'typing', conversationId: 'conv-1', on: true };
const off = { type: 'typing', conversationId: 'conv-1', on: false };

describe('TypingSignals', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('says on once per 3 s while the visitor keeps typing, and off after a 4 s pause', () => {
    const { typing, sent } = setup();
    typing.composing(true);
    vi.advanceTimersByTime(1000);
    typing.composing(true);
    expect(sent).toEqual([on]);
    vi.advanceTimersByTime(2500); // 3.5 s after the first `on`
    typing.composing(true);
    expect(sent).toEqual([on, on]);
    vi.advanceTimersByTime(3999);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([on, on, off]);
  });

  it('says off when the box is cleared, only if on went out', () => {
    const { typing, sent } = setup();
    typing.composing(false);
    expect(sent).toEqual([]);
    typing.composing(true);
    typing.composing(false);
    expect(sent).toEqual([on, off]);
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual([on, off]);
  });

  it('sends nothing without a conversation, and retries on the next keystroke when the socket refused', () => {
    const none = setup({ conversationId: null });
    none.typing.composing(true);
    expect(none.sent).toEqual([]);

    const { typing, sent, state } = setup({ socketOpen: false });
    typing.composing(true);
    expect(sent).toEqual([]);
    state.open = true;
    typing.composing(true);
    expect(sent).toEqual([on]);
  });

  it('after a dropped connection the next keystroke says on at once instead of waiting out the throttle', () => {
    const { typing, sent } = setup();
    typing.composing(true);
    typing.connectionLost();
    vi.advanceTimersByTime(500);
    typing.composing(true);
    expect(sent).toEqual([on, on]);
  });

  it("shows the agent's indicator until they stop, or for 8 s if they never say so", () => {
    const { typing, agent } = setup();
    typing.agentTyping('Ada');
    typing.agentTyping(null);
    expect(agent).toEqual(['Ada', null]);
    vi.advanceTimersByTime(10_000);
    expect(agent).toEqual(['Ada', null]);

    typing.agentTyping('Sam');
    vi.advanceTimersByTime(7_000);
    typing.agentTyping('Sam'); // still typing: the expiry starts again
    vi.advanceTimersByTime(7_999);
    expect(agent).toEqual(['Ada', null, 'Sam', 'Sam']);
    vi.advanceTimersByTime(1);
    expect(agent).toEqual(['Ada', null, 'Sam', 'Sam', null]);
  });
});

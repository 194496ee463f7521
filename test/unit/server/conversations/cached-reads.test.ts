import { describe, expect, it } from 'vitest';
import type { Message } from '../../../../server/contract/index.js';
import { windowOfTail, type CachedTail } from '../../../../server/cache/warm.js';
import type { MessageRange } from '../../../../server/messages/repo.js';
import { rangeFromTail, rangeFromWindow, windowFor } from '../../../../server/conversations/cached-reads.js';

const msg = (seq: number, isPrivate = false): Message => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  direction: isPrivate ? 'outbound' : 'inbound',
  private: isPrivate,
  sender: { type: 'contact', id: 'v', name: null },
  body: `body ${seq}`,
  attachments: [],
  channel: 'web',
  createdAt: new Date(0).toISOString(),
});
const tail = (from: number, to: number, privateSeqs: number[] = []) => ({
  messages: Array.from({ length: to - from + 1 }, (_, i) => msg(from + i, privateSeqs.includes(from + i))),
  lastSeq: to,
});
const seqs = (r: ReturnType<typeof rangeFromTail>) => r && { seqs: r.messages.map((m) => m.seq), more: r.more };

describe('rangeFromTail', () => {
  it('answers the newest page from a tail that holds the whole conversation', () => {
    expect(seqs(rangeFromTail(tail(1, 8), { limit: 5, includePrivate: true }))).toEqual({ seqs: [4, 5, 6, 7, 8], more: true });
    expect(seqs(rangeFromTail(tail(1, 3), { limit: 5, includePrivate: true }))).toEqual({ seqs: [1, 2, 3], more: false });
  });

  it('answers a forward read only when the tail reaches back to it', () => {
    expect(seqs(rangeFromTail(tail(11, 30), { after: 20, limit: 5, includePrivate: true }))).toEqual({ seqs: [21, 22, 23, 24, 25], more: true });
    expect(seqs(rangeFromTail(tail(11, 30), { after: 10, limit: 50, includePrivate: true }))).toEqual({ seqs: Array.from({ length: 20 }, (_, i) => 11 + i), more: false });
    expect(rangeFromTail(tail(11, 30), { after: 5, limit: 5, includePrivate: true })).toBeUndefined();
  });

  it('answers a backward read only when the tail holds a full page before it', () => {
    expect(seqs(rangeFromTail(tail(11, 30), { before: 20, limit: 5, includePrivate: true }))).toEqual({ seqs: [15, 16, 17, 18, 19], more: true });
    // Only 4 cached messages before 15 and older ones exist in the database: not covered.
    expect(rangeFromTail(tail(11, 30), { before: 15, limit: 5, includePrivate: true })).toBeUndefined();
  });

  it('leaves private notes out for visitors, counting the page after filtering', () => {
    const t = tail(1, 6, [2, 5]);
    expect(seqs(rangeFromTail(t, { after: 0, limit: 10, includePrivate: false }))).toEqual({ seqs: [1, 3, 4, 6], more: false });
    expect(seqs(rangeFromTail(t, { limit: 3, includePrivate: false }))).toEqual({ seqs: [3, 4, 6], more: true });
  });

  it('treats an empty conversation as complete', () => {
    expect(seqs(rangeFromTail({ messages: [], lastSeq: 0 }, { limit: 50, includePrivate: true }))).toEqual({ seqs: [], more: false });
    expect(seqs(rangeFromTail({ messages: [], lastSeq: 0 }, { after: 0, limit: 50, includePrivate: true }))).toEqual({ seqs: [], more: false });
  });
});

describe('rangeFromWindow', () => {
  const page = (t: CachedTail, r: MessageRange) => {
    const p = rangeFromWindow(windowOfTail(t, windowFor(r)), r);
    return p === 'short' ? p : seqs(p);
  };

  it('answers every read exactly as rangeFromTail, or says the window is short', () => {
    const tails = [tail(1, 12), tail(5, 16), tail(5, 16, [6, 9, 10, 11, 14, 15, 16]), tail(1, 9, [1, 2, 3, 8, 9]), { messages: [], lastSeq: 0 }];
    const bounds = [undefined, 0, 1, 3, 4, 5, 6, 8, 10, 11, 12, 15, 16, 17, 20];
    let checked = 0;
    for (const t of tails) {
      for (const after of bounds) {
        for (const before of bounds) {
          if (before === 0 || (after !== undefined && before !== undefined)) continue;
          for (const limit of [1, 2, 3, 5, 50]) {
            for (const includePrivate of [true, false]) {
              const r = { after, before, limit, includePrivate };
              const fromWindow = rangeFromWindow(windowOfTail(t, windowFor(r)), r);
              const label = JSON.stringify({ r, first: t.messages[0]?.seq, last: t.lastSeq });
              // An agent's window (no private filtering) is always long enough.
              if (includePrivate) expect(fromWindow, label).not.toBe('short');
              if (fromWindow !== 'short') expect(fromWindow, label).toStrictEqual(rangeFromTail(t, r));
              // Any window from the start of the read's range to the tail's end is never short.
              expect(rangeFromWindow(windowOfTail(t, { after, before, count: 1000 }), r), label).toStrictEqual(rangeFromTail(t, r));
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('answers the newest page and pages at the tail boundary from a page-sized window', () => {
    expect(page(tail(11, 30), { limit: 5, includePrivate: true })).toEqual({ seqs: [26, 27, 28, 29, 30], more: true });
    expect(page(tail(11, 30), { before: 17, limit: 5, includePrivate: true })).toEqual({ seqs: [12, 13, 14, 15, 16], more: true });
    // A page that reaches the tail's first message cannot tell whether older ones follow: the database answers.
    expect(page(tail(11, 30), { before: 16, limit: 5, includePrivate: true })).toBeUndefined();
    expect(page(tail(1, 30), { before: 5, limit: 5, includePrivate: true })).toEqual({ seqs: [1, 2, 3, 4], more: false });
    expect(page(tail(11, 30), { after: 10, limit: 5, includePrivate: true })).toEqual({ seqs: [11, 12, 13, 14, 15], more: true });
    expect(page(tail(11, 30), { after: 9, limit: 5, includePrivate: true })).toBeUndefined();
    expect(page(tail(11, 30), { after: 25, limit: 5, includePrivate: true })).toEqual({ seqs: [26, 27, 28, 29, 30], more: false });
    expect(page(tail(11, 30), { after: 30, limit: 5, includePrivate: true })).toEqual({ seqs: [], more: false });
  });

  it('hides private notes from visitors, and says short when the window holds too few public ones', () => {
    expect(page(tail(1, 12, [10, 11]), { limit: 3, includePrivate: false })).toEqual({ seqs: [8, 9, 12], more: true });
    // Seven private notes at the end: a window of 2 × (3 + 1) messages holds one public message.
    expect(page(tail(1, 12, [6, 7, 8, 9, 10, 11, 12]), { limit: 3, includePrivate: false })).toBe('short');
    expect(rangeFromTail(tail(1, 12, [6, 7, 8, 9, 10, 11, 12]), { limit: 3, includePrivate: false })).toEqual({
      messages: [3, 4, 5].map((s) => msg(s)),
      more: true,
    });
  });
});

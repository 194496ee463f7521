import { describe, expect, it } from 'vitest';
import type { Message } from '../../../../server/contract/index.js';
import { rangeFromTail } from '../../../../server/conversations/cached-reads.js';

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

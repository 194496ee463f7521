import { describe, expect, it } from 'vitest';
import type { Message } from '../../../../server/contract/index.js';
import { ConversationSequencer } from '../../../../server/gateway/sequencer.js';

const msg = (seq: number): Message => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  direction: 'inbound',
  private: false,
  sender: { type: 'contact', id: 'v', name: null },
  body: `body ${seq}`,
  attachments: [],
  channel: 'web',
  createdAt: new Date(0).toISOString(),
});

function setup(db: Message[] = [], gapWaitMs = 30) {
  const out: number[] = [];
  const fills: [number, number][] = [];
  const seq = new ConversationSequencer('c1', {
    deliver: (m) => out.push(m.seq),
    fill: async (_id, after, before) => {
      fills.push([after, before]);
      return db.filter((m) => m.seq > after && m.seq < before);
    },
    gapWaitMs,
  });
  return { seq, out, fills };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ConversationSequencer', () => {
  it('passes in-order messages straight through', () => {
    const { seq, out } = setup();
    for (const n of [4, 5, 6]) seq.offer({ seq: n, message: msg(n) });
    expect(out).toEqual([4, 5, 6]);
  });

  it('holds a message that overtook its predecessor and releases both in order', () => {
    const { seq, out, fills } = setup();
    seq.offer({ seq: 1, message: msg(1) });
    seq.offer({ seq: 3, message: msg(3) });
    expect(out).toEqual([1]);
    seq.offer({ seq: 2, message: msg(2) });
    expect(out).toEqual([1, 2, 3]);
    expect(fills).toEqual([]);
  });

  it('advances over seqs the connection may not see without sending anything', () => {
    const { seq, out } = setup();
    seq.offer({ seq: 1, message: msg(1) });
    seq.offer({ seq: 3, message: msg(3) });
    seq.offer({ seq: 2, message: undefined });
    expect(out).toEqual([1, 3]);
  });

  it('reads a gap that never closes from the database, then continues in order', async () => {
    const { seq, out, fills } = setup([msg(1), msg(2), msg(3), msg(4)]);
    seq.offer({ seq: 1, message: msg(1) });
    seq.offer({ seq: 4, message: msg(4) });
    await wait(80);
    expect(fills).toEqual([[1, 4]]);
    expect(out).toEqual([1, 2, 3, 4]);
    seq.offer({ seq: 5, message: msg(5) });
    expect(out).toEqual([1, 2, 3, 4, 5]);
  });

  it('after a sync up to N, delivers only what follows N', () => {
    const { seq, out } = setup();
    seq.offer({ seq: 9, message: msg(9) });
    seq.advanceTo(12);
    seq.offer({ seq: 14, message: msg(14) });
    seq.offer({ seq: 13, message: msg(13) });
    expect(out).toEqual([9, 13, 14]);
  });

  it('passes a late straggler through rather than dropping it', () => {
    const { seq, out } = setup();
    seq.offer({ seq: 7, message: msg(7) });
    seq.offer({ seq: 6, message: msg(6) });
    expect(out).toEqual([7, 6]);
  });
});

import { describe, expect, it } from 'vitest';
import { findBySeq, firstLine, replyBlocked, replyQuote, senderLabel } from '../../../inbox/src/state/reply.js';
import { msg } from './fixtures.js';

describe('reply quotes', () => {
  const timeline = [
    msg(3, { body: 'Where is my order?\nIt was due Monday.', sender: { type: 'contact', id: 'ct', name: 'Dana' } }),
    msg(4, { body: 'Checking', direction: 'outbound', sender: { type: 'agent', id: 'me', name: 'Ada' } }),
    msg(6, { body: 'VIP, refund if needed', direction: 'outbound', private: true, sender: { type: 'agent', id: 'sam', name: 'Sam' } }),
  ];

  it('quotes the sender and the first line of a loaded message', () => {
    expect(replyQuote(timeline, 3, 'me')).toEqual({ seq: 3, loaded: true, who: 'Dana', text: 'Where is my order?', private: false });
    expect(replyQuote(timeline, 4, 'me')).toMatchObject({ who: 'You', text: 'Checking' });
    expect(replyQuote(timeline, 6, 'me')).toMatchObject({ who: 'Sam', private: true });
  });

  it('knows only the seq of a message outside the loaded timeline', () => {
    expect(replyQuote(timeline, 1, 'me')).toEqual({ seq: 1, loaded: false, who: 'An earlier message', text: '', private: false });
    expect(replyQuote([], 5, null).loaded).toBe(false);
  });

  it('finds messages by seq in an ordered timeline, holes included', () => {
    expect(findBySeq(timeline, 3)?.id).toBe('m3');
    expect(findBySeq(timeline, 6)?.id).toBe('m6');
    expect(findBySeq(timeline, 5)).toBeUndefined();
    expect(findBySeq(timeline, 7)).toBeUndefined();
    expect(findBySeq([], 1)).toBeUndefined();
  });

  it('takes the first non-empty line, cut with an ellipsis, or the file names', () => {
    expect(firstLine(msg(1, { body: '\n  \n  second line  \nthird' }))).toBe('second line');
    expect(firstLine(msg(1, { body: 'x'.repeat(100) }), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(firstLine(msg(1, { body: '', attachments: [{ id: 'a', name: 'photo.jpg', contentType: 'image/jpeg', size: 1, url: '/a' }] }))).toBe('📎 photo.jpg');
  });

  it('names senders as the timeline does', () => {
    expect(senderLabel(msg(1, { sender: { type: 'contact', id: 'ct', name: null } }), 'me')).toBe('Customer');
    expect(senderLabel(msg(1, { sender: { type: 'agent', id: 'me', name: 'Ada' } }), 'me')).toBe('You');
    expect(senderLabel(msg(1, { sender: { type: 'bot', id: null, name: null } }), 'me')).toBe('bot');
  });
});

describe('answering a private note', () => {
  it('refuses a public reply to a private note, as the server does', () => {
    expect(replyBlocked({ private: true }, false)).toMatch(/only be answered with a private note/);
    expect(replyBlocked({ private: true }, true)).toBeNull();
    expect(replyBlocked({ private: false }, false)).toBeNull();
    expect(replyBlocked({ private: false }, true)).toBeNull();
    expect(replyBlocked(null, false)).toBeNull();
  });
});

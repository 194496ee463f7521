import { describe, expect, it } from 'vitest';
import { advanceRead, readAfterOwnMessage, totalUnread, unreadCount } from '../../../inbox/src/state/unread.js';
import { conv, msg } from './fixtures.js';

describe('unread math', () => {
  it('prefers the server count when present', () => {
    expect(unreadCount(conv('a', { lastSeq: 10, unreadCount: 2 }), 0)).toBe(2);
  });
  it('otherwise counts the messages after the read mark', () => {
    expect(unreadCount(conv('a', { lastSeq: 10 }), 7)).toBe(3);
    expect(unreadCount(conv('a', { lastSeq: 10 }), undefined)).toBe(10);
    expect(unreadCount(conv('a', { lastSeq: 3 }), 9)).toBe(0);
  });
  it('never moves a read mark backwards', () => {
    expect(advanceRead(5, 3)).toBe(5);
    expect(advanceRead(undefined, 3)).toBe(3);
  });
  it('counts my own message as read, not a colleague’s', () => {
    expect(readAfterOwnMessage(2, msg(4, { sender: { type: 'agent', id: 'me', name: 'Me' } }), 'me')).toBe(4);
    expect(readAfterOwnMessage(2, msg(4, { sender: { type: 'agent', id: 'sam', name: 'Sam' } }), 'me')).toBe(2);
  });
  it('sums over a list', () => {
    const marks: Record<string, number> = { a: 1 };
    expect(totalUnread([conv('a', { lastSeq: 3 }), conv('b', { lastSeq: 2, unreadCount: 1 })], (id) => marks[id])).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { insertCanned, matchCanned, slashQueryAt } from '../../../inbox/src/state/canned.js';

const all = [
  { id: '1', shortCode: 'thanks', content: 'Thank you for reaching out!' },
  { id: '2', shortCode: 'refund', content: 'Your refund is on its way.' },
  { id: '3', shortCode: 'ref', content: 'Your reference number is …' },
  { id: '4', shortCode: 'hours', content: 'We are open 9–5, refunds take 3 days.' },
];

describe('canned responses in the composer', () => {
  it('finds a /query at the caret, at the start or after whitespace', () => {
    expect(slashQueryAt('/ref', 4)).toEqual({ start: 0, query: 'ref' });
    expect(slashQueryAt('Hi /th', 6)).toEqual({ start: 3, query: 'th' });
    expect(slashQueryAt('/', 1)).toEqual({ start: 0, query: '' });
    expect(slashQueryAt('and/or', 6)).toBeNull();
    expect(slashQueryAt('https://x.example/ref', 21)).toBeNull();
    expect(slashQueryAt('/ref more', 9)).toBeNull();
  });
  it('ranks short-code prefixes first (shortest first), then other matches', () => {
    expect(matchCanned(all, 'ref').map((r) => r.shortCode)).toEqual(['ref', 'refund', 'hours']);
    expect(matchCanned(all, 'REF').map((r) => r.shortCode)).toEqual(['ref', 'refund', 'hours']);
    expect(matchCanned(all, '').map((r) => r.shortCode)).toHaveLength(4);
    expect(matchCanned(all, 'zzz')).toEqual([]);
    expect(matchCanned(all, '', 2)).toHaveLength(2);
  });
  it('replaces the /query with the content and puts the caret after it', () => {
    const text = 'Hello /tha and bye';
    const out = insertCanned(text, { start: 6, query: 'tha' }, 10, all[0]!);
    expect(out.text).toBe('Hello Thank you for reaching out! and bye');
    expect(out.caret).toBe(6 + all[0]!.content.length);
  });
});

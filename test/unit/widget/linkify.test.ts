import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../widget/src/core/linkify.js';

describe('tokenize', () => {
  it('keeps plain text as one text part', () => {
    expect(tokenize('hello there')).toEqual([{ kind: 'text', text: 'hello there' }]);
  });

  it('turns http and https URLs into links', () => {
    expect(tokenize('see https://example.com/a?b=1 and http://x.org')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ' and ' },
      { kind: 'link', text: 'http://x.org', href: 'http://x.org/' },
    ]);
  });

  it('leaves trailing sentence punctuation outside the link', () => {
    const parts = tokenize('Go to https://example.com/docs. Then (https://example.com/x), ok?');
    expect(parts.filter((p) => p.kind === 'link').map((p) => (p as { text: string }).text)).toEqual([
      'https://example.com/docs',
      'https://example.com/x',
    ]);
    expect(parts.at(-1)).toEqual({ kind: 'text', text: '), ok?' });
  });

  it('keeps a balanced closing parenthesis that belongs to the URL', () => {
    const link = tokenize('https://en.wikipedia.org/wiki/Foo_(bar)').find((p) => p.kind === 'link');
    expect(link).toMatchObject({ text: 'https://en.wikipedia.org/wiki/Foo_(bar)' });
  });

  it('never links other schemes', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://example.com', 'www.example.com', 'mailto:a@b.c']) {
      expect(tokenize(text).every((p) => p.kind !== 'link')).toBe(true);
    }
  });

  it('keeps HTML as literal text', () => {
    const text = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    expect(tokenize(text)).toEqual([{ kind: 'text', text }]);
  });

  it('does not let markup ride along inside a link', () => {
    const link = tokenize('https://evil.example/"><script>').find((p) => p.kind === 'link');
    expect(link).toMatchObject({ text: 'https://evil.example/' });
  });

  it('splits lines into line breaks', () => {
    expect(tokenize('a\nb\r\nhttps://x.io')).toEqual([
      { kind: 'text', text: 'a' },
      { kind: 'br' },
      { kind: 'text', text: 'b' },
      { kind: 'br' },
      { kind: 'link', text: 'https://x.io', href: 'https://x.io/' },
    ]);
  });

  it('ignores a bare scheme', () => {
    expect(tokenize('https:// nothing')).toEqual([{ kind: 'text', text: 'https:// nothing' }]);
  });
});

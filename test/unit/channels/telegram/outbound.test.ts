import { describe, expect, it } from 'vitest';
import { GrammyError, HttpError } from 'grammy';
import { classifySendError, planParts, splitText } from '../../../../channels/telegram/outbound.js';

const file = (contentType: string) => ({ name: 'f', contentType, read: async () => Buffer.alloc(0) });

describe('splitText', () => {
  it('leaves short text whole', () => {
    expect(splitText('hello')).toEqual(['hello']);
    expect(splitText('')).toEqual(['']);
  });

  it('cuts at 4096 code units, preferring line breaks then spaces, losing nothing', () => {
    const para = `${'a'.repeat(3000)}\n\n${'b'.repeat(3000)}`;
    const parts = splitText(para);
    expect(parts).toEqual([`${'a'.repeat(3000)}\n\n`, 'b'.repeat(3000)]);
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' ');
    const wparts = splitText(words);
    expect(wparts.every((p) => p.length <= 4096)).toBe(true);
    expect(wparts.join('')).toBe(words);
    expect(wparts[0]!.endsWith(' ')).toBe(true);
  });

  it('hard-cuts a text without breaks and never splits a surrogate pair', () => {
    const text = `${'x'.repeat(4095)}😀${'y'.repeat(10)}`;
    const parts = splitText(text);
    expect(parts[0]).toBe('x'.repeat(4095));
    expect(parts[1]!.startsWith('😀')).toBe(true);
    expect(parts.join('')).toBe(text);
    expect(splitText('z'.repeat(10_000)).map((p) => p.length)).toEqual([4096, 4096, 1808]);
  });
});

describe('planParts', () => {
  it('puts a short text as the caption of a single file, images as photos', () => {
    expect(planParts({ text: 'look', files: [file('image/png')] })).toEqual([{ kind: 'photo', index: 0, caption: 'look' }]);
    expect(planParts({ text: '', files: [file('application/pdf')] })).toEqual([{ kind: 'document', index: 0 }]);
  });

  it('sends text first, then files, when there are several or the text is long', () => {
    expect(planParts({ text: 'hi', files: [file('image/jpeg'), file('text/plain')] })).toEqual([
      { kind: 'text', text: 'hi' },
      { kind: 'photo', index: 0 },
      { kind: 'document', index: 1 },
    ]);
    expect(planParts({ text: 'x'.repeat(5000), files: [] }).map((p) => p.kind)).toEqual(['text', 'text']);
  });
});

describe('classifySendError', () => {
  const grammy = (code: number, description: string, parameters = {}) =>
    new GrammyError('Call to sendMessage failed', { ok: false, error_code: code, description, parameters }, 'sendMessage', {});

  it('honours retry_after on 429, retries 5xx and network errors', () => {
    expect(classifySendError(grammy(429, 'Too Many Requests: retry after 3', { retry_after: 3 }))).toMatchObject({ kind: 'retry', afterMs: 3000 });
    expect(classifySendError(grammy(502, 'Bad Gateway'))).toMatchObject({ kind: 'retry', afterMs: undefined });
    expect(classifySendError(new HttpError('Network request for sendMessage failed!', new Error('ECONNRESET')))).toMatchObject({ kind: 'retry' });
  });

  it('marks a blocked bot unreachable and a bad request rejected', () => {
    expect(classifySendError(grammy(403, 'Forbidden: bot was blocked by the user')).kind).toBe('unreachable');
    expect(classifySendError(grammy(400, 'Bad Request: message text is empty')).kind).toBe('rejected');
  });
});

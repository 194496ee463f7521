import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../server/errors.js';
import { decodeCursor, encodeCursor, requireCursor } from '../../../../server/storage/cursor.js';

interface Pos {
  at: number;
  id: string;
}
const isPos = (v: unknown): v is Pos =>
  typeof v === 'object' && v !== null && typeof (v as Pos).at === 'number' && typeof (v as Pos).id === 'string';

describe('cursor', () => {
  it('round-trips a value', () => {
    const pos: Pos = { at: 1_700_000_000_000, id: '01J9ZZ-ü-"quoted"' };
    const cursor = encodeCursor(pos);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, isPos)).toEqual(pos);
  });

  it('is opaque (not the JSON itself)', () => {
    expect(encodeCursor({ at: 1, id: 'x' })).not.toContain('{');
  });

  it('returns undefined for a missing or empty cursor', () => {
    expect(decodeCursor(undefined, isPos)).toBeUndefined();
    expect(decodeCursor('', isPos)).toBeUndefined();
  });

  it('returns undefined for anything malformed', () => {
    expect(decodeCursor('not base64 json!!', isPos)).toBeUndefined();
    expect(decodeCursor(Buffer.from('{"at":1,').toString('base64url'), isPos)).toBeUndefined();
    expect(decodeCursor(encodeCursor({ at: '1', id: 'x' }), isPos)).toBeUndefined();
    expect(decodeCursor(encodeCursor(null), isPos)).toBeUndefined();
    expect(decodeCursor(encodeCursor([1, 'x']), isPos)).toBeUndefined();
    expect(decodeCursor(encodeCursor({ at: 1, id: 'x' }).slice(0, -3), isPos)).toBeUndefined();
  });
});

describe('requireCursor', () => {
  it('passes a missing cursor through and decodes a good one', () => {
    expect(requireCursor(undefined, isPos)).toBeUndefined();
    expect(requireCursor(encodeCursor({ at: 5, id: 'm5' }), isPos)).toEqual({ at: 5, id: 'm5' });
  });

  it('a cursor that was given but is malformed is SB_ERR_VALIDATION', () => {
    for (const bad of ['garbage!!', encodeCursor({ at: 'x' })]) {
      let err: unknown;
      try {
        requireCursor(bad, isPos);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('SB_ERR_VALIDATION');
    }
  });
});

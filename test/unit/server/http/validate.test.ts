import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../../../server/errors.js';
import { parse } from '../../../../server/http/validate.js';

const schema = z.object({
  name: z.string().min(1),
  age: z.number().int().min(0),
  address: z.object({ zip: z.string().regex(/^\d{5}$/) }).optional(),
});

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('parse did not throw');
}

describe('parse', () => {
  it('returns the parsed value on success (with schema transforms applied)', () => {
    expect(parse(schema, { name: 'Ada', age: 36 })).toEqual({ name: 'Ada', age: 36 });
    expect(parse(z.object({ n: z.coerce.number() }), { n: '5' })).toEqual({ n: 5 });
  });

  it('throws SB_ERR_VALIDATION (422) listing every bad field in details.fields', () => {
    const err = thrown(() => parse(schema, { name: '', age: -1, address: { zip: 'abc' } }));
    expect(err.code).toBe('SB_ERR_VALIDATION');
    expect(err.status).toBe(422);
    const fields = (err.details as { fields: { path: string; message: string }[] }).fields;
    expect(fields.map((f) => f.path).sort()).toEqual(['address.zip', 'age', 'name']);
    for (const f of fields) expect(f.message).toEqual(expect.any(String));
    expect(err.message).toContain(fields[0]!.path);
  });

  it('names missing fields', () => {
    const err = thrown(() => parse(schema, {}));
    const paths = (err.details as { fields: { path: string }[] }).fields.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'age']));
  });

  it('a wrong top-level type is reported against the body', () => {
    const err = thrown(() => parse(schema, 'just a string'));
    expect(err.code).toBe('SB_ERR_VALIDATION');
    expect((err.details as { fields: { path: string }[] }).fields[0]!.path).toBe('');
    expect(err.message).toMatch(/^body: /);
  });
});

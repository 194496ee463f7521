import { createRequire } from 'node:module';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgArrayLiteral } from '../../server/storage/pg-array.js';
import { PG_ADMIN_URL } from '../helpers/pg.js';

/** node-postgres' own serialization of query parameters (what the hub sent before). */
const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(v: unknown): string };

// What message bodies, names and ids can hold that an array literal must keep as text.
const awkward: (string | null)[] = [
  'plain',
  'say "hi"',
  'back\\slash and \\"both\\"',
  'a,b',
  '{braces}',
  '  padded  ',
  'NULL',
  'null',
  '',
  'line one\nline two\ttab',
  'ünïcødé 😀 日本語',
  null,
  '\\',
  '"',
];

describe('pgArrayLiteral on PostgreSQL', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });

  const roundTrip = async (values: unknown[], type: string) =>
    (await client.query<{ v: unknown }>(`SELECT v FROM unnest($1::${type}[]) WITH ORDINALITY AS t(v, i) ORDER BY i`, [pgArrayLiteral(values)])).rows.map((r) => r.v);

  it('keeps every awkward string as it was, and null as NULL', async () => {
    expect(await roundTrip(awkward, 'varchar')).toEqual(awkward);
    expect(await roundTrip(awkward, 'text')).toEqual(awkward);
  });

  it('sends numbers, booleans and missing values in the same form', async () => {
    expect((await roundTrip([1, 0, -7, 1_764_000_000_000, null], 'bigint')).map((v) => (v === null ? null : Number(v)))).toEqual([1, 0, -7, 1_764_000_000_000, null]);
    expect(await roundTrip([true, false, undefined], 'boolean')).toEqual([true, false, null]);
    expect(await roundTrip([0.125, 1e-9, 0.987654321], 'float8')).toEqual([0.125, 1e-9, 0.987654321]);
  });

  it('refuses values that have no array-element form rather than sending them mangled', () => {
    expect(() => pgArrayLiteral(['ok', { nested: true }])).toThrow(TypeError);
  });

  it('is an empty array for no values', async () => {
    expect(pgArrayLiteral([])).toBe('{}');
    expect(await roundTrip([], 'varchar')).toEqual([]);
  });

  it('writes the same text node-postgres sends for an array of strings (numbers and booleans go unquoted)', () => {
    expect(pgArrayLiteral(awkward)).toBe(pgUtils.prepareValue(awkward));
  });
});

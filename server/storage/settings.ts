import type { Db } from './db.js';
import { isUniqueViolation } from '../errors.js';

/**
 * Returns the instance-wide setting `key`, creating it with `make()` if absent. Safe when
 * several nodes start at once: the first insert wins and everyone reads that value.
 */
export async function getOrCreateSetting(db: Db, key: string, make: () => string): Promise<string> {
  const row = await db('instance_settings').where({ key }).first();
  if (row) return row.value as string;
  try {
    await db('instance_settings').insert({ key, value: make() });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  const created = await db('instance_settings').where({ key }).first();
  return created.value as string;
}

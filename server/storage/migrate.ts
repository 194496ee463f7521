import { migrationSource } from '../../migrations/index.js';
import type { Db } from './db.js';

/** Applies every pending migration; safe to run concurrently from several nodes (knex locks). */
export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

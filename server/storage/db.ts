import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type Database from 'better-sqlite3';

export type Db = Knex;

// bigint (epoch-ms columns) and counts come back as strings from pg by default; our values
// stay far below 2^53, so numbers are safe and keep both databases returning the same types.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface DbOptions {
  /** `postgres://…`; unset means SQLite at `<dataDir>/switchboard.sqlite`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  poolMax?: number;
}

/** Creates the knex instance for PostgreSQL or the embedded SQLite file. */
export function createDb(opts: DbOptions): Db {
  if (opts.databaseUrl) {
    return knexFactory({
      client: 'pg',
      connection: opts.databaseUrl,
      pool: { min: 0, max: opts.poolMax ?? 10 },
    });
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(opts.dataDir, 'switchboard.sqlite') },
    useNullAsDefault: true,
    // One connection: better-sqlite3 is synchronous, so a second connection in the same
    // process could only wait by blocking the event loop.
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: { pragma(s: string): unknown }, done: (err: Error | null, c: unknown) => void) => {
        conn.pragma('journal_mode = WAL');
        conn.pragma('synchronous = NORMAL');
        // 64 MiB of page cache instead of 2: group commits touch the conversations and message
        // indexes all over, and the default cache made their cost grow with the database.
        conn.pragma('cache_size = -65536');
        conn.pragma('foreign_keys = ON');
        // Other processes (the CLI, a second node) may hold the write lock briefly.
        conn.pragma('busy_timeout = 5000');
        done(null, conn);
      },
    },
  });
}

export const isPostgres = (db: Db): boolean => db.client.config.client === 'pg';

/** The part of a `pg` client that runs a named statement (prepared once per connection, then reused). */
export interface PgQueryable {
  query<R = Record<string, unknown>>(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: R[] }>;
}

/** Borrows one raw driver connection from the knex pool for `fn`, and gives it back after. */
async function withPooledConnection<C, T>(db: Db, fn: (conn: C) => T | Promise<T>): Promise<T> {
  const client = db.client as { acquireConnection(): Promise<C>; releaseConnection(c: C): Promise<void> };
  const conn = await client.acquireConnection();
  try {
    return await fn(conn);
  } finally {
    await client.releaseConnection(conn);
  }
}

/**
 * Borrows a raw `pg` client from the knex pool: knex cannot name a statement, and a named one is
 * parsed once per connection, its plan reusable (hot-path writes use this).
 */
export const withPgConnection = <T>(db: Db, fn: (conn: PgQueryable) => Promise<T>): Promise<T> => withPooledConnection(db, fn);

/**
 * Borrows the embedded SQLite connection from the knex pool (it holds exactly one), for
 * synchronous work with statements prepared once: knex compiles and prepares every query anew,
 * which on a hot path costs more than the query.
 */
export const withSqliteConnection = <T>(db: Db, fn: (conn: Database.Database) => T): Promise<T> => withPooledConnection(db, fn);

/** Milliseconds since the epoch; every time column stores this. */
export const nowMs = (): number => Date.now();
export const toIso = (ms: number | string | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();

export const parseJson = <T>(text: unknown, fallback: T): T => {
  if (typeof text !== 'string' || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

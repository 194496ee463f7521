import type Database from 'better-sqlite3';

/**
 * A value built once per SQLite connection, on first use: a hot writer's prepared statements
 * and the transaction function over them. Compiling a statement costs more than running a
 * small one, so the writers that run many times a second keep theirs for the connection's life
 * (the map is weak: a closed connection takes its statements with it).
 */
export function perConnection<T>(build: (conn: Database.Database) => T): (conn: Database.Database) => T {
  const built = new WeakMap<Database.Database, T>();
  return (conn) => {
    let value = built.get(conn);
    if (value === undefined) built.set(conn, (value = build(conn)));
    return value;
  };
}

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { perConnection } from '../../../../server/storage/per-connection.js';

describe('perConnection', () => {
  const open: Database.Database[] = [];
  const connect = () => {
    const conn = new Database(':memory:');
    open.push(conn);
    return conn;
  };
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });

  it('builds once per connection and hands the same value back after', () => {
    let builds = 0;
    const statementFor = perConnection((conn) => {
      builds++;
      return conn.prepare('SELECT ? + 1 AS n');
    });
    const a = connect();
    const first = statementFor(a);
    expect(statementFor(a)).toBe(first);
    expect((statementFor(a).get(41) as { n: number }).n).toBe(42);
    expect(builds).toBe(1);
  });

  it('builds separately for each connection, so no statement runs on a connection it was not prepared on', () => {
    const statementFor = perConnection((conn) => conn.prepare('SELECT 1 AS one'));
    const a = connect();
    const b = connect();
    expect(statementFor(a)).not.toBe(statementFor(b));
    expect(statementFor(b).database).toBe(b);
  });
});

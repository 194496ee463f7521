import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPgConnection, type Db, type PgQueryable } from '../../server/storage/db.js';
import { ConversationRepo } from '../../server/conversations/repo.js';
import { commitPostgresBatchOneStatement } from '../../server/messages/batch-postgres.js';
import type { AppendRequest } from '../../server/messages/store.js';
import { seedTenant, storageBackends, type StorageEnv } from '../helpers/storage.js';

const MINUTE = 60_000;

describe.each(storageBackends)('conversation activity order on $name', (backend) => {
  let env: StorageEnv;
  let db: Db;
  let repo: ConversationRepo;
  let tenantId: string;
  let inboxId: string;
  let contactId: string;
  /** id -> last activity, as set below. */
  const activity = new Map<string, number>();

  beforeAll(async () => {
    env = await backend.setup();
    db = env.db;
    ({ tenantId, inboxId, contactId } = await seedTenant(db));
    repo = new ConversationRepo(db);
    // Times on both sides of minute boundaries, ties on the same millisecond (ordered by id),
    // several conversations in one minute, and minutes that hold none.
    const base = 1_800_000_000_000 - (1_800_000_000_000 % MINUTE);
    const times = [base - 1, base, base, base + 1, base + MINUTE - 1, base + MINUTE, base + 5 * MINUTE + 30_000, base + 5 * MINUTE + 30_000, base - 3 * MINUTE];
    for (const t of times) {
      const id = (await repo.create(tenantId, { inboxId, channel: 'web', contactId })).id;
      await db('conversations').where({ tenant_id: tenantId, id }).update({ last_activity_at: t });
      activity.set(id, t);
    }
  });

  afterAll(async () => {
    await db?.destroy();
    await env?.cleanup();
  });

  const walk = async (sort: 'activity' | 'waiting', limit: number) => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await repo.list(tenantId, { status: 'open' }, { limit, cursor, sort });
      seen.push(...res.items.map((c) => c.id));
      if (!res.nextCursor) return seen;
      cursor = res.nextCursor;
    }
    throw new Error('pagination did not end');
  };
  const byActivity = (dir: 1 | -1) =>
    [...activity].sort((a, b) => dir * (a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))).map(([id]) => id);

  it('lists newest activity first, to the millisecond, across minute boundaries and page by page', async () => {
    for (const limit of [1, 2, 3, 50]) expect(await walk('activity', limit)).toEqual(byActivity(-1));
  });

  it('lists least recent activity first for the waiting sort, page by page', async () => {
    for (const limit of [1, 2, 4, 50]) expect(await walk('waiting', limit)).toEqual(byActivity(1));
  });

  it('keeps the activity minute in step with the last activity', async () => {
    const rows = await db('conversations').where({ tenant_id: tenantId }).select('id', 'last_activity_at', 'activity_minute');
    for (const r of rows) expect(Number(r.activity_minute)).toBe(Math.floor(Number(r.last_activity_at) / MINUTE));
  });
});

describe('message commit on postgres updates the conversation in place within a minute', () => {
  let db: Db;
  let drop: () => Promise<void>;
  let tenantId: string;
  let conversationId: string;
  let contactId: string;

  beforeAll(async () => {
    const env = await storageBackends.find((b) => b.name === 'postgres')!.setup();
    db = env.db;
    drop = () => env.cleanup();
    const seeded = await seedTenant(db);
    ({ tenantId, contactId } = seeded);
    conversationId = (await new ConversationRepo(db).create(tenantId, { inboxId: seeded.inboxId, channel: 'web', contactId })).id;
  });

  afterAll(async () => {
    await db?.destroy();
    await drop?.();
  });

  const request = (n: number): AppendRequest => ({
    tenantId,
    conversationId,
    direction: 'inbound',
    private: false,
    sender: { type: 'contact', id: contactId, name: 'Ada' },
    body: `message ${n}`,
    attachments: [],
    channel: 'web',
    dedupKey: `k${n}-${Math.random()}`,
  });

  /** Commits one message per time in one transaction; returns (updates, HOT updates) of conversations in it. */
  const commitAt = (times: number[]) =>
    withPgConnection(db, async (conn) => {
      const raw = conn as unknown as { query(text: string): Promise<{ rows: Record<string, string>[] }> };
      // The backend's not yet reported counts (of earlier transactions too): read them around the commits.
      const counts = async () => {
        const { rows } = await raw.query(
          `SELECT pg_stat_get_xact_tuples_updated('conversations'::regclass) AS updated,
                  pg_stat_get_xact_tuples_hot_updated('conversations'::regclass) AS hot`,
        );
        return { updated: Number(rows[0]!['updated']), hot: Number(rows[0]!['hot']) };
      };
      await raw.query('BEGIN');
      try {
        const before = await counts();
        for (const [i, t] of times.entries()) await commitPostgresBatchOneStatement(conn as PgQueryable, [request(i)], t);
        const after = await counts();
        return { updated: after.updated - before.updated, hot: after.hot - before.hot };
      } finally {
        await raw.query('ROLLBACK');
      }
    });

  it('writes no new index entries for messages within one minute, and does when the minute turns', async () => {
    const minute = 1_800_000_000_000 - (1_800_000_000_000 % MINUTE);
    const sameMinute = Array.from({ length: 10 }, (_, i) => minute + 1_000 * (i + 1));
    // The first update moves last_activity_at into this minute (a new index entry); the other
    // nine stay in it.
    expect(await commitAt(sameMinute)).toEqual({ updated: 10, hot: 9 });
    const eachMinute = Array.from({ length: 5 }, (_, i) => minute + MINUTE * (i + 1));
    expect(await commitAt(eachMinute)).toEqual({ updated: 5, hot: 0 });
  });
});

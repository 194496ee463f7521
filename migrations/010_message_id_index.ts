import type { Knex } from 'knex';

/**
 * `messages` drops its unique `(tenant_id, id)` index. Nothing reads a message by its id: the
 * history, replies, deliveries and search all read by `(tenant_id, conversation_id, seq)` (the
 * primary key), idempotency by `(tenant_id, dedup_key)`, and the id itself is a random UUID, so
 * its uniqueness never needed checking. Being random, it was also the costliest index to keep:
 * every message landed on a random leaf page. Measured with the message store's own group
 * commit (12 messages per batch over 1,000 conversations, after 100,000 messages, two
 * alternating runs each): PostgreSQL backend CPU per message 67–71 → 54–63 µs, SQLite (commit
 * on the hub's thread) 93–115 → 77–87 µs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.dropUnique(['tenant_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.unique(['tenant_id', 'id']);
  });
}

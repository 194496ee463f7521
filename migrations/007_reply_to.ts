import type { Knex } from 'knex';

/**
 * Replies to a specific message, and a due time for outbound deliveries.
 *
 * - `messages.reply_to_seq`: the seq (same conversation) a message answers, if any.
 * - `messages.provider_message_id`: the provider's own id of an inbound message (Telegram
 *   `message_id`), so a reply to it can name it (`reply_parameters`). The dedup key names the
 *   provider event (`update_id`), not the message.
 * - `deliveries.due_at`: when a queued or retrying delivery should next be tried; a row left
 *   behind past it (its queue entry lost) is enqueued again by the sweeper.
 *
 * `messages` is hash-partitioned on PostgreSQL; adding a column to the parent adds it to every
 * partition.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.bigInteger('reply_to_seq').nullable();
    t.string('provider_message_id', 100).nullable();
  });
  await knex.schema.alterTable('deliveries', (t) => {
    t.bigInteger('due_at').notNullable().defaultTo(0);
  });
  // Rows from before: due when they were last touched (a repeat of a live job is harmless).
  await knex('deliveries').update({ due_at: knex.ref('updated_at') });
  await knex.schema.alterTable('deliveries', (t) => {
    t.index(['status', 'due_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('deliveries', (t) => {
    t.dropIndex(['status', 'due_at']);
  });
  await knex.schema.alterTable('deliveries', (t) => {
    t.dropColumn('due_at');
  });
  await knex.schema.alterTable('messages', (t) => {
    t.dropColumn('provider_message_id');
    t.dropColumn('reply_to_seq');
  });
}

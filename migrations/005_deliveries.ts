import type { Knex } from 'knex';

/**
 * Outbound deliveries to provider channels (Telegram first): one row per outbound message,
 * its state as agents see it, and how far a multi-part send got (so a retry never repeats a
 * part).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('deliveries', (t) => {
    t.string('tenant_id', 40).notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('message_id', 40).notNullable();
    t.string('conversation_id', 40).notNullable();
    t.string('inbox_id', 40).notNullable();
    // The message's seq: replies of one conversation go out in this order.
    t.integer('seq').notNullable();
    t.string('channel', 20).notNullable();
    // queued → sending → sent | failed | unreachable
    t.string('status', 20).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('parts_sent').notNullable().defaultTo(0);
    t.text('provider_ids').notNullable().defaultTo('[]');
    t.text('error');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['tenant_id', 'message_id']);
    t.index(['tenant_id', 'conversation_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('deliveries');
}

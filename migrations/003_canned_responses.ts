import type { Knex } from 'knex';

/** Canned responses: saved replies agents insert with `/short-code`. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('canned_responses', (t) => {
    t.string('tenant_id', 40).notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('id', 40).notNullable();
    t.string('short_code', 50).notNullable();
    t.text('content').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'short_code']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('canned_responses');
}

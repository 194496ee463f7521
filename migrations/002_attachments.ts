import type { Knex } from 'knex';

/**
 * Uploaded files. The bytes live in attachment storage (local disk by default); this table
 * holds what is needed to serve them and to check who may reference them in a message.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('attachments', (t) => {
    t.string('tenant_id', 40).notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('id', 40).notNullable();
    t.string('name', 255).notNullable();
    t.string('content_type', 100).notNullable();
    t.bigInteger('size').notNullable();
    t.string('storage_key', 200).notNullable();
    // Who uploaded it: a visitor may only attach its own uploads.
    t.string('uploader_type', 20).notNullable();
    t.string('uploader_id', 40).notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['tenant_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('attachments');
}

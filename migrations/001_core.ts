import type { Knex } from 'knex';

/** Hash partitions of `messages` on PostgreSQL. */
const MESSAGE_PARTITIONS = 8;

/**
 * The core schema. Every tenant-owned table has `tenant_id` first in its primary key so that
 * PostgreSQL can hash-partition by it and a Citus-style cluster can distribute by it.
 * Times are epoch milliseconds (bigint) so both databases return the same values.
 */
export async function up(knex: Knex): Promise<void> {
  const pg = knex.client.config.client === 'pg';

  await knex.schema.createTable('instance_settings', (t) => {
    t.string('key', 100).primary();
    t.text('value').notNullable();
  });

  await knex.schema.createTable('tenants', (t) => {
    t.string('id', 40).primary();
    t.string('name', 200).notNullable();
    t.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('agents', (t) => {
    t.string('tenant_id', 40).notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('id', 40).notNullable();
    t.string('email', 320).notNullable();
    t.string('name', 200).notNullable();
    t.string('role', 20).notNullable();
    t.text('password_hash').notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['tenant_id', 'id']);
    // Login takes only an email, so an email names one agent across the instance.
    t.unique(['email']);
  });

  await knex.schema.createTable('teams', (t) => {
    t.string('tenant_id', 40).notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('id', 40).notNullable();
    t.string('name', 200).notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['tenant_id', 'id']);
    t.unique(['tenant_id', 'name']);
  });

  await knex.schema.createTable('team_members', (t) => {
    t.string('tenant_id', 40).notNullable();
    t.string('team_id', 40).notNullable();
    t.string('agent_id', 40).notNullable();
    t.primary(['tenant_id', 'team_id', 'agent_id']);
    t.foreign(['tenant_id', 'team_id']).references(['tenant_id', 'id']).inTable('teams').onDelete('CASCADE');
    t.foreign(['tenant_id', 'agent_id']).references(['tenant_id', 'id']).inTable('agents').onDelete('CASCADE');
  });

  await knex.schema.createTable('inboxes', (t) => {
    t.string('tenant_id', 40).notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('id', 40).notNullable();
    t.string('name', 200).notNullable();
    t.string('channel', 20).notNullable();
    t.text('settings').notNullable();
    t.text('secrets').notNullable();
    // Public lookup key of a web inbox; the widget only knows this.
    t.string('website_token', 64).nullable().unique();
    t.bigInteger('created_at').notNullable();
    t.primary(['tenant_id', 'id']);
  });

  await knex.schema.createTable('contacts', (t) => {
    t.string('tenant_id', 40).notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('id', 40).notNullable();
    t.string('name', 200).nullable();
    t.string('email', 320).nullable();
    t.string('phone', 50).nullable();
    t.text('attributes').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['tenant_id', 'id']);
    t.index(['tenant_id', 'email']);
  });

  await knex.schema.createTable('contact_identities', (t) => {
    t.string('tenant_id', 40).notNullable();
    t.string('inbox_id', 40).notNullable();
    t.string('external_id', 200).notNullable();
    t.string('channel', 20).notNullable();
    t.string('contact_id', 40).notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['tenant_id', 'inbox_id', 'external_id']);
    t.index(['tenant_id', 'contact_id']);
    t.foreign(['tenant_id', 'contact_id']).references(['tenant_id', 'id']).inTable('contacts').onDelete('CASCADE');
  });

  await knex.schema.createTable('conversations', (t) => {
    t.string('tenant_id', 40).notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('id', 40).notNullable();
    t.string('inbox_id', 40).notNullable();
    t.string('channel', 20).notNullable();
    t.string('contact_id', 40).notNullable();
    t.string('status', 20).notNullable();
    t.string('assignee_id', 40).nullable();
    t.string('team_id', 40).nullable();
    t.string('priority', 20).notNullable();
    // Filled by intent routing and ticketing.
    t.string('intent', 100).nullable();
    t.float('intent_confidence').nullable();
    t.string('ticket_id', 40).nullable();
    t.bigInteger('last_seq').notNullable().defaultTo(0);
    t.bigInteger('snoozed_until').nullable();
    t.bigInteger('last_activity_at').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['tenant_id', 'id']);
    t.index(['tenant_id', 'status', 'last_activity_at']);
    t.index(['tenant_id', 'contact_id', 'inbox_id']);
  });

  if (pg) {
    // knex's builder cannot declare partitioning, so the message table is written out here.
    await knex.raw(`
      CREATE TABLE messages (
        tenant_id varchar(40) NOT NULL,
        conversation_id varchar(40) NOT NULL,
        seq bigint NOT NULL,
        id varchar(40) NOT NULL,
        direction varchar(10) NOT NULL,
        private boolean NOT NULL DEFAULT false,
        sender_type varchar(10) NOT NULL,
        sender_id varchar(40),
        sender_name varchar(200),
        body text NOT NULL,
        attachments text NOT NULL,
        channel varchar(20) NOT NULL,
        dedup_key varchar(300),
        intent varchar(100),
        intent_confidence real,
        created_at bigint NOT NULL,
        PRIMARY KEY (tenant_id, conversation_id, seq)
      ) PARTITION BY HASH (tenant_id)`);
    for (let i = 0; i < MESSAGE_PARTITIONS; i++) {
      await knex.raw(
        `CREATE TABLE messages_p${i} PARTITION OF messages FOR VALUES WITH (MODULUS ${MESSAGE_PARTITIONS}, REMAINDER ${i})`,
      );
    }
  } else {
    await knex.schema.createTable('messages', (t) => {
      t.string('tenant_id', 40).notNullable();
      t.string('conversation_id', 40).notNullable();
      t.bigInteger('seq').notNullable();
      t.string('id', 40).notNullable();
      t.string('direction', 10).notNullable();
      t.boolean('private').notNullable().defaultTo(false);
      t.string('sender_type', 10).notNullable();
      t.string('sender_id', 40).nullable();
      t.string('sender_name', 200).nullable();
      t.text('body').notNullable();
      t.text('attachments').notNullable();
      t.string('channel', 20).notNullable();
      t.string('dedup_key', 300).nullable();
      t.string('intent', 100).nullable();
      t.float('intent_confidence').nullable();
      t.bigInteger('created_at').notNullable();
      t.primary(['tenant_id', 'conversation_id', 'seq']);
    });
  }
  await knex.schema.alterTable('messages', (t) => {
    t.unique(['tenant_id', 'id']);
    // Idempotency: a client id or provider id is stored once per tenant.
    t.unique(['tenant_id', 'dedup_key']);
  });

  await knex.schema.createTable('conversation_reads', (t) => {
    t.string('tenant_id', 40).notNullable();
    t.string('conversation_id', 40).notNullable();
    t.string('actor_type', 10).notNullable();
    t.string('actor_id', 40).notNullable();
    t.bigInteger('seq').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['tenant_id', 'conversation_id', 'actor_type', 'actor_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'conversation_reads', 'messages', 'conversations', 'contact_identities', 'contacts',
    'inboxes', 'team_members', 'teams', 'agents', 'tenants', 'instance_settings',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}

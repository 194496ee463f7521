import type { Knex } from 'knex';

/**
 * Intent routing: per-tenant rules and triage settings, every model's prediction per message
 * (so shadow and A/B candidates can be compared with agents' corrections), the corrections
 * themselves (per-tenant training data), and uploaded model versions with their files.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('conversations', (t) => {
    // Set while the conversation waits for a human to route it (the model was unsure or no rule matched).
    t.boolean('triage').notNullable().defaultTo(false);
    t.string('routed_by_rule', 40).nullable();
  });
  await knex.schema.createTable('intent_settings', (t) => {
    t.string('tenant_id', 40).primary().references('id').inTable('tenants').onDelete('CASCADE');
    t.float('triage_threshold').notNullable();
    t.string('triage_team_id', 40).nullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('intent_rules', (t) => {
    t.string('tenant_id', 40).notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('id', 40).notNullable();
    t.string('intent', 100).notNullable();
    // A rule only fires at or above its own confidence (null: the tenant's triage threshold).
    t.float('min_confidence').nullable();
    t.string('team_id', 40).nullable();
    t.string('assignee_id', 40).nullable();
    t.string('priority', 20).nullable();
    // Rules are tried in position order; the first match routes.
    t.integer('position').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['tenant_id', 'id']);
    t.index(['tenant_id', 'position']);
  });
  await knex.schema.createTable('intent_predictions', (t) => {
    t.string('tenant_id', 40).notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('conversation_id', 40).notNullable();
    t.bigInteger('seq').notNullable();
    // 'default' for the shipped model, else an intent_models id.
    t.string('model_id', 40).notNullable();
    t.string('intent', 100).notNullable();
    t.float('confidence').notNullable();
    // True for the prediction that routed; false for shadow models.
    t.boolean('routed').notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['tenant_id', 'conversation_id', 'seq', 'model_id']);
    t.index(['tenant_id', 'model_id']);
  });
  await knex.schema.createTable('intent_feedback', (t) => {
    t.string('tenant_id', 40).notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('conversation_id', 40).notNullable();
    t.bigInteger('seq').notNullable();
    t.text('text').notNullable();
    // What the agent says the intent is; the latest word on a message wins.
    t.string('label', 100).notNullable();
    t.string('agent_id', 40).nullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['tenant_id', 'conversation_id', 'seq']);
    t.index(['tenant_id', 'created_at']);
  });
  await knex.schema.createTable('intent_models', (t) => {
    t.string('tenant_id', 40).notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('id', 40).notNullable();
    t.string('name', 200).notNullable();
    t.string('kind', 40).notNullable();
    t.text('labels').notNullable();
    // inactive | active | candidate (A/B: serves `split` of conversations) | shadow (predicts, never routes)
    t.string('mode', 20).notNullable();
    t.float('split').notNullable().defaultTo(0);
    t.integer('size').notNullable();
    t.text('manifest').notNullable();
    t.string('created_by', 40).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['tenant_id', 'id']);
  });
  // The files live in the database, so every stateless node can load any tenant's model.
  await knex.schema.createTable('intent_model_files', (t) => {
    t.string('tenant_id', 40).notNullable();
    t.string('model_id', 40).notNullable();
    t.string('name', 40).notNullable();
    t.binary('bytes').notNullable();
    t.primary(['tenant_id', 'model_id', 'name']);
    t.foreign(['tenant_id', 'model_id']).references(['tenant_id', 'id']).inTable('intent_models').onDelete('CASCADE');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['intent_model_files', 'intent_models', 'intent_feedback', 'intent_predictions', 'intent_rules', 'intent_settings']) {
    await knex.schema.dropTable(table);
  }
  await knex.schema.alterTable('conversations', (t) => {
    t.dropColumn('routed_by_rule');
    t.dropColumn('triage');
  });
}

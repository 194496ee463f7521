import type { Knex } from 'knex';

/** An agent's chosen availability: `online` agents take conversations, `away` ones do not. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => {
    t.string('availability', 10).notNullable().defaultTo('online');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => {
    t.dropColumn('availability');
  });
}

import type { Knex } from 'knex';
import * as core from './001_core.js';
import * as attachments from './002_attachments.js';
import * as canned from './003_canned_responses.js';
import * as availability from './004_agent_availability.js';
import * as deliveries from './005_deliveries.js';
import * as intentRouting from './006_intent_routing.js';
import * as replyTo from './007_reply_to.js';
import * as hotActivity from './008_hot_activity.js';
import * as predictionIndex from './009_prediction_index.js';
import * as messageIdIndex from './010_message_id_index.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration, in order. Listed statically so compiled and tsx runs load the same set. */
const MIGRATIONS: Record<string, Migration> = {
  '001_core': core,
  '002_attachments': attachments,
  '003_canned_responses': canned,
  '004_agent_availability': availability,
  '005_deliveries': deliveries,
  '006_intent_routing': intentRouting,
  '007_reply_to': replyTo,
  '008_hot_activity': hotActivity,
  '009_prediction_index': predictionIndex,
  '010_message_id_index': messageIdIndex,
};

/** A knex migration source over the static list above. */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = MIGRATIONS[name];
    if (!migration) throw new Error(`unknown migration ${name}`);
    return migration;
  },
};

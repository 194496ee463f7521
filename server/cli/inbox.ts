import { z } from 'zod';
import { prepareWebInbox } from '../../channels/web/config.js';
import type { ChannelDefinition, ChannelName } from '../contract/index.js';
import { AppError } from '../errors.js';
import { parse } from '../http/validate.js';
import { randomSecret } from '../ids.js';
import { InboxRepo, toWireInbox } from '../inboxes/repo.js';
import type { CliCommand } from './context.js';
import { requireTenant } from './tenant.js';

/** Channels whose inboxes the CLI can create, validated exactly as `POST /api/v1/inboxes` does. */
const channels: ReadonlyMap<ChannelName, Pick<ChannelDefinition, 'usesWebhook' | 'prepareInbox'>> = new Map([
  ['web', { usesWebhook: false, prepareInbox: prepareWebInbox }],
]);

const createInbox = z.object({
  tenant: z.string().trim().min(1),
  name: z.string().trim().min(1).max(200),
  channel: z.enum(['web', 'telegram', 'slack', 'email']),
  settings: z.record(z.string(), z.unknown()),
});

function parseSettings(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('SB_ERR_BAD_JSON', `--settings is not valid JSON: ${(err as Error).message}`);
  }
}

/** `switchboard inbox create`. */
export const inboxCommand: CliCommand = (program, ctx) => {
  const inbox = program.command('inbox').description('manage inboxes');

  inbox
    .command('create')
    .description('create an inbox and print its public form (never its secrets)')
    .requiredOption('--tenant <tenantId>', 'tenant the inbox belongs to')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--channel <channel>', `channel (available: ${[...channels.keys()].join(', ')})`)
    .option('--settings <json>', 'channel settings as a JSON object', '{}')
    .action(async (opts: { tenant: string; name: string; channel: string; settings: string }) => {
      const input = parse(createInbox, { ...opts, settings: parseSettings(opts.settings) });
      const channel = channels.get(input.channel);
      if (!channel) {
        throw new AppError('SB_ERR_CHANNEL_UNSUPPORTED', `The ${input.channel} channel is not available yet (available: ${[...channels.keys()].join(', ')}).`);
      }
      const setup = await channel.prepareInbox(input.settings);
      if (!setup.ok) {
        throw new AppError('SB_ERR_VALIDATION', `settings.${setup.field}: ${setup.message}`, {
          fields: [{ path: `settings.${setup.field}`, message: setup.message }],
        });
      }
      const db = await ctx.storage();
      const tenant = await requireTenant(db, input.tenant);
      const created = await new InboxRepo(db).create(tenant.id, {
        name: input.name,
        channel: input.channel,
        settings: setup.settings,
        secrets: setup.secrets,
        websiteToken: input.channel === 'web' ? randomSecret(18) : null,
      });
      const config = ctx.config();
      ctx.print(toWireInbox(created, config.publicUrl ?? `http://localhost:${config.port}`, channel.usesWebhook));
    });
};

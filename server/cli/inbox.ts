import { z } from 'zod';
import { webChannelDefinition } from '../../channels/web/adapter.js';
import type { ChannelDefinition, ChannelName } from '../contract/index.js';
import { AppError } from '../errors.js';
import { parse } from '../http/validate.js';
import { InboxRepo, toWireInbox } from '../inboxes/repo.js';
import { createInboxSchema } from '../inboxes/routes.js';
import { channelFor, createInbox } from '../inboxes/service.js';
import type { CliCommand } from './context.js';
import { requireTenant } from './tenant.js';

/** Channels whose inboxes the CLI can create (those that need no running adapter to set up). */
const channels: ReadonlyMap<ChannelName, ChannelDefinition> = new Map([['web', webChannelDefinition]]);

const createInboxInput = createInboxSchema.extend({ tenant: z.string().trim().min(1) });

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
      const input = parse(createInboxInput, { ...opts, settings: parseSettings(opts.settings) });
      channelFor(channels, input.channel); // refuse before touching the database
      const db = await ctx.storage();
      const tenant = await requireTenant(db, input.tenant);
      const { inbox: created, channel } = await createInbox(new InboxRepo(db), channels, tenant.id, input);
      const config = ctx.config();
      ctx.print(toWireInbox(created, config.publicUrl ?? `http://localhost:${config.port}`, channel.usesWebhook));
    });
};

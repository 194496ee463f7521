import type { ChannelDefinition, ChannelName } from '../contract/index.js';
import { AppError } from '../errors.js';
import { randomSecret } from '../ids.js';
import type { InboxRecord, InboxRepo } from './repo.js';

export interface NewInboxInput {
  name: string;
  channel: ChannelName;
  settings: Record<string, unknown>;
}

/** The channel's definition, or `SB_ERR_CHANNEL_UNSUPPORTED` naming the available ones. */
export function channelFor(channels: ReadonlyMap<ChannelName, ChannelDefinition>, name: ChannelName): ChannelDefinition {
  const channel = channels.get(name);
  if (channel) return channel;
  const available = [...channels.keys()].join(', ');
  throw new AppError('SB_ERR_CHANNEL_UNSUPPORTED', `The ${name} channel is not available on this server yet (available: ${available}).`);
}

/**
 * Creates an inbox the one way both the API and the CLI use: the channel validates and splits
 * its settings, a web inbox gets its public website token.
 */
export async function createInbox(
  inboxes: InboxRepo,
  channels: ReadonlyMap<ChannelName, ChannelDefinition>,
  tenantId: string,
  input: NewInboxInput,
): Promise<{ inbox: InboxRecord; channel: ChannelDefinition }> {
  const channel = channelFor(channels, input.channel);
  const setup = await channel.prepareInbox(input.settings);
  if (!setup.ok) {
    throw new AppError('SB_ERR_VALIDATION', `settings.${setup.field}: ${setup.message}`, {
      fields: [{ path: `settings.${setup.field}`, message: setup.message }],
    });
  }
  const inbox = await inboxes.create(tenantId, {
    name: input.name,
    channel: input.channel,
    settings: setup.settings,
    secrets: setup.secrets,
    websiteToken: input.channel === 'web' ? randomSecret(18) : null,
  });
  return { inbox, channel };
}

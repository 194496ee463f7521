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
  if (!setup.ok) setupFailed(setup.field, setup.message);
  const inbox = await inboxes.create(tenantId, {
    name: input.name,
    channel: input.channel,
    settings: setup.settings,
    secrets: setup.secrets,
    websiteToken: input.channel === 'web' ? randomSecret(18) : null,
  });
  return { inbox, channel };
}

/** Throws the field-level validation error of a failed channel setup. */
function setupFailed(field: string, message: string): never {
  throw new AppError('SB_ERR_VALIDATION', `settings.${field}: ${message}`, { fields: [{ path: `settings.${field}`, message }] });
}

/**
 * Renames an inbox or changes some of its settings. The channel validates the merged result,
 * and secrets given before stay unless the patch replaces them.
 */
export async function updateInbox(
  inboxes: InboxRepo,
  channels: ReadonlyMap<ChannelName, ChannelDefinition>,
  tenantId: string,
  id: string,
  patch: { name?: string | undefined; settings?: Record<string, unknown> | undefined },
): Promise<InboxRecord> {
  const current = await inboxes.get(tenantId, id);
  if (!current) throw new AppError('SB_ERR_INBOX_NOT_FOUND');
  let settings = current.settings;
  let secrets = current.secrets;
  if (patch.settings) {
    const setup = await channelFor(channels, current.channel).prepareInbox({ ...current.settings, ...current.secrets, ...patch.settings });
    if (!setup.ok) setupFailed(setup.field, setup.message);
    ({ settings, secrets } = setup);
  }
  const updated = await inboxes.update(tenantId, id, { name: patch.name ?? current.name, settings, secrets });
  if (!updated) throw new AppError('SB_ERR_INBOX_NOT_FOUND');
  return updated;
}

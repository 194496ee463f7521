import type { RequestHandler, Router } from 'express';
import type { ChannelDefinition, WebChannelHost } from '../../server/contract/index.js';
import { prepareWebInbox } from './config.js';
import { widgetSessionRoutes } from './inbound.js';

export { originAllowed, readWebSettings } from './config.js';
export { identityHash } from './identity.js';

/** What the core needs to create web inboxes; usable without a running server (the CLI). */
export const webChannelDefinition: ChannelDefinition = { name: 'web', usesWebhook: false, prepareInbox: prepareWebInbox };

/**
 * The web channel: visitors of a website, through the widget. Inbound and outbound both
 * travel over the core's WebSocket gateway, so the channel itself only issues sessions.
 */
export function createWebChannel(host: WebChannelHost, sessionLimiter: RequestHandler): { definition: ChannelDefinition; router: Router } {
  return {
    definition: webChannelDefinition,
    router: widgetSessionRoutes(host, sessionLimiter),
  };
}

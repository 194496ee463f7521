import type { RequestHandler, Router } from 'express';
import type { ChannelDefinition, WebChannelHost } from '../../server/contract/index.js';
import { prepareWebInbox } from './config.js';
import { widgetSessionRoutes } from './inbound.js';

export { originAllowed, readWebSettings } from './config.js';
export { identityHash } from './identity.js';

/**
 * The web channel: visitors of a website, through the widget. Inbound and outbound both
 * travel over the core's WebSocket gateway, so the channel itself only issues sessions.
 */
export function createWebChannel(host: WebChannelHost, sessionLimiter: RequestHandler): { definition: ChannelDefinition; router: Router } {
  return {
    definition: { name: 'web', usesWebhook: false, prepareInbox: prepareWebInbox },
    router: widgetSessionRoutes(host, sessionLimiter),
  };
}

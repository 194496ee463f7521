import { Router, type RequestHandler } from 'express';
import type { ChannelDefinition, WebChannelHost } from '../../server/contract/index.js';
import { prepareWebInbox } from './config.js';
import { widgetSessionRoutes } from './inbound.js';
import { visitorRoutes, widgetPreflight } from './visitor-api.js';

export { originAllowed, readWebSettings } from './config.js';
export { identityHash } from './identity.js';

/** What the core needs to create web inboxes; usable without a running server (the CLI). */
export const webChannelDefinition: ChannelDefinition = { name: 'web', usesWebhook: false, prepareInbox: prepareWebInbox };

/**
 * The web channel: visitors of a website, through the widget. Inbound and outbound both
 * travel over the core's WebSocket gateway, so the channel itself only serves the widget's
 * HTTP API: sessions, the visitor's conversations and contact details, and uploads.
 */
export function createWebChannel(
  host: WebChannelHost,
  limiters: { session: RequestHandler; upload: RequestHandler },
): { definition: ChannelDefinition; router: Router } {
  const router = Router();
  router.use(widgetPreflight(), widgetSessionRoutes(host, limiters.session), visitorRoutes(host, limiters.upload));
  return { definition: webChannelDefinition, router };
}

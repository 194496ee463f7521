import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { ChannelDefinition, ChannelName, ProviderChannel, WebInboxView } from './contract/index.js';
import { loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { createDb, type Db } from './storage/db.js';
import { migrateLatest } from './storage/migrate.js';
import { getOrCreateSetting } from './storage/settings.js';
import { randomSecret } from './ids.js';
import { createTiers } from './tiers.js';
import { tenantTopic } from './bus/bus.js';
import { TenantRepo } from './tenants/repo.js';
import { bootstrapDefaults, type BootstrapResult } from './tenants/bootstrap.js';
import { AgentRepo } from './agents/repo.js';
import { agentAvailability } from './agents/availability.js';
import { InboxRepo } from './inboxes/repo.js';
import { ContactRepo } from './contacts/repo.js';
import { ConversationRepo } from './conversations/repo.js';
import { MessageRepo } from './messages/repo.js';
import { MessageStore } from './messages/store.js';
import { ConversationService } from './conversations/service.js';
import { TokenService } from './auth/tokens.js';
import { requireAgent } from './auth/middleware.js';
import { authRoutes } from './auth/routes.js';
import { conversationRoutes } from './conversations/routes.js';
import { inboxRoutes } from './inboxes/routes.js';
import { contactRoutes } from './contacts/routes.js';
import { agentRoutes } from './agents/routes.js';
import { opsRoutes } from './http/ops.js';
import { createHttpApp } from './http/app.js';
import { rateLimit } from './http/rate-limit.js';
import { clientFrameSchemas } from './gateway/frames.js';
import { frameHandlers } from './gateway/handlers.js';
import { FrameDispatcher } from './gateway/dispatcher.js';
import { Gateway } from './gateway/server.js';
import { AgentPresenceTracker } from './gateway/presence-tracker.js';
import { CachedReads } from './conversations/cached-reads.js';
import { createWebChannel, originAllowed, readWebSettings } from '../channels/web/adapter.js';
import { AttachmentRepo } from './attachments/repo.js';
import { AttachmentService } from './attachments/service.js';
import { DiskAttachmentStorage } from './attachments/storage.js';
import { agentAttachmentRoutes, attachmentFileRoutes } from './attachments/routes.js';
import { appRoot, BuiltAssets, inboxAppRoutes, widgetAssetRoutes } from './http/static-apps.js';
import { demoRoutes } from './http/demo.js';
import { createIntentRouting } from './intent/wiring.js';
import { CannedResponseRepo } from './canned/repo.js';
import { cannedResponseRoutes } from './canned/routes.js';
import { SearchRepo } from './search/repo.js';
import { searchRoutes } from './search/routes.js';
import { toWireConversation } from './conversations/repo.js';
import type { InboxRecord } from './inboxes/repo.js';
import { AppError } from './errors.js';
import { createTelegramChannel } from '../channels/telegram/adapter.js';
import { ChannelIngest } from './channels/ingest.js';
import { DeliveryService } from './channels/delivery.js';
import { DeliveryRepo } from './channels/deliveries-repo.js';
import { ChannelRuntime } from './channels/runtime.js';
import { deliveryRoutes, webhookRoutes } from './channels/routes.js';

/** Storage for an entry point (server or CLI): the database, migrated. */
export async function openStorage(config: Config): Promise<Db> {
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: config.dbPoolMax });
  try {
    await migrateLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

export interface Hub {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Db;
  readonly bootstrap: BootstrapResult;
  /** Listens on `config.port`; resolves with the bound port. */
  listen(): Promise<number>;
  /** Graceful stop: refuse new work, drain appends, close sockets, close the database. */
  stop(): Promise<void>;
  publicUrl(): string;
}

/** The composition root: builds every part and wires them. Nothing else creates infrastructure. */
export async function createHub(config: Config, log: Logger = createLogger(config.logLevel)): Promise<Hub> {
  const db = await openStorage(config);
  const metrics = new Metrics();
  const tiers = createTiers(config, log, {
    onCacheLookup: (kind, hit) => metrics.cacheLookups.inc({ kind, result: hit ? 'hit' : 'miss' }),
  });
  const bus = tiers.bus;

  const tenants = new TenantRepo(db);
  const agents = new AgentRepo(db);
  const inboxes = new InboxRepo(db);
  const contacts = new ContactRepo(db);
  const conversationRepo = new ConversationRepo(db);
  const messages = new MessageRepo(db);
  const store = new MessageStore(db, {
    metrics: {
      onBatch: (size, seconds) => {
        metrics.appendBatchSize.observe(size);
        metrics.appendBatchSeconds.observe(seconds);
        metrics.messagesAppended.inc(size);
      },
    },
  });
  const conversations = new ConversationService({
    conversations: conversationRepo,
    messages,
    store,
    contacts,
    agents,
    inboxes,
    bus,
    reads: new CachedReads({
      cache: tiers.cache,
      messages,
      conversations: conversationRepo,
      tailSize: config.cacheMaxMessages,
      onHistoryRead: (source) => metrics.historyReads.inc({ source }),
    }),
    onBusError: (err) => log.warn({ err }, 'publishing an event failed; clients will resync'),
    tiersKeepOrder: tiers.keepsOrder,
    onAgentReply: (result) => delivery.replyStored(result),
    onCustomerMessage: (result) => router.messageStored(result),
  });

  const secret = config.secretKey ?? (await getOrCreateSetting(db, 'token_secret', () => randomSecret(48)));
  const tokens = new TokenService({ secret, agentTtlSeconds: config.agentTokenTtl, visitorTtlSeconds: config.visitorTokenTtl });

  let boundPort = config.port;
  const publicUrl = () => config.publicUrl ?? `http://localhost:${boundPort}`;

  const attachments = new AttachmentService({
    repo: new AttachmentRepo(db),
    storage: new DiskAttachmentStorage(config.attachmentsDir),
    maxBytes: config.maxAttachmentBytes,
    publicUrl,
  });
  const uploadLimiter = rateLimit({ points: config.uploadRatePerMinute, durationSeconds: 60, redis: tiers.rateLimitStore('upload') });

  const webInboxView = (inbox: InboxRecord | undefined): WebInboxView | undefined =>
    inbox && inbox.channel === 'web'
      ? { tenantId: inbox.tenantId, inboxId: inbox.id, name: inbox.name, settings: inbox.settings, secrets: inbox.secrets }
      : undefined;
  const web = createWebChannel(
    {
      findWebInbox: async (websiteToken) => webInboxView(await inboxes.findByWebsiteToken(websiteToken)),
      getWebInbox: async (tenantId, inboxId) => webInboxView(await inboxes.get(tenantId, inboxId)),
      findContact: (tenantId, inboxId, externalId) => contacts.findByIdentity(tenantId, inboxId, externalId),
      resolveContact: (tenantId, identity, fields) => contacts.resolveIdentity(tenantId, identity, fields),
      updateContact: (tenantId, contactId, fields) => contacts.update(tenantId, contactId, fields),
      issueVisitorToken: (tenantId, contactId, inboxId) => tokens.signVisitor(tenantId, contactId, inboxId),
      verifyVisitor: async (token) => {
        const actor = await tokens.verify(token);
        if (actor.type !== 'contact') throw new AppError('SB_ERR_FORBIDDEN', 'A visitor token is required.');
        return actor;
      },
      visitorConversations: async (actor) => {
        const page = await conversationRepo.list(actor.tenantId, { contactId: actor.id, inboxId: actor.inboxId }, { limit: 50 });
        return page.items.map(toWireConversation);
      },
      uploadAttachment: (actor, file) => attachments.upload(actor, file),
      maxUploadBytes: config.maxAttachmentBytes,
      agentsOnline: async (tenantId) => (await agentAvailability(tiers.presence, agents, tenantId)).online.length > 0,
    },
    {
      session: rateLimit({ points: config.sessionRatePerMinute, durationSeconds: 60, redis: tiers.rateLimitStore('widget-session') }),
      upload: uploadLimiter,
    },
  );
  const telegram = createTelegramChannel({ webhookBaseUrl: config.publicUrl, pollTimeoutSeconds: config.telegramPollTimeoutSeconds });
  const providers = new Map<ChannelName, ProviderChannel>([['telegram', telegram]]);
  const channels = new Map<ChannelName, ChannelDefinition>([['web', web.definition], ...providers]);
  const deliveries = new DeliveryRepo(db);
  const delivery: DeliveryService = new DeliveryService(
    {
      queue: tiers.queue,
      deliveries,
      messages,
      inboxes,
      contacts,
      conversations,
      attachments,
      channels: providers,
      log,
      // Agents only (the tenant topic): customers never see delivery internals.
      onStatus: (u) => {
        bus
          .publish(tenantTopic(u.tenantId), { kind: 'delivery.updated', contactId: '', ...u })
          .catch((err) => log.warn({ err }, 'publishing a delivery update failed'));
      },
    },
    { maxAttempts: config.deliveryMaxAttempts, baseBackoffMs: config.deliveryBackoffMs, sweepMs: config.deliverySweepMs },
  );
  const channelRuntime = new ChannelRuntime({
    channels: providers,
    inboxes,
    ingest: new ChannelIngest({ contacts, messages, conversations, attachments }),
    // One poller per bot across nodes needs a shared lease: Redis when there is one; without
    // Redis the node is alone on its tiers, and an in-process lease suffices.
    leases: tiers.leases,
    nodeId: config.nodeId,
    leaseMs: config.channelLeaseMs,
    log,
  });

  // Classification, routing rules, triage, corrections and model versions (intentRoutingRoutes,
  // intentModelRoutes): composed in intent/wiring.ts.
  const intent = await createIntentRouting({ config, db, queue: tiers.queue, bus, conversations, messages, agents, metrics, log });
  const router = intent.router;

  let server: http.Server | undefined;
  let draining = false;

  const app = createHttpApp({
    log,
    metrics,
    jsonLimit: '256kb',
    ops: opsRoutes({
      metrics,
      ready: async () => {
        if (draining) return false;
        await db.raw('select 1');
        return tiers.ready();
      },
    }),
    publicApi: [authRoutes({ agents, tokens, agentTtlSeconds: config.agentTokenTtl, loginLimiter: rateLimit({ points: config.loginRatePerMinute, durationSeconds: 60, redis: tiers.rateLimitStore('login') }) }), web.router],
    requireAgent: requireAgent(tokens),
    extra: [
      attachmentFileRoutes(attachments),
      widgetAssetRoutes(new BuiltAssets(path.join(appRoot(), 'widget', 'dist'), 'widget')),
      inboxAppRoutes(new BuiltAssets(path.join(appRoot(), 'inbox', 'dist'), 'agent inbox')),
      demoRoutes({ publicUrl, defaultWebsiteToken: async () => bootstrap.websiteToken }),
      webhookRoutes({ inboxes, channels: providers, host: channelRuntime.host }),
    ],
    privateApi: [
      conversationRoutes({ conversations, attachments, maxMessageChars: config.maxMessageChars }),
      agentAttachmentRoutes(attachments, uploadLimiter),
      cannedResponseRoutes(new CannedResponseRepo(db)),
      searchRoutes(new SearchRepo(db)),
      inboxRoutes({ inboxes, channels, publicUrl, onSaved: (inbox) => channelRuntime.inboxSaved(inbox) }),
      deliveryRoutes({ conversations, deliveries }),
      contactRoutes({ contacts, conversations: conversationRepo }),
      agentRoutes({ agents, presence: tiers.presence }),
      ...intent.routes,
    ],
  });

  const dispatcher = new FrameDispatcher(
    clientFrameSchemas(config.maxMessageChars),
    frameHandlers(conversations, attachments),
    { maxFrameBytes: config.wsMaxFrameBytes, framesPerSecond: config.wsFramesPerSecond, burst: config.wsFrameBurst },
    log,
    metrics,
  );
  const gateway = new Gateway(
    {
      bus,
      tokens,
      dispatcher,
      presence: new AgentPresenceTracker({
        presence: tiers.presence,
        nodeId: config.nodeId,
        intervalMs: config.presenceIntervalMs,
        onError: (err) => log.warn({ err }, 'presence update failed'),
      }),
      log,
      metrics,
      history: async (actor, conversationId, after, before) =>
        (await conversations.history(actor, conversationId, { after, before, limit: Math.max(1, Math.min(before - after, 1000)) })).messages,
      visitorAllowed: async (actor, origin) => {
        const inbox = await inboxes.get(actor.tenantId, actor.inboxId);
        return Boolean(inbox) && originAllowed(readWebSettings(inbox!.settings), origin);
      },
    },
    { heartbeatMs: config.wsHeartbeatMs, hardMaxFrameBytes: Math.max(1024 * 1024, config.wsMaxFrameBytes * 4), gapWaitMs: config.wsGapWaitMs },
  );

  const snoozeTimer = setInterval(() => {
    conversations.wakeDueSnoozes().catch((err) => log.error({ err }, 'waking snoozed conversations failed'));
  }, config.snoozeCheckMs);
  snoozeTimer.unref();

  const bootstrap = await bootstrapDefaults({ db, tenants, agents, inboxes }, { email: config.adminEmail, password: config.adminPassword });

  return {
    config,
    log,
    db,
    bootstrap,
    publicUrl,
    listen: () =>
      new Promise<number>((resolve, reject) => {
        server = http.createServer(app);
        gateway.attach(server);
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          boundPort = (server!.address() as AddressInfo).port;
          delivery.start(config.nodeId);
          router.start(config.nodeId);
          // In the background: a provider that is down must not hold up the start.
          channelRuntime.startAll().catch((err) => log.error({ err }, 'starting channel inboxes failed'));
          resolve(boundPort);
        });
      }),
    stop: async () => {
      draining = true;
      clearInterval(snoozeTimer);
      await channelRuntime.stop();
      const closed = server ? new Promise<void>((r) => server!.close(() => r())) : Promise.resolve();
      await gateway.close();
      await store.drain();
      server?.closeIdleConnections();
      const timer = setTimeout(() => server?.closeAllConnections(), config.shutdownGraceMs);
      await closed;
      clearTimeout(timer);
      await delivery.stop();
      await router.stop();
      await intent.close();
      await tiers.close();
      await db.destroy();
    },
  };
}

function banner(hub: Hub): string {
  const url = hub.publicUrl();
  const b = hub.bootstrap;
  const lines = [
    '',
    `  Switchboard is running at ${url}`,
    `  Agent inbox:  ${url}/inbox/`,
    `  Widget demo:  ${url}/demo`,
    `  Database:     ${hub.config.databaseUrl ? 'PostgreSQL' : `SQLite in ${hub.config.dataDir}`}`,
  ];
  if (b.created) {
    lines.push(`  Admin login:  ${b.adminEmail}`);
    lines.push(b.generatedPassword ? `  Password:     ${b.generatedPassword}   (generated; shown only this once)` : '  Password:     (from ADMIN_PASSWORD)');
  }
  if (b.websiteToken) {
    lines.push('  Widget snippet for your site:');
    lines.push(`    <script src="${url}/widget.js" data-inbox="${b.websiteToken}" defer></script>`);
  }
  return `${lines.join('\n')}\n`;
}

/** Entry point of `npm start`. */
async function main(): Promise<void> {
  const config = loadConfig();
  const hub = await createHub(config);
  await hub.listen();
  process.stdout.write(banner(hub));
  hub.log.info({ port: config.port, db: config.databaseUrl ? 'postgres' : 'sqlite' }, 'listening');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.log.info({ signal }, 'shutting down');
    hub.stop().then(
      () => process.exit(0),
      (err) => {
        hub.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`switchboard failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

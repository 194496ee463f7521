import fs from 'node:fs';
import path from 'node:path';
import type { Router } from 'express';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Db } from '../storage/db.js';
import type { JobQueue } from '../queue/queue.js';
import type { Bus } from '../bus/bus.js';
import { ConfigSync } from './config-sync.js';
import type { AgentRepo } from '../agents/repo.js';
import type { MessageRepo } from '../messages/repo.js';
import type { ConversationService } from '../conversations/service.js';
import { appRoot } from '../http/static-apps.js';
import { loadIntentModel, type IntentPredictor } from './model.js';
import { IntentRouter } from './router.js';
import { IntentCorrections } from './routing/corrections.js';
import { IntentFeedbackRepo } from './routing/feedback.js';
import { RoutingRuleRepo } from './routing/rules.js';
import { intentRoutingRoutes } from './routing/routes.js';
import { IntentModelRepo } from './versions/repo.js';
import { ModelRegistry } from './versions/registry.js';
import { intentModelRoutes } from './versions/routes.js';
import { BackgroundTrainer } from './retrain/trainer.js';
import { retrainRoutes } from './retrain/routes.js';
import { readLabelledCsv, type LabelledTexts } from './dataset.js';

/** How long a node trusts its cached routing configuration when no change notice arrives. */
const CONFIG_TTL_MS = 60_000;

export interface IntentRouting {
  router: IntentRouter;
  routes: Router[];
  close(): Promise<void>;
}

/** Loads the configured model; a model that does not load leaves the hub running without it (and says so). */
const modelDir = (config: Config): string | null => (config.intentModelDir === null ? null : (config.intentModelDir ?? path.join(appRoot(), 'models', 'default')));

/** The configured model's training set (`data.csv` beside it), which retraining starts from. */
function shippedData(config: Config, log: Logger): () => LabelledTexts | undefined {
  return () => {
    const dir = modelDir(config);
    const file = dir && path.join(dir, 'data.csv');
    if (!file || !fs.existsSync(file)) return undefined;
    try {
      return readLabelledCsv(file);
    } catch (err) {
      log.warn({ err: { message: (err as Error).message }, file }, 'the shipped training set is unreadable; retraining from corrections only');
      return undefined;
    }
  };
}

async function loadDefaultModel(config: Config, log: Logger): Promise<IntentPredictor | undefined> {
  const dir = modelDir(config);
  if (dir === null) return undefined;
  try {
    return await loadIntentModel(dir);
  } catch (err) {
    log.warn({ err: { message: err instanceof Error ? err.message : String(err) }, dir }, 'intent model not loaded; messages are not classified');
    return undefined;
  }
}

/** Composes intent classification, routing rules, triage and corrections for `main.ts`. */
export async function createIntentRouting(d: {
  config: Config;
  db: Db;
  queue: JobQueue;
  bus: Bus;
  conversations: ConversationService;
  messages: MessageRepo;
  agents: AgentRepo;
  metrics: Metrics;
  log: Logger;
}): Promise<IntentRouting> {
  const model = await loadDefaultModel(d.config, d.log);
  // Routing reads the tenant's rules, settings and models for every customer message; they are
  // cached for long, and a change made on any node reaches every node's cache over the bus.
  const sync = new ConfigSync({ bus: d.bus, log: d.log });
  const rules = new RoutingRuleRepo(d.db, { triageThreshold: d.config.intentMinConfidence, triageTeamId: null }, { ttlMs: CONFIG_TTL_MS, onChange: sync.announcer('routing') });
  const feedback = new IntentFeedbackRepo(d.db);
  const corrections = new IntentCorrections({ conversations: d.conversations, messages: d.messages, feedback, rules, metrics: d.metrics });
  const repo = new IntentModelRepo(d.db);
  // Without the shipped model a tenant's uploaded one still routes; with neither, messages stay unclassified.
  const registry = new ModelRegistry({ repo, defaultModel: model, log: d.log, onChange: sync.announcer('models') }, { configTtlMs: CONFIG_TTL_MS });
  await sync.start({ rules, models: registry });
  const router = new IntentRouter({ queue: d.queue, models: registry, conversations: d.conversations, rules, feedback, metrics: d.metrics, log: d.log });
  return {
    router,
    routes: [
      intentRoutingRoutes({ rules, feedback, corrections, agents: d.agents, labels: (tenantId) => registry.labels(tenantId) }),
      retrainRoutes({ feedback, repo, trainer: new BackgroundTrainer(), shippedData: shippedData(d.config, d.log) }),
      intentModelRoutes({ repo, registry, maxBytes: d.config.intentModelMaxBytes }),
    ],
    close: async () => {
      await sync.stop();
      await registry.close();
      await model?.close();
    },
  };
}

import path from 'node:path';
import type { Router } from 'express';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Db } from '../storage/db.js';
import type { JobQueue } from '../queue/queue.js';
import type { AgentRepo } from '../agents/repo.js';
import type { MessageRepo } from '../messages/repo.js';
import type { ConversationService } from '../conversations/service.js';
import { appRoot } from '../http/static-apps.js';
import { loadIntentModel, type IntentPredictor } from './model.js';
import { IntentRouter, singleModel } from './router.js';
import { IntentCorrections } from './routing/corrections.js';
import { IntentFeedbackRepo } from './routing/feedback.js';
import { RoutingRuleRepo } from './routing/rules.js';
import { intentRoutingRoutes } from './routing/routes.js';

export interface IntentRouting {
  /** Undefined when no model could be loaded: messages then stay unclassified. */
  router: IntentRouter | undefined;
  routes: Router[];
  close(): Promise<void>;
}

/** Loads the configured model; a model that does not load leaves the hub running without it (and says so). */
async function loadDefaultModel(config: Config, log: Logger): Promise<IntentPredictor | undefined> {
  if (config.intentModelDir === null) return undefined;
  const dir = config.intentModelDir ?? path.join(appRoot(), 'models', 'default');
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
  conversations: ConversationService;
  messages: MessageRepo;
  agents: AgentRepo;
  metrics: Metrics;
  log: Logger;
}): Promise<IntentRouting> {
  const model = await loadDefaultModel(d.config, d.log);
  const rules = new RoutingRuleRepo(d.db, { triageThreshold: d.config.intentMinConfidence, triageTeamId: null });
  const feedback = new IntentFeedbackRepo(d.db);
  const corrections = new IntentCorrections({ conversations: d.conversations, messages: d.messages, feedback, rules, metrics: d.metrics });
  const router = model
    ? new IntentRouter({ queue: d.queue, models: singleModel(model), conversations: d.conversations, rules, feedback, metrics: d.metrics, log: d.log })
    : undefined;
  const labels = async () => [...(model?.labels ?? [])].sort();
  return {
    router,
    routes: [intentRoutingRoutes({ rules, feedback, corrections, agents: d.agents, labels })],
    close: async () => {
      await model?.close();
    },
  };
}

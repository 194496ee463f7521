import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Consumer, JobQueue } from '../queue/queue.js';
import type { ConversationService, SendResult } from '../conversations/service.js';
import type { IntentPredictor } from './model.js';
import type { IntentFeedbackRepo, PredictionRow } from './routing/feedback.js';
import type { RoutingRuleRepo } from './routing/rules.js';
import { decideRouting, effectiveChanges } from './routing/decide.js';

/** The hot-tier stream routing jobs travel on. */
export const ROUTING_STREAM = 'routing';

export interface RoutingJob {
  tenantId: string;
  conversationId: string;
  seq: number;
  body: string;
}

/** A loaded model and the version id predictions are recorded under ('default': the shipped one). */
export interface ServedModel {
  id: string;
  model: IntentPredictor;
}

/** Which models see a conversation: one routes it (A/B by conversation), shadows only predict. */
export interface ModelSelector {
  select(tenantId: string, conversationId: string): Promise<{ routing: ServedModel | undefined; shadows: ServedModel[] }>;
}

export interface IntentRouterDeps {
  queue: JobQueue;
  models: ModelSelector;
  conversations: ConversationService;
  rules: RoutingRuleRepo;
  feedback: IntentFeedbackRepo;
  metrics: Metrics;
  log: Logger;
}

/**
 * Classifies every customer message with on-box models, off the hot path: the send is
 * acknowledged first, a job on the `routing` stream does the rest on any node. The routing
 * model's intent lands on the message and, when confident, on the conversation; the tenant's
 * rules then route a conversation nobody has routed yet, or send it to triage when the model
 * cannot tell. Shadow models predict beside it, recorded for comparison, never routing.
 */
export class IntentRouter {
  private consumer: Consumer | undefined;

  constructor(private readonly d: IntentRouterDeps) {}

  /** Hook for `ConversationService.onCustomerMessage`; never delays or fails the send. */
  messageStored(result: SendResult): void {
    const { message } = result;
    if (!message.body.trim()) return;
    const job: RoutingJob = { tenantId: result.conversation.tenantId, conversationId: message.conversationId, seq: message.seq, body: message.body };
    this.d.queue.enqueue(ROUTING_STREAM, job).catch((err) => this.d.log.warn({ err }, 'queueing intent routing failed'));
  }

  start(consumer: string): void {
    this.consumer ??= this.d.queue.consume<RoutingJob>(ROUTING_STREAM, (job) => this.handle(job.payload), { consumer, concurrency: 1, maxAttempts: 3 });
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  /** One job; idempotent, so a retry after a crash routes the same way. */
  async handle(job: RoutingJob): Promise<void> {
    const { tenantId, conversationId, seq, body } = job;
    const { routing, shadows } = await this.d.models.select(tenantId, conversationId);
    if (!routing) return;
    const served = [routing, ...shadows];
    const predictions = await Promise.all(served.map((s) => s.model.predict(body)));
    const rows: PredictionRow[] = predictions.map((p, i) => ({ conversationId, seq, modelId: served[i]!.id, intent: p.intent, confidence: p.confidence, routed: i === 0 }));
    await this.d.feedback.recordPredictions(tenantId, rows);
    for (const r of rows) this.d.metrics.intentPredictions.inc({ model: r.modelId, role: r.routed ? 'routing' : 'shadow' });

    const best = predictions[0]!;
    await this.d.conversations.setMessageIntent(tenantId, conversationId, seq, best.intent, best.confidence);
    const conversation = await this.d.conversations.conversationRecord(tenantId, conversationId);
    if (!conversation) return;
    const [rules, settings] = await Promise.all([this.d.rules.list(tenantId), this.d.rules.settings(tenantId)]);
    const outcome = decideRouting(conversation, best, rules, settings);
    // Most follow-up messages confirm what the conversation already says: then nothing is written or sent.
    const patch = effectiveChanges(conversation, outcome.patch);
    if (Object.keys(patch).length > 0) await this.d.conversations.applyRouting(tenantId, conversationId, patch, outcome.note);
  }
}

/** The selector for a hub with only the shipped (or configured) model: it routes everything. */
export function singleModel(model: IntentPredictor, id = 'default'): ModelSelector {
  return { select: async () => ({ routing: { id, model }, shadows: [] }) };
}

import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Consumer, JobQueue } from '../queue/queue.js';
import type { ConversationService, SendResult } from '../conversations/service.js';
import type { IntentPrediction, IntentPredictor } from './model.js';
import type { IntentFeedbackRepo, TenantPredictionRow } from './routing/feedback.js';
import { Batcher } from '../queue/batcher.js';
import type { RoutingRuleRepo } from './routing/rules.js';
import { decideRouting, effectiveChanges } from './routing/decide.js';

/** The hot-tier stream routing jobs travel on. */
export const ROUTING_STREAM = 'routing';

/**
 * Routing jobs are handled together: up to this many, gathered for at most this long. Nobody
 * waits on routing (the send was acknowledged already; a conversation is triaged or assigned at
 * most 20 ms later), and each batch costs one inference call and one predictions transaction
 * whatever its size: at 4,000 msg/s, gathering for 20 ms instead of 5 cut hub and PostgreSQL CPU
 * per relayed message by ~6 % each (bench/probe.ts, two runs each).
 */
const ROUTING_BATCH = { maxBatch: 256, maxWaitMs: 20 };

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

/** The models that see one conversation's message. */
export interface ModelSelection {
  routing: ServedModel | undefined;
  shadows: readonly ServedModel[];
}

/** Which models see a conversation: one routes it (A/B by conversation), shadows only predict. */
export interface ModelSelector {
  select(tenantId: string, conversationId: string): Promise<ModelSelection>;
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
 * model's intent is recorded for the message and, when confident, set on the conversation; the tenant's
 * rules then route a conversation nobody has routed yet, or send it to triage when the model
 * cannot tell. Shadow models predict beside it, recorded for comparison, never routing.
 * `intent_predictions` is the record of what each model said about each message;
 * `messages.intent` holds only an agent's correction.
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
    // Jobs run in batches (one predictions write per batch, not per message); the queue hands
    // over up to two batches' worth, so the next one gathers while one runs.
    const batcher = new Batcher<RoutingJob>((jobs) => this.handleBatch(jobs), ROUTING_BATCH);
    this.consumer ??= this.d.queue.consume<RoutingJob>(ROUTING_STREAM, (job) => batcher.add(job.payload), { consumer, concurrency: 2 * ROUTING_BATCH.maxBatch, maxAttempts: 3 });
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  /**
   * Jobs in arrival order: every message is classified and its predictions recorded first (one
   * write for the whole batch; the routing model's row is the message's intent, so the message
   * row itself is not rewritten), then each conversation is routed in turn, so a later message
   * of the same conversation sees what an earlier one changed. Idempotent, so a retry after a
   * crash routes the same way.
   */
  async handleBatch(jobs: readonly RoutingJob[]): Promise<void> {
    const plans: { job: RoutingJob; served: ServedModel[]; predictions: IntentPrediction[] }[] = [];
    for (const job of jobs) {
      const { routing, shadows } = await this.d.models.select(job.tenantId, job.conversationId);
      if (routing) plans.push({ job, served: [routing, ...shadows], predictions: [] });
    }
    if (!plans.length) return;
    await predictAll(plans);
    const predictionRows: TenantPredictionRow[] = plans.flatMap(({ job, served, predictions }) =>
      predictions.map((p, i) => ({ tenantId: job.tenantId, conversationId: job.conversationId, seq: job.seq, modelId: served[i]!.id, intent: p.intent, confidence: p.confidence, routed: i === 0 })),
    );
    await this.d.feedback.recordPredictionBatch(predictionRows);
    for (const r of predictionRows) this.d.metrics.intentPredictions.inc({ model: r.modelId, role: r.routed ? 'routing' : 'shadow' });
    for (const { job, predictions } of plans) await this.route(job, predictions[0]!);
  }

  private async route({ tenantId, conversationId }: RoutingJob, best: IntentPrediction): Promise<void> {
    const conversation = await this.d.conversations.conversationRecord(tenantId, conversationId);
    if (!conversation) return;
    const [rules, settings] = await Promise.all([this.d.rules.list(tenantId), this.d.rules.settings(tenantId)]);
    const outcome = decideRouting(conversation, best, rules, settings);
    // Most follow-up messages confirm what the conversation already says: then nothing is written or sent.
    const patch = effectiveChanges(conversation, outcome.patch);
    if (Object.keys(patch).length > 0) await this.d.conversations.applyRouting(tenantId, conversationId, patch, outcome.note);
  }
}

/** Fills each plan's predictions (one per served model, in order), one inference call per model. */
async function predictAll(plans: { job: RoutingJob; served: ServedModel[]; predictions: IntentPrediction[] }[]): Promise<void> {
  const byModel = new Map<IntentPredictor, { texts: string[]; slots: [number, number][] }>();
  plans.forEach((plan, p) =>
    plan.served.forEach((s, i) => {
      let group = byModel.get(s.model);
      if (!group) byModel.set(s.model, (group = { texts: [], slots: [] }));
      group.texts.push(plan.job.body);
      group.slots.push([p, i]);
    }),
  );
  await Promise.all(
    [...byModel].map(async ([model, { texts, slots }]) => {
      const out = await model.predictBatch(texts);
      out.forEach((prediction, k) => {
        const [p, i] = slots[k]!;
        plans[p]!.predictions[i] = prediction;
      });
    }),
  );
}

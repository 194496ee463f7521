import type { Logger } from '../logger.js';
import type { Consumer, Job, JobQueue } from '../queue/queue.js';
import type { ConversationService, SendResult } from '../conversations/service.js';
import type { IntentPredictor } from './model.js';

/** The hot-tier stream routing jobs travel on. */
export const ROUTING_STREAM = 'routing';

export interface RoutingJob {
  tenantId: string;
  conversationId: string;
  seq: number;
  body: string;
}

export interface IntentRouterOptions {
  /** Below this confidence only the message gets the intent; the conversation's stays as it was. Default 0.5. */
  minConfidence?: number;
}

/**
 * Classifies every customer message with the on-box model, off the hot path: the send is
 * acknowledged first, a job on the `routing` stream does the rest on any node. The intent and
 * its confidence are stored on the message and, when confident, on the conversation, which
 * agents then see live (and can filter by). Routing rules on top of it are not built yet.
 */
export class IntentRouter {
  private consumer: Consumer | undefined;
  private readonly minConfidence: number;

  constructor(
    private readonly d: { queue: JobQueue; model: IntentPredictor; conversations: ConversationService; log: Logger },
    opts: IntentRouterOptions = {},
  ) {
    this.minConfidence = opts.minConfidence ?? 0.5;
  }

  /** Hook for `ConversationService.onCustomerMessage`; never delays or fails the send. */
  messageStored(result: SendResult): void {
    const { message } = result;
    if (!message.body.trim()) return;
    const job: RoutingJob = { tenantId: result.conversation.tenantId, conversationId: message.conversationId, seq: message.seq, body: message.body };
    this.d.queue.enqueue(ROUTING_STREAM, job).catch((err) => this.d.log.warn({ err }, 'queueing intent routing failed'));
  }

  start(consumer: string): void {
    this.consumer ??= this.d.queue.consume<RoutingJob>(ROUTING_STREAM, (job) => this.handle(job), { consumer, concurrency: 1, maxAttempts: 3 });
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  private async handle(job: Job<RoutingJob>): Promise<void> {
    const p = job.payload;
    const { intent, confidence } = await this.d.model.predict(p.body);
    // An unsure guess stays on the message only; the conversation keeps its last confident one.
    await this.d.conversations.setIntent(p.tenantId, p.conversationId, p.seq, intent, confidence, confidence >= this.minConfidence);
  }
}

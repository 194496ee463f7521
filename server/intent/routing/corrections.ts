import type { ConversationRecord } from '../../conversations/repo.js';
import type { ConversationService } from '../../conversations/service.js';
import type { MessageRepo } from '../../messages/repo.js';
import type { Metrics } from '../../metrics.js';
import type { AgentActor } from '../../auth/middleware.js';
import { AppError } from '../../errors.js';
import { matchRule, routeBy } from './decide.js';
import type { IntentFeedbackRepo } from './feedback.js';
import type { RoutingRuleRepo } from './rules.js';

export interface CorrectionInput {
  intent: string;
  /** The customer message the label is for; default: the customer's latest message with text. */
  seq?: number | undefined;
}

/**
 * An agent says what a customer message really meant. The label replaces the model's on the
 * message and the conversation (with confidence 1), takes the conversation out of triage and
 * routes it by the tenant's rules if nobody has yet, and is kept as per-tenant training data.
 * Each model version that predicted the message is scored against it (agreement metrics).
 */
export class IntentCorrections {
  constructor(
    private readonly d: { conversations: ConversationService; messages: MessageRepo; feedback: IntentFeedbackRepo; rules: RoutingRuleRepo; metrics: Metrics },
  ) {}

  async correct(actor: AgentActor, conversationId: string, input: CorrectionInput): Promise<ConversationRecord> {
    const { tenantId } = actor;
    const conversation = await this.d.conversations.accessible(actor, conversationId);
    const message =
      input.seq !== undefined ? await this.d.messages.get(tenantId, conversationId, input.seq) : await this.d.messages.latestCustomerText(tenantId, conversationId);
    if (!message || message.direction !== 'inbound' || message.private || !message.body.trim()) {
      throw new AppError('SB_ERR_VALIDATION', input.seq !== undefined ? `seq ${input.seq} is not a customer message with text` : 'the conversation has no customer message to label yet');
    }

    const previous = await this.d.feedback.upsertFeedback(tenantId, { conversationId, seq: message.seq, text: message.body, label: input.intent, agentId: actor.id });
    if (previous === undefined) {
      // Counted once per message, on the first word: a changed mind must not count a model twice.
      for (const p of await this.d.feedback.predictionsFor(tenantId, conversationId, message.seq)) {
        this.d.metrics.intentFeedback.inc({ model: p.modelId, agree: String(p.intent === input.intent) });
      }
    }
    await this.d.conversations.setMessageIntent(tenantId, conversationId, message.seq, input.intent, 1);

    const patch = { intent: input.intent, intentConfidence: 1, triage: false };
    const routable = conversation.assigneeId === null && conversation.routedByRule === null && conversation.status !== 'resolved';
    const [rules, settings] = await Promise.all([this.d.rules.list(tenantId), this.d.rules.settings(tenantId)]);
    const rule = routable ? matchRule({ intent: input.intent, confidence: 1 }, rules, settings) : undefined;
    const name = await this.d.conversations.agentName(actor);
    const changed = conversation.intent !== input.intent;
    const note = changed || rule ? `${name} set the intent to ${input.intent}${rule ? ', which routed the conversation' : ''}` : null;
    const updated = await this.d.conversations.applyRouting(tenantId, conversationId, rule ? { ...patch, ...routeBy(rule) } : patch, note);
    if (!updated) throw new AppError('SB_ERR_CONVERSATION_NOT_FOUND');
    return updated;
  }
}

import type { Attachment, ChannelInbox, ChannelName, Message, ProviderChannel } from '../contract/index.js';
import { ChannelSendError } from '../contract/index.js';
import type { Logger } from '../logger.js';
import type { Consumer, Job, JobQueue } from '../queue/queue.js';
import type { AttachmentService } from '../attachments/service.js';
import type { ContactRepo } from '../contacts/repo.js';
import type { InboxRepo } from '../inboxes/repo.js';
import type { ConversationService, SendResult } from '../conversations/service.js';
import type { MessageRepo } from '../messages/repo.js';
import type { DeliveryRepo, DeliveryRow, DeliveryStatus } from './deliveries-repo.js';

/** The hot-tier stream outbound deliveries travel on. */
export const DELIVERY_STREAM = 'deliveries';

/** One outbound message to deliver; the message itself rides along (it never changes). */
export interface DeliveryJob {
  tenantId: string;
  messageId: string;
  conversationId: string;
  inboxId: string;
  /** The message's seq: a reply waits while an earlier one of its conversation is still on its way. */
  seq: number;
  body: string;
  attachments: Attachment[];
  /** The seq of the message this reply answers; the worker turns it into the provider's message id. */
  replyToSeq?: number;
  /** 1 for the first try; retries we schedule ourselves (rate limits, outages) count up. */
  attempt: number;
}

export interface DeliveryOptions {
  /** Tries before a delivery is marked failed. Default 12 (about 20 minutes with the default backoff). */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt up to `maxBackoffMs`. Default 1000. */
  baseBackoffMs?: number;
  /** Default 300000 (5 min). */
  maxBackoffMs?: number;
  /** A queued delivery older than this without progress is enqueued again when its reply is repeated. Default 30000. */
  staleMs?: number;
  /**
   * How often this node looks for deliveries whose queue entry was lost (Redis flushed, a crash
   * between the database write and the enqueue), and how long past its due time a waiting
   * delivery must be to count as lost. Default 30000.
   */
  sweepMs?: number;
  /**
   * A delivery in `sending` without progress for this long is taken to have lost its worker
   * (each Bot API call times out after 30 s, and each part sent counts as progress). Default 120000.
   */
  sendingStaleMs?: number;
}

export interface DeliveryDeps {
  queue: JobQueue;
  deliveries: DeliveryRepo;
  /** Reads the message a reply answers (for its provider id), and a swept delivery's message. */
  messages: MessageRepo;
  inboxes: InboxRepo;
  contacts: ContactRepo;
  conversations: ConversationService;
  attachments: AttachmentService;
  channels: ReadonlyMap<ChannelName, ProviderChannel>;
  log: Logger;
  /** Told after every state change, so agents see a reply's delivery live. */
  onStatus?: (update: { tenantId: string; conversationId: string; messageId: string; status: DeliveryStatus; error: string | null }) => void;
}

/** How long a reply waits before looking again whether the earlier replies of its conversation went out. */
const ORDER_WAIT_MS = 250;

const sentOrFinal = new Set(['sent', 'failed', 'unreachable']);

/** How early (clock skew between nodes) a job may take a delivery that is due a little later. */
const EARLY_MS = 1000;

/** Most left-behind deliveries one sweep re-enqueues. */
const SWEEP_BATCH = 200;

const jobOf = (tenantId: string, inboxId: string, message: Message, attempt: number): DeliveryJob => ({
  tenantId,
  messageId: message.id,
  conversationId: message.conversationId,
  inboxId,
  seq: message.seq,
  body: message.body,
  attachments: message.attachments,
  ...(message.replyToSeq !== undefined ? { replyToSeq: message.replyToSeq } : {}),
  attempt,
});

/**
 * Outbound delivery to provider channels. An agent's reply is recorded as a `queued` delivery
 * and a job on the `deliveries` stream; a worker on any node sends it through the channel —
 * never inside the HTTP request. Rate limits wait as long as the provider asked, outages back
 * off exponentially, a blocked bot marks the contact unreachable and tells the agents with a
 * private system line. At-least-once underneath, but each part of a message is recorded as it
 * is accepted, so a retry resumes rather than repeats, and a worker takes a delivery with a
 * guarded update before sending, so of two jobs for one delivery only one sends. A periodic
 * sweep (on every node; guarded updates again) re-enqueues deliveries whose job was lost.
 */
export class DeliveryService {
  private readonly opts: Required<DeliveryOptions>;
  private consumer: Consumer | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(
    private readonly d: DeliveryDeps,
    opts: DeliveryOptions = {},
  ) {
    this.opts = { maxAttempts: 12, baseBackoffMs: 1000, maxBackoffMs: 300_000, staleMs: 30_000, sweepMs: 30_000, sendingStaleMs: 120_000, ...opts };
    if (this.opts.maxAttempts < 1 || this.opts.baseBackoffMs < 1) throw new RangeError('maxAttempts and baseBackoffMs must be positive');
    if (this.opts.sweepMs < 1 || this.opts.sendingStaleMs < 1) throw new RangeError('sweepMs and sendingStaleMs must be positive');
  }

  /** Hook for `ConversationService.onAgentReply`: queues replies in provider-channel conversations. */
  async replyStored(result: SendResult): Promise<void> {
    const { conversation: c, message } = result;
    if (message.private || !this.d.channels.has(c.channel)) return;
    const created = await this.d.deliveries.create(c.tenantId, { messageId: message.id, conversationId: c.id, inboxId: c.inboxId, channel: c.channel, seq: message.seq });
    if (!created) {
      // A repeated reply: enqueue again only if the first enqueue may have been lost.
      const row = await this.d.deliveries.get(c.tenantId, message.id);
      if (!row || row.status !== 'queued' || Date.now() - row.updatedAt < this.opts.staleMs) return;
    }
    await this.d.queue.enqueue(DELIVERY_STREAM, jobOf(c.tenantId, c.inboxId, message, 1));
    if (created) this.d.onStatus?.({ tenantId: c.tenantId, conversationId: c.id, messageId: message.id, status: 'queued', error: null });
  }

  /** Starts this node's worker and its sweeper. */
  start(consumer: string): void {
    this.sweepTimer ??= setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((err) => this.d.log.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'sweeping deliveries failed'))
        .finally(() => (this.sweeping = undefined));
    }, this.opts.sweepMs);
    this.sweepTimer.unref();
    this.consumer ??= this.d.queue.consume<DeliveryJob>(DELIVERY_STREAM, (job) => this.handle(job), {
      consumer,
      // One at a time keeps the replies of a conversation in order.
      concurrency: 1,
      maxAttempts: 5,
      claimIdleMs: 60_000,
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.sweeping;
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  /**
   * Re-enqueues deliveries left behind: waiting (`queued`/`retrying`) more than `sweepMs` past
   * their due time, or stuck in `sending` for `sendingStaleMs`. Safe on every node at once: a
   * row is taken by a guarded update, so one node enqueues it; and should a lost job turn up
   * after all, the worker's own guarded claim lets only one of the two send. Returns how many.
   */
  async sweep(now = Date.now()): Promise<number> {
    const rows = await this.d.deliveries.overdue({ dueBefore: now - this.opts.sweepMs, stuckBefore: now - this.opts.sendingStaleMs, limit: SWEEP_BATCH });
    let requeued = 0;
    for (const row of rows) {
      // A reply waiting behind an earlier one of its conversation is not lost: its job loops
      // until that one is done (and is swept after that, if it was lost after all).
      if (row.status !== 'sending' && (await this.d.deliveries.earlierPending(row.tenantId, row.conversationId, row.seq, this.opts.maxBackoffMs + 60_000))) continue;
      if (await this.requeue(row, now)) requeued++;
    }
    if (requeued) this.d.log.info({ requeued }, 'deliveries left behind were enqueued again');
    return requeued;
  }

  private async requeue(row: DeliveryRow, now: number): Promise<boolean> {
    const message = await this.d.messages.get(row.tenantId, row.conversationId, row.seq);
    if (!message || message.id !== row.messageId) return false;
    if (!(await this.d.deliveries.rescue(row, now))) return false; // another node took it, or it moved on
    // A crash right here leaves the row due now: the next sweep takes it again.
    await this.d.queue.enqueue(DELIVERY_STREAM, jobOf(row.tenantId, row.inboxId, message, row.attempts + 1));
    if (row.status === 'sending') this.d.onStatus?.({ tenantId: row.tenantId, conversationId: row.conversationId, messageId: row.messageId, status: 'retrying', error: row.error });
    return true;
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** Math.min(attempt - 1, 20));
    return Math.round(base / 2 + (Math.random() * base) / 2);
  }

  private async handle(job: Job<DeliveryJob>): Promise<void> {
    const p = job.payload;
    const row = await this.d.deliveries.get(p.tenantId, p.messageId);
    if (!row || sentOrFinal.has(row.status)) return;
    // Another job of this delivery is ahead of this one (a worker is sending it, or a retry is
    // scheduled for later): this one is a spare copy (a sweep's, a claim's) and ends here.
    const now = Date.now();
    if (row.status === 'sending' ? row.updatedAt >= now - this.opts.sendingStaleMs : row.dueAt > now + EARLY_MS) return;
    // Keep a conversation's replies in order: while an earlier one waits out a rate limit or an
    // outage, this one waits behind it (unless that one looks abandoned).
    if (await this.d.deliveries.earlierPending(p.tenantId, p.conversationId, p.seq, this.opts.maxBackoffMs + 60_000)) {
      await this.d.queue.enqueue(DELIVERY_STREAM, p, { delayMs: ORDER_WAIT_MS });
      return;
    }
    const inboxRecord = await this.d.inboxes.get(p.tenantId, p.inboxId);
    const channel = inboxRecord && this.d.channels.get(inboxRecord.channel);
    if (!inboxRecord || !channel) return this.finish(p, 'failed', 'the inbox no longer exists');
    const inbox: ChannelInbox = { tenantId: p.tenantId, inboxId: inboxRecord.id, name: inboxRecord.name, settings: inboxRecord.settings, secrets: inboxRecord.secrets };
    const conversation = await this.d.conversations.conversationRecord(p.tenantId, p.conversationId);
    const contact = conversation && (await this.d.contacts.get(p.tenantId, conversation.contactId));
    const to = contact?.identities.find((i) => i.inboxId === p.inboxId)?.externalId;
    if (!conversation || !to) return this.finish(p, 'failed', 'the conversation has no recipient on this channel');

    const replyTo = p.replyToSeq !== undefined ? await this.providerIdOf(p.tenantId, p.conversationId, p.replyToSeq) : undefined;

    if (!(await this.d.deliveries.claim(p.tenantId, p.messageId, { now: Date.now(), earlyMs: EARLY_MS, sendingStaleMs: this.opts.sendingStaleMs }))) return;
    this.d.onStatus?.({ tenantId: p.tenantId, conversationId: p.conversationId, messageId: p.messageId, status: 'sending', error: row.error });
    // Read again after the claim: an earlier holder may have sent parts since the first read.
    const held = (await this.d.deliveries.get(p.tenantId, p.messageId)) ?? row;
    const providerIds = [...held.providerMessageIds];
    try {
      await channel.send(inbox, {
        to,
        text: p.body,
        files: p.attachments.map((a) => ({ name: a.name, contentType: a.contentType, read: () => this.readAttachment(p.tenantId, a.id) })),
        replyTo,
        partsSent: held.partsSent,
        onPartSent: async (part, providerId) => {
          providerIds.push(providerId);
          await this.d.deliveries.partSent(p.tenantId, p.messageId, part, providerIds);
        },
      });
    } catch (err) {
      const e = err instanceof ChannelSendError ? err : new ChannelSendError('retry', err instanceof Error ? err.message : String(err));
      return this.failed(p, conversation.contactId, e);
    }
    await this.setStatus(p, 'sent', null);
  }

  private async failed(p: DeliveryJob, contactId: string, e: ChannelSendError): Promise<void> {
    if (e.kind === 'retry' && p.attempt < this.opts.maxAttempts) {
      const delayMs = e.afterMs ?? this.backoff(p.attempt);
      // The due time tells a spare copy of this job to wait, and the sweeper when it was lost.
      await this.setStatus(p, 'retrying', e.message, { dueAt: Date.now() + delayMs });
      await this.d.queue.enqueue(DELIVERY_STREAM, { ...p, attempt: p.attempt + 1 }, { delayMs });
      this.d.log.warn({ messageId: p.messageId, attempt: p.attempt, delayMs, reason: e.message }, 'delivery will be retried');
      return;
    }
    if (e.kind === 'unreachable') {
      await this.d.contacts.update(p.tenantId, contactId, { attributes: { unreachable: true } });
      await this.finish(p, 'unreachable', e.message, 'Not delivered: the customer has blocked the bot or left the chat.');
      return;
    }
    await this.finish(p, 'failed', e.message, `Not delivered: ${e.message}`);
  }

  private async finish(p: DeliveryJob, status: 'failed' | 'unreachable', error: string, note?: string): Promise<void> {
    await this.setStatus(p, status, error);
    this.d.log.warn({ messageId: p.messageId, status, reason: error }, 'delivery gave up');
    if (note) await this.d.conversations.appendSystemNote(p.tenantId, p.conversationId, note, `dlv:${p.messageId}`);
  }

  private async setStatus(p: DeliveryJob, status: DeliveryStatus, error: string | null, extra: { dueAt?: number } = {}): Promise<void> {
    await this.d.deliveries.update(p.tenantId, p.messageId, { status, error, ...extra });
    this.d.onStatus?.({ tenantId: p.tenantId, conversationId: p.conversationId, messageId: p.messageId, status, error });
  }

  /**
   * The provider's id of message `seq`, for `reply_parameters`: an inbound message's own id, or
   * the first part of an outbound message's delivery. Undefined when there is none (e.g. a
   * message from the web widget, or one never delivered): the reply then goes out plainly.
   */
  private async providerIdOf(tenantId: string, conversationId: string, seq: number): Promise<string | undefined> {
    const target = await this.d.messages.replyTarget(tenantId, conversationId, seq);
    if (!target || target.private) return undefined;
    if (target.direction === 'inbound') return target.providerMessageId ?? undefined;
    return (await this.d.deliveries.get(tenantId, target.id))?.providerMessageIds[0];
  }

  private async readAttachment(tenantId: string, id: string): Promise<Buffer> {
    const file = await this.d.attachments.open(tenantId, id);
    if (!file) throw new ChannelSendError('rejected', `attachment ${id} is gone`);
    const chunks: Buffer[] = [];
    for await (const chunk of file.stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
}

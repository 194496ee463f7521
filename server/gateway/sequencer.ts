import type { Message } from '../contract/index.js';

/** One position in a conversation's log as a connection sees it: a message, or a seq it may not see. */
export type SeqItem = { seq: number; message: Message | undefined };

export interface SequencerOptions {
  /** Hands ordered messages to the socket. */
  deliver(message: Message): void;
  /** Reads the messages with after < seq < before this connection may see (from the database). */
  fill(conversationId: string, after: number, before: number): Promise<Message[]>;
  /** How long a gap may stay open before it is filled from the database. */
  gapWaitMs: number;
  onError?(err: unknown): void;
}

/**
 * Puts one conversation's live messages back into `seq` order for one connection. Events of
 * one conversation can reach a node out of order (two nodes commit seq 6 and 7 and publish in
 * the other order), and an event can be lost altogether (a node dies between commit and
 * publish, or Redis blips). A message that arrives ahead of a gap waits a moment; if the gap
 * is still open then, the missing messages are read from the database — truth — and sent
 * first. Late arrivals behind the window are passed through rather than dropped.
 */
export class ConversationSequencer {
  private last: number | undefined;
  private readonly held = new Map<number, SeqItem>();
  private timer: NodeJS.Timeout | undefined;
  private filling = false;

  constructor(
    private readonly conversationId: string,
    private readonly opts: SequencerOptions,
  ) {}

  /** Everything up to `seq` has been delivered by other means (a sync). */
  advanceTo(seq: number): void {
    if (this.last === undefined || seq > this.last) this.last = seq;
    for (const s of [...this.held.keys()]) if (s <= seq) this.held.delete(s);
    this.flush();
  }

  offer(item: SeqItem): void {
    if (this.last === undefined || item.seq <= this.last + 1) {
      this.emit(item);
      this.flush();
      return;
    }
    this.held.set(item.seq, item);
    if (!this.timer && !this.filling) this.timer = setTimeout(() => void this.fillGap(), this.opts.gapWaitMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.held.clear();
  }

  private emit(item: SeqItem): void {
    if (this.last === undefined || item.seq > this.last) this.last = item.seq;
    if (item.message) this.opts.deliver(item.message);
  }

  private flush(): void {
    while (this.last !== undefined && this.held.has(this.last + 1)) {
      const next = this.held.get(this.last + 1)!;
      this.held.delete(next.seq);
      this.emit(next);
    }
    if (this.held.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private async fillGap(): Promise<void> {
    this.timer = undefined;
    if (this.held.size === 0 || this.last === undefined) return;
    const firstHeld = Math.min(...this.held.keys());
    this.filling = true;
    try {
      const missing = await this.opts.fill(this.conversationId, this.last, firstHeld);
      for (const m of missing) if (this.last === undefined || m.seq > this.last) this.emit({ seq: m.seq, message: m });
    } catch (err) {
      this.opts.onError?.(err);
    } finally {
      this.filling = false;
    }
    // Whatever the database had, the gap below the first held message is closed now.
    if (this.last === undefined || this.last < firstHeld - 1) this.last = firstHeld - 1;
    this.flush();
    if (this.held.size > 0 && !this.timer) this.timer = setTimeout(() => void this.fillGap(), this.opts.gapWaitMs);
  }
}

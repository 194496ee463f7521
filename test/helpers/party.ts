import WebSocket from 'ws';
import type { Message } from '../../server/contract/index.js';

type Frame = { type: string; [k: string]: any };

/**
 * A resilient chat client, as a real widget or inbox behaves: it reconnects to the next node
 * when its socket dies, re-sends unacknowledged messages with the same clientId, and `sync`s
 * every conversation it knows from its last contiguous seq after each (re)connect and on
 * `resync`. It records what arrived live and what arrived by sync.
 */
export class Party {
  readonly received = new Map<string, Map<number, Message>>();
  /** Per conversation, the seqs of `message.created` frames that arrived live (not in a sync). */
  readonly live = new Map<string, number[]>();
  readonly acked = new Map<string, Message>();
  readonly pending = new Map<string, Frame>();
  readonly conversations = new Set<string>();
  reconnects = 0;
  resyncs = 0;
  private ws: WebSocket | undefined;
  private readonly syncing = new Set<string>();
  private syncWaiters: { conversationId: string; resolve: () => void }[] = [];
  private stopped = false;
  private counter = 0;
  private helloWaiter: (() => void) | undefined;

  constructor(
    readonly name: string,
    private readonly token: string,
    private readonly wsUrls: string[],
    private nodeIndex: number,
  ) {}

  get node(): number {
    return this.nodeIndex;
  }

  /** Connects (retrying other nodes) and resolves on `hello`. */
  async start(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.helloWaiter = resolve;
      this.open();
    });
  }

  /** Sends a message; returns its clientId. Unacked sends are retried after reconnects. */
  send(body: string, conversationId?: string, extra: Record<string, unknown> = {}): string {
    const clientId = `${this.name}-${++this.counter}`;
    const frame: Frame = { type: 'message.send', clientId, body, ...(conversationId ? { conversationId } : {}), ...extra };
    this.pending.set(clientId, frame);
    this.write(frame);
    return clientId;
  }

  /** Syncs every known conversation and resolves when all are done. */
  async syncAll(timeoutMs = 10_000): Promise<void> {
    const ids = [...this.conversations];
    const done = ids.map((id) => new Promise<void>((resolve) => this.syncWaiters.push({ conversationId: id, resolve })));
    for (const id of ids) this.requestSync(id);
    await withTimeout(Promise.all(done), timeoutMs, `${this.name}: syncAll`);
  }

  /** Waits until every send has been acknowledged. */
  async settle(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0) {
      if (Date.now() > deadline) throw new Error(`${this.name}: ${this.pending.size} sends never acked`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Messages of a conversation as this party knows them, by seq. */
  view(conversationId: string): Message[] {
    return [...(this.received.get(conversationId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  stop(): void {
    this.stopped = true;
    this.ws?.terminate();
  }

  private open(): void {
    if (this.stopped) return;
    const ws = new WebSocket(`${this.wsUrls[this.nodeIndex]}?token=${encodeURIComponent(this.token)}`);
    this.ws = ws;
    ws.on('message', (data) => this.onFrame(JSON.parse(data.toString()) as Frame));
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.stopped || this.ws !== ws) return;
      this.ws = undefined;
      this.syncing.clear();
      this.nodeIndex = (this.nodeIndex + 1) % this.wsUrls.length;
      this.reconnects++;
      setTimeout(() => this.open(), 50 + Math.random() * 100);
    });
  }

  private write(frame: Frame): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private contiguous(conversationId: string): number {
    const got = this.received.get(conversationId);
    let seq = 0;
    while (got?.has(seq + 1)) seq++;
    return seq;
  }

  private requestSync(conversationId: string): void {
    this.syncing.add(conversationId);
    this.write({ type: 'sync', conversationId, since: this.contiguous(conversationId) });
  }

  private record(message: Message, live: boolean): void {
    this.conversations.add(message.conversationId);
    let map = this.received.get(message.conversationId);
    if (!map) this.received.set(message.conversationId, (map = new Map()));
    const known = map.get(message.seq);
    if (known && known.id !== message.id) throw new Error(`${this.name}: two messages with seq ${message.seq}`);
    map.set(message.seq, message);
    if (live) {
      const seqs = this.live.get(message.conversationId) ?? [];
      seqs.push(message.seq);
      this.live.set(message.conversationId, seqs);
    }
  }

  private onFrame(f: Frame): void {
    switch (f.type) {
      case 'hello':
        for (const id of this.conversations) this.requestSync(id);
        for (const frame of this.pending.values()) this.write(frame);
        this.helloWaiter?.();
        this.helloWaiter = undefined;
        break;
      case 'message.ack':
        this.pending.delete(f.clientId);
        this.acked.set(f.clientId, f.message);
        this.record(f.message, false);
        break;
      case 'message.created':
        this.record(f.message, !this.syncing.has(f.message.conversationId));
        break;
      case 'sync.done':
        this.syncing.delete(f.conversationId);
        this.syncWaiters = this.syncWaiters.filter((w) => {
          if (w.conversationId !== f.conversationId) return true;
          w.resolve();
          return false;
        });
        break;
      case 'resync':
        this.resyncs++;
        for (const id of this.conversations) this.requestSync(id);
        break;
      default:
        break;
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

import type { WebSocket } from 'ws';
import type { Actor, ServerFrame } from '../contract/index.js';
import type { HubEvent, Unsubscribe } from '../bus/bus.js';

/** Past this many unsent bytes a client is too slow to keep; it reconnects and syncs instead. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * One authenticated socket: its actor, its bus subscriptions, a serial frame queue (so a
 * client's sends are stored in the order it sent them) and the live-event buffer used while a
 * `sync` is running, so a message is not delivered both by the sync and live.
 */
export class ClientConnection {
  alive = true;
  private ready = false;
  private early: HubEvent[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly syncing = new Map<string, HubEvent[]>();
  readonly unsubscribes: Unsubscribe[] = [];

  constructor(
    readonly ws: WebSocket,
    readonly actor: Actor,
    private readonly toFrame: (c: ClientConnection, e: HubEvent) => ServerFrame | undefined,
  ) {}

  send(frame: ServerFrame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.ws.close(1013, 'client too slow; reconnect and sync');
      return;
    }
    this.ws.send(JSON.stringify(frame));
  }

  /** Runs `task` after every earlier frame of this connection has been handled. */
  enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task, task);
  }

  /** Marks the connection subscribed: `hello` goes out, then anything that arrived meanwhile. */
  markReady(hello: ServerFrame): void {
    this.send(hello);
    this.ready = true;
    for (const e of this.early.splice(0)) this.deliver(e);
  }

  /** A bus event for this connection. */
  deliver(e: HubEvent): void {
    if (!this.ready) {
      this.early.push(e);
      return;
    }
    if (e.kind === 'message.created') {
      const held = this.syncing.get(e.message.conversationId);
      if (held) {
        held.push(e);
        return;
      }
    }
    const frame = this.toFrame(this, e);
    if (frame) this.send(frame);
  }

  beginSync(conversationId: string): void {
    if (!this.syncing.has(conversationId)) this.syncing.set(conversationId, []);
  }

  /** Ends a sync that delivered everything up to `lastSeq`; held live messages after it go out now. */
  endSync(conversationId: string, lastSeq: number): void {
    const held = this.syncing.get(conversationId) ?? [];
    this.syncing.delete(conversationId);
    held
      .filter((e) => e.kind === 'message.created' && e.message.seq > lastSeq)
      .forEach((e) => this.deliver(e));
  }
}

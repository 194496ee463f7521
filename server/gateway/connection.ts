import type { WebSocket } from 'ws';
import type { Actor, Message, ServerFrame } from '../contract/index.js';
import type { HubEvent, Unsubscribe } from '../bus/bus.js';
import { ConversationSequencer } from './sequencer.js';

/** Conversations whose order a connection tracks at once; the least recently used is forgotten. */
const MAX_SEQUENCERS = 2000;

export interface ConnectionOptions {
  /** Turns a non-message bus event into the frame this connection may see, or nothing. */
  toFrame(c: ClientConnection, e: HubEvent): ServerFrame | undefined;
  /** Reads messages this connection may see with after < seq < before, to close a gap. */
  fill(actor: Actor, conversationId: string, after: number, before: number): Promise<Message[]>;
  gapWaitMs: number;
  onError(err: unknown): void;
}

/** Past this many unsent bytes a client is too slow to keep; it reconnects and syncs instead. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * JSON of the messages encoded last. One message goes out several times within a few turns of
 * the microtask queue (a `message.created` to every connection that sees it, then the sender's
 * ack) as the same object, so it is encoded once; messages are never changed after they are
 * stored. A small ring rather than a WeakMap keyed by message: under load a WeakMap entry per
 * message made V8 keep much of that JSON past young-generation collections (heap sampling of the
 * hub), and in a micro-benchmark of 2 M short-lived messages the WeakMap took two to three times
 * as long as no memo at all and forced a full collection.
 */
const RECENT_MESSAGES = 64;
const recentMessages: (Message | undefined)[] = new Array<Message | undefined>(RECENT_MESSAGES).fill(undefined);
const recentJson: string[] = new Array<string>(RECENT_MESSAGES).fill('');
let recentNext = 0;
function encodeMessage(m: Message): string {
  // Newest first: the deliveries and the ack of a message follow its first encoding closely.
  for (let k = 1; k <= RECENT_MESSAGES; k++) {
    const i = (recentNext - k + RECENT_MESSAGES) % RECENT_MESSAGES;
    if (recentMessages[i] === m) return recentJson[i]!;
  }
  const json = JSON.stringify(m);
  recentMessages[recentNext] = m;
  recentJson[recentNext] = json;
  recentNext = (recentNext + 1) % RECENT_MESSAGES;
  return json;
}

/** Encodes a frame; the two message frames reuse the message's cached JSON (same text as JSON.stringify). */
export function encodeFrame(frame: ServerFrame): string {
  if (frame.type === 'message.created' && Object.keys(frame).length === 2) {
    return `{"type":"message.created","message":${encodeMessage(frame.message)}}`;
  }
  if (frame.type === 'message.ack' && Object.keys(frame).length === 3 && typeof frame.clientId === 'string') {
    return `{"type":"message.ack","clientId":${JSON.stringify(frame.clientId)},"message":${encodeMessage(frame.message)}}`;
  }
  return JSON.stringify(frame);
}

/**
 * Sockets written to in this turn of the event loop stay corked until it ends, so frames that
 * one event sends to one socket (a visitor's ack and its own message's echo) leave in one write.
 */
type Corkable = { cork(): void; uncork(): void };
let corked: Corkable[] = [];
/** Counts flushes, so a connection knows whether its socket is corked in the current turn. */
let turn = 0;
function corkUntilTurnEnds(socket: Corkable | undefined): boolean {
  if (!socket) return false;
  socket.cork();
  if (corked.length === 0) setImmediate(uncorkAll);
  corked.push(socket);
  return true;
}
function uncorkAll(): void {
  const sockets = corked;
  corked = [];
  turn++;
  for (const s of sockets) s.uncork();
}

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
  private readonly sequencers = new Map<string, ConversationSequencer>();
  readonly unsubscribes: Unsubscribe[] = [];
  /** The turn of the event loop in which this socket was last corked (see `corkUntilTurnEnds`). */
  private corkedIn = -1;

  constructor(
    readonly ws: WebSocket,
    readonly actor: Actor,
    private readonly opts: ConnectionOptions,
  ) {}

  send(frame: ServerFrame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.ws.close(1013, 'client too slow; reconnect and sync');
      return;
    }
    if (this.corkedIn !== turn) {
      if (corkUntilTurnEnds((this.ws as unknown as { _socket?: Corkable })._socket)) this.corkedIn = turn;
    }
    this.ws.send(encodeFrame(frame));
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
    if (e.kind === 'message.created' || e.kind === 'message.hidden') {
      const conversationId = e.kind === 'message.created' ? e.message.conversationId : e.conversationId;
      const held = this.syncing.get(conversationId);
      if (held) {
        held.push(e);
        return;
      }
      const visible = e.kind === 'message.created' && !(this.actor.type === 'contact' && e.message.private);
      this.sequencer(conversationId).offer({ seq: e.kind === 'message.created' ? e.message.seq : e.seq, message: visible ? e.message : undefined });
      return;
    }
    const frame = this.opts.toFrame(this, e);
    if (frame) this.send(frame);
  }

  /** Drops per-conversation state when the socket closes. */
  dispose(): void {
    for (const s of this.sequencers.values()) s.dispose();
    this.sequencers.clear();
  }

  private sequencer(conversationId: string): ConversationSequencer {
    let s = this.sequencers.get(conversationId);
    if (s) {
      // Map order doubles as recency order.
      this.sequencers.delete(conversationId);
      this.sequencers.set(conversationId, s);
      return s;
    }
    s = new ConversationSequencer(conversationId, {
      deliver: (message) => this.send({ type: 'message.created', message }),
      fill: (id, after, before) => this.opts.fill(this.actor, id, after, before),
      gapWaitMs: this.opts.gapWaitMs,
      onError: this.opts.onError,
    });
    this.sequencers.set(conversationId, s);
    if (this.sequencers.size > MAX_SEQUENCERS) {
      const [oldestId, oldest] = this.sequencers.entries().next().value as [string, ConversationSequencer];
      oldest.dispose();
      this.sequencers.delete(oldestId);
    }
    return s;
  }

  beginSync(conversationId: string): void {
    if (!this.syncing.has(conversationId)) this.syncing.set(conversationId, []);
  }

  /** Ends a sync that delivered everything up to `lastSeq`; held live messages after it go out now. */
  endSync(conversationId: string, lastSeq: number): void {
    const held = this.syncing.get(conversationId) ?? [];
    this.syncing.delete(conversationId);
    this.sequencer(conversationId).advanceTo(lastSeq);
    held
      .filter((e) => (e.kind === 'message.created' ? e.message.seq : e.kind === 'message.hidden' ? e.seq : 0) > lastSeq)
      .forEach((e) => this.deliver(e));
  }
}

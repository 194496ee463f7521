import { backoffDelay } from './backoff.js';
import type { IncomingFrame, OutgoingFrame } from './types.js';

/** The part of the browser `WebSocket` used here (tests pass a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SocketOptions {
  /** Opens a socket (in the browser: `(url) => new WebSocket(url)`). */
  open: (url: string) => WebSocketLike;
  /**
   * The URL to connect to, resolved before every attempt (it carries the current token, which
   * may have to be renewed first). A rejection counts as a failed attempt.
   */
  url: () => Promise<string>;
  /** After `hello`: the connection is subscribed and nothing after this point is missed. */
  onHello: () => void;
  onFrame: (frame: IncomingFrame) => void;
  /** The connection is gone; `beforeHello` hints at a refused token. */
  onDown: (info: { beforeHello: boolean }) => void;
  timers?: Timers;
  random?: () => number;
  /** Ping after this long without any frame, ms. Default 25000. */
  idleMs?: number;
  /** Give up on a connection when a ping gets no frame back within this, ms. Default 10000. */
  pongTimeoutMs?: number;
}

const OPEN = 1;

/**
 * One WebSocket that keeps itself connected: exponential backoff with jitter between attempts,
 * a ping when the line is quiet, and a reconnect when the ping goes unanswered (a dead TCP
 * connection can otherwise look open for minutes).
 */
export class ReconnectingSocket {
  #ws: WebSocketLike | null = null;
  #helloSeen = false;
  #attempt = 0;
  #running = false;
  #connecting = false;
  #retryTimer: unknown = null;
  #idleTimer: unknown = null;
  #pongTimer: unknown = null;
  readonly #timers: Timers;

  constructor(private readonly opts: SocketOptions) {
    this.#timers = opts.timers ?? { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as number) };
  }

  /** True once `hello` arrived on the current connection. */
  get ready(): boolean {
    return this.#helloSeen && this.#ws?.readyState === OPEN;
  }

  /** Starts connecting (no-op when already running). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#connect();
  }

  /** Closes for good; nothing reconnects until `start()`. */
  stop(): void {
    this.#running = false;
    this.#clearRetry();
    this.#drop();
  }

  /**
   * Reconnects now instead of waiting out the backoff (the browser came back online, the tab
   * became visible): useful only while disconnected.
   */
  nudge(): void {
    if (!this.#running || this.#ws || this.#connecting) return;
    this.#clearRetry();
    this.#attempt = 0;
    void this.#connect();
  }

  /** Sends a frame; false when not connected (the caller keeps it for the next connection). */
  send(frame: OutgoingFrame): boolean {
    if (!this.ready || !this.#ws) return false;
    try {
      this.#ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  async #connect(): Promise<void> {
    if (this.#connecting || this.#ws) return;
    this.#connecting = true;
    let url: string;
    try {
      url = await this.opts.url();
    } catch {
      this.#connecting = false;
      this.#scheduleRetry();
      return;
    }
    this.#connecting = false;
    if (!this.#running || this.#ws) return;
    let ws: WebSocketLike;
    try {
      ws = this.opts.open(url);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    this.#helloSeen = false;
    ws.onmessage = (ev) => {
      if (this.#ws !== ws) return;
      this.#armIdle();
      let frame: IncomingFrame;
      try {
        frame = JSON.parse(String(ev.data)) as IncomingFrame;
      } catch {
        return;
      }
      if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string') return;
      if (frame.type === 'hello') {
        this.#helloSeen = true;
        this.#attempt = 0;
        this.opts.onHello();
        return;
      }
      this.opts.onFrame(frame);
    };
    ws.onclose = () => this.#lost(ws);
    ws.onerror = () => this.#lost(ws);
    // Armed before the socket opens too, so a connection attempt that hangs is given up.
    this.#armIdle();
  }

  #lost(ws: WebSocketLike): void {
    if (this.#ws !== ws) return;
    const beforeHello = !this.#helloSeen;
    this.#drop();
    this.opts.onDown({ beforeHello });
    this.#scheduleRetry();
  }

  #drop(): void {
    const ws = this.#ws;
    this.#ws = null;
    this.#helloSeen = false;
    this.#timers.clearTimeout(this.#idleTimer);
    this.#timers.clearTimeout(this.#pongTimer);
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // Already closed.
      }
    }
  }

  #scheduleRetry(): void {
    if (!this.#running) return;
    this.#clearRetry();
    const delay = backoffDelay(this.#attempt++, this.opts.random);
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = null;
      void this.#connect();
    }, delay);
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  /** Any frame proves the line alive; after `idleMs` of silence, ask with a ping. */
  #armIdle(): void {
    const ws = this.#ws;
    this.#timers.clearTimeout(this.#idleTimer);
    this.#timers.clearTimeout(this.#pongTimer);
    this.#idleTimer = this.#timers.setTimeout(() => {
      if (this.#ws !== ws || !ws) return;
      try {
        ws.send(JSON.stringify({ type: 'ping' }));
      } catch {
        // The close event follows.
      }
      this.#pongTimer = this.#timers.setTimeout(() => this.#lost(ws), this.opts.pongTimeoutMs ?? 10_000);
    }, this.opts.idleMs ?? 25_000);
  }
}

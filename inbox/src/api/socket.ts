import type { ClientFrame, ServerFrame } from '../types.js';
import { backoffMs } from './backoff.js';

export interface SocketHandlers {
  /** Every frame from the server. */
  onFrame(frame: ServerFrame): void;
  /** `hello` arrived; `reconnected` is true after the first connection. */
  onReady(reconnected: boolean): void;
  onStatus(status: 'connecting' | 'online' | 'offline'): void;
}

/**
 * The agent WebSocket at `/ws`. It authenticates with the session cookie (no token in the
 * URL), reconnects with backoff and jitter, and pings to notice a dead link.
 */
export class InboxSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private everReady = false;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pinger: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly handlers: SocketHandlers) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    this.ws?.close();
    this.ws = null;
  }

  /** Sends when connected; returns false otherwise (callers fall back to REST or retry). */
  send(frame: ClientFrame): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private open(): void {
    this.handlers.onStatus('connecting');
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws`);
    this.ws = ws;
    ws.onmessage = (ev) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(ev.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.type === 'hello') {
        const reconnected = this.everReady;
        this.everReady = true;
        this.attempt = 0;
        this.handlers.onStatus('online');
        this.handlers.onReady(reconnected);
        return;
      }
      this.handlers.onFrame(frame);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      clearInterval(this.pinger);
      this.ws = null;
      if (this.stopped) return;
      this.handlers.onStatus('offline');
      this.timer = setTimeout(() => this.open(), backoffMs(this.attempt++));
    };
    ws.onerror = () => ws.close();
    clearInterval(this.pinger);
    this.pinger = setInterval(() => this.send({ type: 'ping' }), 25_000);
  }
}

import type { FetchLike } from '../../../widget/src/core/api.js';
import type { WebSocketLike } from '../../../widget/src/core/socket.js';
import type { IncomingFrame, OutgoingFrame } from '../../../widget/src/core/types.js';

/** A WebSocket stand-in the test drives: it records sent frames and delivers server frames. */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: OutgoingFrame[] = [];
  closed = false;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as OutgoingFrame);
  }

  close(): void {
    this.closed = true;
    this.readyState = 3;
  }

  /** The server accepted the upgrade and said hello. */
  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
    this.deliver({ type: 'hello', actor: { type: 'contact', id: 'k1' }, serverTime: new Date().toISOString() });
  }

  deliver(frame: IncomingFrame): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** The connection dropped (or the upgrade was refused). */
  drop(): void {
    this.readyState = 3;
    this.onclose?.({});
  }

  framesOf<T extends OutgoingFrame['type']>(type: T): Extract<OutgoingFrame, { type: T }>[] {
    return this.sent.filter((f): f is Extract<OutgoingFrame, { type: T }> => f.type === type);
  }
}

/** Collects the sockets a client opens. */
export function socketFactory() {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    open: (url: string) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    last: () => sockets[sockets.length - 1]!,
  };
}

type Route = (body: unknown, headers: Record<string, string>) => { status: number; body: unknown } | Promise<{ status: number; body: unknown }>;

/** A loopback stand-in for the hub's HTTP API, keyed by "METHOD /path". */
export function fakeFetch(routes: Record<string, Route>) {
  const calls: { key: string; body: unknown; headers: Record<string, string> }[] = [];
  const fetch: FetchLike = async (url, init) => {
    const path = new URL(url).pathname;
    const key = `${init.method} ${path}`;
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : init.body;
    calls.push({ key, body, headers: init.headers });
    const route = routes[key];
    if (!route) return { status: 404, ok: false, json: async () => ({ error: { code: 'SB_ERR_NOT_FOUND', message: 'Not found.' } }) };
    const res = await route(body, init.headers);
    return { status: res.status, ok: res.status < 400, json: async () => res.body };
  };
  return { fetch, calls };
}

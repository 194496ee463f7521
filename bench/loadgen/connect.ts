import WebSocket from 'ws';
import { io, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import type { Protocol } from './types.js';

/** A parsed frame from the server (hub and ws: one JSON text frame; socket.io: the event's payload). */
export type Frame = { type?: unknown; [key: string]: unknown };

/** One open client connection, whatever the protocol. */
export interface Client {
  /** Sends a frame (socket.io: emits `frame.type` with the frame as payload). Returns false when not open. */
  send(frame: { type: string; [key: string]: unknown }): boolean;
  /** ws/hub only: sends an already encoded JSON text frame. Returns false when not open. */
  sendText?(text: string): boolean;
  close(): void;
  readonly open: boolean;
  /** Replaced by the caller; receives every frame after the connection is ready. */
  onFrame: (frame: Frame) => void;
  /** ws/hub only: text frames starting with these bytes are dropped unparsed (e.g. a visitor's own echoes). */
  ignorePrefix?: Buffer | undefined;
  /** ws/hub only: sees every raw frame after `ready` first; returning true means handled (not parsed). */
  onRaw?: ((data: Buffer) => boolean) | undefined;
  /** Called once when an open connection closes or errors. */
  onClose: (reason: string) => void;
}

export interface ConnectOptions {
  localAddress?: string | undefined;
  timeoutMs: number;
}

/** Why a connection failed, short and countable (`HTTP_401`, `ECONNREFUSED`, `EMFILE`, `timeout`, …). */
export class ConnectError extends Error {
  constructor(readonly reason: string, message?: string) {
    super(message ?? reason);
  }
}

function reasonOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; error?: unknown } | undefined;
  if (typeof e?.code === 'string') return e.code;
  if (e?.error && e.error !== err) return reasonOf(e.error); // ws ErrorEvent (socket.io-client wraps those)
  const m = String(e?.message ?? err);
  const http = /Unexpected server response: (\d+)/.exec(m);
  if (http) return `HTTP_${http[1]}`;
  return /\b(E[A-Z]{3,})\b/.exec(m)?.[1] ?? (m.split(/[\s:]/)[0] || 'error');
}

/**
 * Opens one connection. Resolves when it is ready: ws — open; hub — after the `hello` frame;
 * socket.io — connected (websocket transport only, no reconnection).
 */
export function connect(protocol: Protocol, url: string, o: ConnectOptions): Promise<Client> {
  return protocol === 'socketio' ? connectSocketIo(url, o) : connectWs(protocol, url, o);
}

function connectWs(protocol: 'hub' | 'ws', url: string, o: ConnectOptions): Promise<Client> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let closed = false;
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      handshakeTimeout: o.timeoutMs,
      skipUTF8Validation: true, // the generator trusts its peer; saves CPU per received frame
      // An all-zero mask makes ws skip masking: the generator's CPU goes to the workload, not XOR.
      generateMask: () => {},
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
    });
    const client: Client = {
      send: (frame) => {
        if (ws.readyState !== WebSocket.OPEN) return false;
        ws.send(JSON.stringify(frame));
        return true;
      },
      sendText: (text) => {
        if (ws.readyState !== WebSocket.OPEN) return false;
        ws.send(text);
        return true;
      },
      close: () => ws.terminate(),
      get open() {
        return ws.readyState === WebSocket.OPEN;
      },
      onFrame: () => {},
      onClose: () => {},
    };
    const fail = (reason: string, message?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(new ConnectError(reason, message));
    };
    const ready = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(client);
    };
    const timer = setTimeout(() => fail('timeout'), o.timeoutMs);
    ws.on('open', () => {
      if (protocol === 'ws') ready();
    });
    ws.on('message', (data: Buffer) => {
      if (settled && client.onRaw?.(data)) return;
      const skip = client.ignorePrefix;
      if (settled && skip && data.length > skip.length && data.compare(skip, 0, skip.length, 0, skip.length) === 0) return;
      let frame: Frame;
      try {
        frame = JSON.parse(data.toString()) as Frame;
      } catch {
        return;
      }
      if (!settled) {
        if (frame.type === 'hello') ready();
        else if (frame.type === 'error') fail(String(frame.code ?? 'error'), String(frame.message ?? ''));
        return;
      }
      client.onFrame(frame);
    });
    ws.on('error', (err) => {
      if (!settled) return fail(reasonOf(err), String(err.message));
      if (!closed) {
        closed = true;
        client.onClose(reasonOf(err));
      }
    });
    ws.on('close', (code) => {
      if (!settled) return fail(`close_${code}`);
      if (!closed) {
        closed = true;
        client.onClose(`close_${code}`);
      }
    });
  });
}

function connectSocketIo(url: string, o: ConnectOptions): Promise<Client> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const query: Record<string, string> = Object.fromEntries(u.searchParams);
    const opts: Partial<ManagerOptions & SocketOptions> & { localAddress?: string } = {
      transports: ['websocket'],
      forceNew: true,
      multiplex: false,
      reconnection: false,
      timeout: o.timeoutMs,
      query, // permessage-deflate: the socket.io server's default is off, so none is negotiated
      ...(u.pathname !== '/' ? { path: u.pathname } : {}),
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
    };
    const socket = io(`${u.protocol}//${u.host}`, opts);
    let settled = false;
    let closed = false;
    const client: Client = {
      send: (frame) => {
        if (!socket.connected) return false;
        socket.emit(frame.type, frame);
        return true;
      },
      close: () => {
        socket.io.engine?.close();
        socket.disconnect();
      },
      get open() {
        return socket.connected;
      },
      onFrame: () => {},
      onClose: () => {},
    };
    socket.onAny((event: string, payload: unknown) => {
      const frame: Frame = payload && typeof payload === 'object' ? (payload as Frame) : { type: event, payload };
      if (frame.type === undefined) frame.type = event;
      client.onFrame(frame);
    });
    socket.once('connect', () => {
      settled = true;
      resolve(client);
    });
    socket.once('connect_error', (err) => {
      if (settled) return;
      settled = true;
      socket.disconnect();
      const cause = (err as { description?: unknown }).description;
      reject(new ConnectError(reasonOf(cause ?? err), String(err.message)));
    });
    socket.on('disconnect', (reason) => {
      if (!settled || closed) return;
      closed = true;
      client.onClose(reason.replace(/\s+/g, '_'));
    });
  });
}

/** Runs `fn` over `items` with at most `concurrency` in flight, in order of start. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

/** Hands out bind addresses round-robin (undefined when none are configured). */
export function addressCycler(addresses: readonly string[]): () => string | undefined {
  let i = 0;
  return () => (addresses.length ? addresses[i++ % addresses.length] : undefined);
}

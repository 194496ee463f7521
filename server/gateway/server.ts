import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Actor, Message, ServerFrame } from '../contract/index.js';
import { ERROR_CODES, type ErrorCode } from '../contract/index.js';
import { AppError } from '../errors.js';
import type { Bus, HubEvent } from '../bus/bus.js';
import { contactTopic, tenantTopic } from '../bus/bus.js';
import type { TokenService } from '../auth/tokens.js';
import type { Logger } from '../logger.js';
import { sameOrigin, sessionFromCookie } from '../auth/session-cookie.js';
import type { Metrics } from '../metrics.js';
import { newId } from '../ids.js';
import { ClientConnection } from './connection.js';
import type { FrameDispatcher } from './dispatcher.js';
import type { AgentPresenceTracker } from './presence-tracker.js';

export interface GatewayOptions {
  heartbeatMs: number;
  /** Hard cap: a frame larger than this closes the socket (1009). Smaller oversize frames get an error frame. */
  hardMaxFrameBytes: number;
  /** How long a connection waits for a missing seq before reading it from the database. */
  gapWaitMs: number;
}

export interface GatewayDeps {
  bus: Bus;
  tokens: TokenService;
  dispatcher: FrameDispatcher;
  /** Whether a visitor's browser origin may use its inbox (and the inbox still exists). */
  visitorAllowed(actor: Extract<Actor, { type: 'contact' }>, origin: string | undefined): Promise<boolean>;
  /** Messages `actor` may see with after < seq < before (closes gaps in live delivery). */
  history(actor: Actor, conversationId: string, after: number, before: number): Promise<Message[]>;
  /** Tracks which agents are connected here, for the cross-node presence tier. */
  presence: AgentPresenceTracker;
  log: Logger;
  metrics: Metrics;
}

/** Turns a bus event into the frame this connection may see, or nothing. */
function eventToFrame(c: ClientConnection, e: HubEvent): ServerFrame | undefined {
  switch (e.kind) {
    case 'message.created':
    case 'message.hidden':
      return undefined; // ordered delivery goes through the connection's sequencer
    case 'conversation.updated':
      return { type: 'conversation.updated', conversation: e.conversation };
    case 'typing':
      if (e.actor.type === c.actor.type && e.actor.id === c.actor.id) return undefined;
      return { type: 'typing', conversationId: e.conversationId, actor: e.actor, on: e.on };
    case 'read':
      return { type: 'read', conversationId: e.conversationId, actor: e.actor, seq: e.seq };
    case 'delivery.updated':
      if (c.actor.type !== 'agent') return undefined;
      return { type: 'delivery.updated', conversationId: e.conversationId, messageId: e.messageId, status: e.status, error: e.error };
  }
}

/**
 * The `/ws` endpoint for visitors and agents: authenticates at the upgrade, subscribes the
 * connection to what it may see, says `hello`, then feeds frames to the dispatcher.
 */
export class Gateway {
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, ClientConnection>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closing = false;
  private stopResync: () => void = () => {};

  constructor(
    private readonly deps: GatewayDeps,
    private readonly opts: GatewayOptions,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.hardMaxFrameBytes });
  }

  attach(server: Server): void {
    this.stopResync = this.deps.bus.onResync(() => {
      this.deps.log.warn({ connections: this.connections.size }, 'bus reconnected; asking clients to sync');
      for (const c of this.connections.values()) c.send({ type: 'resync', reason: 'bus-reconnected' });
    });
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/ws') return refuse(socket, 404, 'SB_ERR_NOT_FOUND');
      void this.upgrade(req, socket, head, url.searchParams.get('token'));
    });
    this.deps.presence.start();
    this.heartbeat = setInterval(() => this.sweep(), this.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.connections.size;
  }

  /** Stops accepting, then closes every socket with 1001 so clients reconnect elsewhere. */
  async close(): Promise<void> {
    this.closing = true;
    this.stopResync();
    clearInterval(this.heartbeat);
    for (const c of this.connections.values()) c.ws.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.deps.presence.stop();
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, queryToken: string | null): Promise<void> {
    if (this.closing) return refuse(socket, 503, 'SB_ERR_UNAVAILABLE');
    let actor: Actor;
    try {
      // `?token=` for the widget and API clients; the inbox's session cookie otherwise.
      const cookieToken = queryToken ? undefined : sessionFromCookie(req);
      if (cookieToken && !sameOrigin(req)) throw new AppError('SB_ERR_FORBIDDEN', 'Cross-origin sockets cannot use the session cookie.');
      const token = queryToken || cookieToken;
      if (!token) throw new AppError('SB_ERR_UNAUTHENTICATED');
      actor = await this.deps.tokens.verify(token);
      if (cookieToken && actor.type !== 'agent') throw new AppError('SB_ERR_INVALID_TOKEN');
      if (actor.type === 'contact' && !(await this.deps.visitorAllowed(actor, req.headers.origin))) {
        throw new AppError('SB_ERR_ORIGIN_NOT_ALLOWED');
      }
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'SB_ERR_INTERNAL';
      if (!(err instanceof AppError)) this.deps.log.error({ err }, 'ws upgrade failed');
      return refuse(socket, ERROR_CODES[code].status, code);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.accept(ws, actor));
  }

  private async accept(ws: WebSocket, actor: Actor): Promise<void> {
    const id = newId();
    const conn = new ClientConnection(ws, actor, {
      toFrame: eventToFrame,
      fill: this.deps.history,
      gapWaitMs: this.opts.gapWaitMs,
      onError: (err) => this.deps.log.warn({ err }, 'filling a gap in live delivery failed'),
    });
    this.connections.set(id, conn);
    const label = actor.type === 'agent' ? 'agent' : 'visitor';
    this.deps.metrics.wsConnections.inc({ actor: label });

    ws.on('pong', () => (conn.alive = true));
    ws.on('message', (data, isBinary) => {
      conn.alive = true;
      void this.deps.dispatcher.dispatch(conn, id, toBuffer(data), isBinary);
    });
    ws.on('error', (err) => this.deps.log.debug({ err }, 'ws error'));
    ws.on('close', () => {
      this.connections.delete(id);
      conn.dispose();
      if (actor.type === 'agent') this.deps.presence.leave(actor.tenantId, actor.id);
      this.deps.metrics.wsConnections.dec({ actor: label });
      for (const unsubscribe of conn.unsubscribes) void unsubscribe();
    });

    try {
      const topic = actor.type === 'agent' ? tenantTopic(actor.tenantId) : contactTopic(actor.tenantId, actor.id);
      conn.unsubscribes.push(await this.deps.bus.subscribe(topic, (e) => e.kind !== 'config.changed' && conn.deliver(e)));
    } catch (err) {
      this.deps.log.error({ err }, 'subscribe failed');
      conn.send({ type: 'error', code: 'SB_ERR_UNAVAILABLE', message: 'Could not subscribe; reconnect.' });
      ws.close(1011, 'subscribe failed');
      return;
    }
    if (ws.readyState !== ws.OPEN) {
      for (const unsubscribe of conn.unsubscribes) void unsubscribe();
      return;
    }
    if (actor.type === 'agent') this.deps.presence.join(actor.tenantId, actor.id);
    conn.markReady({ type: 'hello', actor: { type: actor.type, id: actor.id }, serverTime: new Date().toISOString() });
  }

  /** Drops peers that did not answer the previous ping. */
  private sweep(): void {
    for (const c of this.connections.values()) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}

function toBuffer(data: import('ws').RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function refuse(socket: Duplex, status: number, code: ErrorCode): void {
  const body = JSON.stringify({ error: { code, message: ERROR_CODES[code].message } });
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Error'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

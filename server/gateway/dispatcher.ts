import type { ClientFrameType, ErrorCode } from '../contract/index.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ClientConnection } from './connection.js';
import type { FrameSchemas } from './frames.js';
import type { FrameHandlers } from './handlers.js';

export interface DispatcherOptions {
  maxFrameBytes: number;
  framesPerSecond: number;
  burst: number;
}

/** Rejected frames in one window after which a flooding client is disconnected. */
const FLOOD_CLOSE_AFTER = 3;

/**
 * Validates every client frame against its schema, applies the per-connection flood limit,
 * then runs the handler on the connection's serial queue. Every failure becomes an `error`
 * frame; the connection stays open.
 */
/** One connection's flood-limit window: frames counted since `start`, and rejected frames in a row. */
interface FrameWindow {
  start: number;
  count: number;
  strikes: number;
}

export class FrameDispatcher {
  /** Length of a flood-limit window; each connection may send `burst` frames per window. */
  private readonly windowMs: number;
  private readonly windows = new WeakMap<ClientConnection, FrameWindow>();

  constructor(
    private readonly schemas: FrameSchemas,
    private readonly handlers: FrameHandlers,
    private readonly opts: DispatcherOptions,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    // A window of burst/rate seconds holding `burst` frames is a sustained `rate` per second.
    // Kept on the connection and checked synchronously: no timer or promise per frame.
    this.windowMs = 1000 * Math.max(1, Math.round(opts.burst / opts.framesPerSecond));
  }

  async dispatch(c: ClientConnection, _connId: string, data: Buffer, isBinary: boolean): Promise<void> {
    if (!this.allow(c)) return;
    if (isBinary) return this.fail(c, 'unknown', 'SB_ERR_BAD_REQUEST', 'Binary frames are not supported.');
    if (data.length > this.opts.maxFrameBytes) {
      return this.fail(c, 'unknown', 'SB_ERR_FRAME_TOO_LARGE', `Frames are limited to ${this.opts.maxFrameBytes} bytes.`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString('utf8'));
    } catch {
      return this.fail(c, 'unknown', 'SB_ERR_BAD_JSON', 'The frame is not valid JSON.');
    }
    const type = (raw as { type?: unknown } | null)?.type;
    const clientId = typeof (raw as { clientId?: unknown })?.clientId === 'string' ? (raw as { clientId: string }).clientId : undefined;
    if (typeof type !== 'string' || !Object.hasOwn(this.schemas, type)) {
      return this.fail(c, 'unknown', 'SB_ERR_UNKNOWN_FRAME', `Unknown frame type ${JSON.stringify(type ?? null).slice(0, 60)}.`, clientId);
    }
    const frameType = type as ClientFrameType;
    const parsed = this.schemas[frameType].safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return this.fail(c, frameType, 'SB_ERR_VALIDATION', `${issue.path.join('.')}: ${issue.message}`, clientId);
    }
    c.enqueue(async () => {
      try {
        await (this.handlers[frameType] as (c: ClientConnection, f: unknown) => Promise<void>)(c, parsed.data);
        this.metrics.wsFrames.inc({ type: frameType, outcome: 'ok' });
      } catch (err) {
        if (err instanceof AppError) return this.fail(c, frameType, err.code, err.message, clientId);
        this.log.error({ err, frameType }, 'frame handler failed');
        this.fail(c, frameType, 'SB_ERR_INTERNAL', 'Internal error.', clientId);
      }
    });
  }

  private allow(c: ClientConnection): boolean {
    const now = Date.now();
    let w = this.windows.get(c);
    if (!w) this.windows.set(c, (w = { start: now, count: 0, strikes: 0 }));
    else if (now - w.start >= this.windowMs) {
      w.start = now;
      w.count = 0;
    }
    if (++w.count <= this.opts.burst) {
      w.strikes = 0;
      return true;
    }
    w.strikes++;
    this.fail(c, 'unknown', 'SB_ERR_RATE_LIMITED', 'Too many frames; slow down.');
    if (w.strikes > this.opts.burst * FLOOD_CLOSE_AFTER) c.ws.close(1008, 'flooding');
    return false;
  }

  private fail(c: ClientConnection, type: string, code: ErrorCode, message: string, clientId?: string): void {
    this.metrics.wsFrames.inc({ type, outcome: code });
    c.send(clientId ? { type: 'error', code, message, clientId } : { type: 'error', code, message });
  }
}

import type { Presence } from '../presence/presence.js';

export interface PresenceTrackerOptions {
  presence: Presence;
  nodeId: string;
  /** How often this node renews its agents' presence. */
  intervalMs: number;
  onError(err: unknown): void;
}

/**
 * Keeps the presence tier true for the agents connected to this node: an agent is online from
 * its first socket here until its last one closes (or this node stops renewing: after three
 * missed renewals the entry expires, so a crashed node's agents go offline by themselves).
 */
export class AgentPresenceTracker {
  private readonly sockets = new Map<string, { tenantId: string; agentId: string; count: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: PresenceTrackerOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.renewAll(), this.opts.intervalMs);
    this.timer.unref();
  }

  join(tenantId: string, agentId: string): void {
    const key = `${tenantId}\u0000${agentId}`;
    const entry = this.sockets.get(key);
    if (entry) {
      entry.count++;
      return;
    }
    this.sockets.set(key, { tenantId, agentId, count: 1 });
    this.renew(tenantId, agentId);
  }

  leave(tenantId: string, agentId: string): void {
    const key = `${tenantId}\u0000${agentId}`;
    const entry = this.sockets.get(key);
    if (!entry || --entry.count > 0) return;
    this.sockets.delete(key);
    this.opts.presence.leave(tenantId, agentId, this.opts.nodeId).catch(this.opts.onError);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const all = [...this.sockets.values()];
    this.sockets.clear();
    await Promise.all(all.map((e) => this.opts.presence.leave(e.tenantId, e.agentId, this.opts.nodeId).catch(this.opts.onError)));
  }

  private renew(tenantId: string, agentId: string): void {
    this.opts.presence.heartbeat(tenantId, agentId, this.opts.nodeId, this.opts.intervalMs * 3).catch(this.opts.onError);
  }

  private async renewAll(): Promise<void> {
    for (const e of this.sockets.values()) this.renew(e.tenantId, e.agentId);
  }
}

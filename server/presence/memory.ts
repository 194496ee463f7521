import type { Presence } from './presence.js';

/** The embedded presence tier: one process, one map of expiry times. */
export class MemoryPresence implements Presence {
  private readonly tenants = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  async heartbeat(tenantId: string, agentId: string, nodeId: string, ttlMs: number): Promise<void> {
    let members = this.tenants.get(tenantId);
    if (!members) this.tenants.set(tenantId, (members = new Map()));
    members.set(`${agentId}|${nodeId}`, this.now() + ttlMs);
  }

  async leave(tenantId: string, agentId: string, nodeId: string): Promise<void> {
    this.tenants.get(tenantId)?.delete(`${agentId}|${nodeId}`);
  }

  async online(tenantId: string): Promise<string[]> {
    const members = this.tenants.get(tenantId);
    if (!members) return [];
    const now = this.now();
    const agents = new Set<string>();
    for (const [member, expires] of members) {
      if (expires <= now) members.delete(member);
      else agents.add(member.slice(0, member.lastIndexOf('|')));
    }
    return [...agents].sort();
  }

  async close(): Promise<void> {
    this.tenants.clear();
  }
}

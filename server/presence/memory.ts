import { agentOfMember, presenceMember, type Presence } from './presence.js';

/**
 * The embedded presence tier: one map of `agentId|nodeId` → expiry time per tenant, judged by
 * `now` (the process clock by default), with the Redis tier's semantics.
 */
export class MemoryPresence implements Presence {
  private readonly tenants = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  async heartbeat(tenantId: string, agentId: string, nodeId: string, ttlMs: number): Promise<void> {
    if (!(ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    let members = this.tenants.get(tenantId);
    if (!members) this.tenants.set(tenantId, (members = new Map()));
    members.set(presenceMember(agentId, nodeId), this.now() + ttlMs);
  }

  async leave(tenantId: string, agentId: string, nodeId: string): Promise<void> {
    const members = this.tenants.get(tenantId);
    members?.delete(presenceMember(agentId, nodeId));
    if (members?.size === 0) this.tenants.delete(tenantId);
  }

  async online(tenantId: string): Promise<string[]> {
    const members = this.tenants.get(tenantId);
    if (!members) return [];
    const now = this.now();
    const agents = new Set<string>();
    for (const [member, expires] of members) {
      if (expires <= now) members.delete(member);
      else agents.add(agentOfMember(member));
    }
    if (members.size === 0) this.tenants.delete(tenantId);
    return [...agents].sort();
  }

  async close(): Promise<void> {
    this.tenants.clear();
  }
}

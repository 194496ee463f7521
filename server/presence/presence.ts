/**
 * Which agents are online, across every node. A node renews its agents with `heartbeat`; an
 * entry that is not renewed expires, so a crashed node's agents go offline on their own.
 */
export interface Presence {
  /** Marks an agent online from one node until `ttlMs` from now (call again to extend). */
  heartbeat(tenantId: string, agentId: string, nodeId: string, ttlMs: number): Promise<void>;
  /** The agent's last connection on this node ended; other nodes' entries keep it online. */
  leave(tenantId: string, agentId: string, nodeId: string): Promise<void>;
  /** Agent ids online in the tenant now (any node, not expired), sorted. */
  online(tenantId: string): Promise<string[]>;
  close(): Promise<void>;
}

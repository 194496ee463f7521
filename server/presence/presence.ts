/**
 * Which agents are online, across every node. A node renews its agents with `heartbeat`; an
 * entry that is not renewed expires, so a crashed node's agents go offline on their own.
 */
export interface Presence {
  /** Marks an agent online from one node until `ttlMs` from now (call again to extend). */
  heartbeat(tenantId: string, agentId: string, nodeId: string, ttlMs: number): Promise<void>;
  /** The agent's connection on this node ended. Other nodes' heartbeats keep it online. */
  leave(tenantId: string, agentId: string, nodeId: string): Promise<void>;
  /** Agent ids online in the tenant right now (any node, not expired), sorted. */
  online(tenantId: string): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * One (agent, node) pair as a set member: `agentId|nodeId`. The agent id may contain `|`; the
 * node id must not (it is split off at the last `|`).
 */
export function presenceMember(agentId: string, nodeId: string): string {
  if (nodeId.includes('|')) throw new RangeError(`node id must not contain "|": ${nodeId}`);
  return `${agentId}|${nodeId}`;
}

export const agentOfMember = (member: string): string => member.slice(0, member.lastIndexOf('|'));

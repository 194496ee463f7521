import type { Presence } from '../presence/presence.js';
import type { AgentRepo } from './repo.js';

/**
 * Who can take conversations right now: connected (on any node) and not set to away. Routing
 * and the widget's "we're away" note both ask this.
 */
export async function agentAvailability(presence: Presence, agents: AgentRepo, tenantId: string): Promise<{ online: string[]; away: string[] }> {
  const [connected, away] = await Promise.all([presence.online(tenantId), agents.awayIds(tenantId)]);
  return { online: connected.filter((id) => !away.has(id)), away: connected.filter((id) => away.has(id)) };
}

import type { Agent, AgentRole, Team } from '../contract/index.js';
import type { Db } from '../storage/db.js';
import { nowMs, toIso } from '../storage/db.js';
import { newId } from '../ids.js';
import { AppError, isUniqueViolation } from '../errors.js';

export interface AgentWithHash extends Agent {
  tenantId: string;
  passwordHash: string;
}

export type Availability = 'online' | 'away';

interface NewAgent {
  email: string;
  name: string;
  role: AgentRole;
  passwordHash: string;
}

/** Agents and teams of a tenant. Every method takes the tenant id first. */
export class AgentRepo {
  constructor(private readonly db: Db) {}

  async create(tenantId: string, input: NewAgent): Promise<Agent> {
    const row = {
      tenant_id: tenantId,
      id: newId(),
      email: input.email.toLowerCase(),
      name: input.name,
      role: input.role,
      password_hash: input.passwordHash,
      created_at: nowMs(),
    };
    try {
      await this.db('agents').insert(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('SB_ERR_CONFLICT', 'An agent with this email exists.');
      throw err;
    }
    return { id: row.id, email: row.email, name: row.name, role: row.role, teamIds: [], createdAt: toIso(row.created_at)! };
  }

  /** The agent that owns `email`, across tenants (login is by email only). */
  async findByEmail(email: string): Promise<AgentWithHash | undefined> {
    const r = await this.db('agents').where({ email: email.toLowerCase() }).first();
    if (!r) return undefined;
    return { ...(await this.toAgent(r.tenant_id, r)), tenantId: r.tenant_id, passwordHash: r.password_hash };
  }

  async get(tenantId: string, id: string): Promise<Agent | undefined> {
    const r = await this.db('agents').where({ tenant_id: tenantId, id }).first();
    return r ? this.toAgent(tenantId, r) : undefined;
  }

  async list(tenantId: string): Promise<Agent[]> {
    const rows = await this.db('agents').where({ tenant_id: tenantId }).orderBy('created_at');
    const members = await this.db('team_members').where({ tenant_id: tenantId });
    return rows.map((r) => this.rowToAgent(r, members.filter((m) => m.agent_id === r.id).map((m) => m.team_id)));
  }

  async setAvailability(tenantId: string, id: string, availability: Availability): Promise<boolean> {
    return (await this.db('agents').where({ tenant_id: tenantId, id }).update({ availability })) > 0;
  }

  /** Ids of the tenant's agents who set themselves away. */
  async awayIds(tenantId: string): Promise<Set<string>> {
    const rows = await this.db('agents').where({ tenant_id: tenantId, availability: 'away' }).select('id');
    return new Set(rows.map((r) => String(r.id)));
  }

  async createTeam(tenantId: string, name: string): Promise<Team> {
    const row = { tenant_id: tenantId, id: newId(), name, created_at: nowMs() };
    try {
      await this.db('teams').insert(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('SB_ERR_CONFLICT', 'A team with this name exists.');
      throw err;
    }
    return { id: row.id, name, createdAt: toIso(row.created_at)! };
  }

  async listTeams(tenantId: string): Promise<Team[]> {
    const rows = await this.db('teams').where({ tenant_id: tenantId }).orderBy('name');
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: toIso(r.created_at)! }));
  }

  async teamExists(tenantId: string, teamId: string): Promise<boolean> {
    return Boolean(await this.db('teams').where({ tenant_id: tenantId, id: teamId }).first());
  }

  /** Replaces the members of a team; every id must be an agent of the tenant. */
  async setTeamMembers(tenantId: string, teamId: string, agentIds: string[]): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('team_members').where({ tenant_id: tenantId, team_id: teamId }).delete();
      if (agentIds.length) {
        await trx('team_members').insert(agentIds.map((agentId) => ({ tenant_id: tenantId, team_id: teamId, agent_id: agentId })));
      }
    });
  }

  private async toAgent(tenantId: string, r: Record<string, unknown>): Promise<Agent> {
    const teams = await this.db('team_members').where({ tenant_id: tenantId, agent_id: r['id'] as string });
    return this.rowToAgent(r, teams.map((t) => t.team_id as string));
  }

  private rowToAgent(r: Record<string, unknown>, teamIds: string[]): Agent {
    return {
      id: r['id'] as string,
      email: r['email'] as string,
      name: r['name'] as string,
      role: r['role'] as AgentRole,
      teamIds,
      createdAt: toIso(r['created_at'] as number)!,
    };
  }
}

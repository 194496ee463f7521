import type { ChannelName, Conversation, ConversationStatus, Page, Priority } from '../contract/index.js';
import type { Db } from '../storage/db.js';
import { nowMs, toIso } from '../storage/db.js';
import { encodeCursor, requireCursor } from '../storage/cursor.js';
import { newId } from '../ids.js';

export interface ConversationRecord extends Conversation {
  tenantId: string;
  routedByRule: string | null;
}

export interface ConversationFilter {
  status?: ConversationStatus | undefined;
  inboxId?: string | undefined;
  channel?: ChannelName | undefined;
  teamId?: string | undefined;
  contactId?: string | undefined;
  /** An agent id, or `null` for unassigned. */
  assigneeId?: string | null | undefined;
  intent?: string | undefined;
  triage?: boolean | undefined;
}

/** `activity`: most recently active first. `waiting`: least recently active first (who waits longest). */
export type ConversationSort = 'activity' | 'waiting';

export interface ConversationPatch {
  status?: ConversationStatus;
  assigneeId?: string | null;
  teamId?: string | null;
  priority?: Priority;
  snoozedUntil?: number | null;
  /** Set by intent routing (or an agent's correction). */
  intent?: string | null;
  intentConfidence?: number | null;
  triage?: boolean;
  /** The routing rule that routed the conversation; routing never moves it twice. */
  routedByRule?: string | null;
}

type ListCursor = [number, string];
const isListCursor = (v: unknown): v is ListCursor =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string';

export function toConversation(r: Record<string, unknown>): ConversationRecord {
  return {
    tenantId: r['tenant_id'] as string,
    id: r['id'] as string,
    inboxId: r['inbox_id'] as string,
    channel: r['channel'] as ChannelName,
    contactId: r['contact_id'] as string,
    status: r['status'] as ConversationStatus,
    assigneeId: (r['assignee_id'] as string | null) ?? null,
    teamId: (r['team_id'] as string | null) ?? null,
    priority: r['priority'] as Priority,
    intent: (r['intent'] as string | null) ?? null,
    intentConfidence: r['intent_confidence'] == null ? null : Number(r['intent_confidence']),
    triage: Boolean(r['triage']),
    routedByRule: (r['routed_by_rule'] as string | null) ?? null,
    lastSeq: Number(r['last_seq']),
    snoozedUntil: toIso(r['snoozed_until'] as number | null),
    lastActivityAt: toIso(r['last_activity_at'] as number)!,
    createdAt: toIso(r['created_at'] as number)!,
    updatedAt: toIso(r['updated_at'] as number)!,
  };
}

/** Strips the storage-only fields for the wire. */
export function toWireConversation(c: ConversationRecord): Conversation {
  const { tenantId: _tenant, routedByRule: _rule, ...wire } = c;
  return wire;
}

/** Conversation rows. `last_seq` is only ever advanced by the message store. */
export class ConversationRepo {
  constructor(private readonly db: Db) {}

  async create(tenantId: string, input: { inboxId: string; channel: ChannelName; contactId: string }): Promise<ConversationRecord> {
    const now = nowMs();
    const row = {
      tenant_id: tenantId,
      id: newId(),
      inbox_id: input.inboxId,
      channel: input.channel,
      contact_id: input.contactId,
      status: 'open',
      assignee_id: null,
      team_id: null,
      priority: 'none',
      intent: null,
      intent_confidence: null,
      triage: false,
      routed_by_rule: null,
      ticket_id: null,
      last_seq: 0,
      snoozed_until: null,
      last_activity_at: now,
      created_at: now,
      updated_at: now,
    };
    await this.db('conversations').insert(row);
    return toConversation(row);
  }

  async get(tenantId: string, id: string): Promise<ConversationRecord | undefined> {
    const r = await this.db('conversations').where({ tenant_id: tenantId, id }).first();
    return r ? toConversation(r) : undefined;
  }

  /** The most recently active conversation of a contact in one inbox. */
  async latestForContact(tenantId: string, contactId: string, inboxId: string): Promise<ConversationRecord | undefined> {
    const r = await this.db('conversations')
      .where({ tenant_id: tenantId, contact_id: contactId, inbox_id: inboxId })
      .orderBy('last_activity_at', 'desc')
      .first();
    return r ? toConversation(r) : undefined;
  }

  /** Conversations by last activity, newest first, keyset-paginated. */
  async list(
    tenantId: string,
    filter: ConversationFilter,
    opts: { limit: number; cursor?: string | undefined; sort?: ConversationSort | undefined },
  ): Promise<Page<ConversationRecord>> {
    const q = this.db('conversations').where({ tenant_id: tenantId });
    if (filter.status) q.andWhere('status', filter.status);
    if (filter.inboxId) q.andWhere('inbox_id', filter.inboxId);
    if (filter.channel) q.andWhere('channel', filter.channel);
    if (filter.teamId) q.andWhere('team_id', filter.teamId);
    if (filter.contactId) q.andWhere('contact_id', filter.contactId);
    if (filter.intent) q.andWhere('intent', filter.intent);
    if (filter.triage !== undefined) q.andWhere('triage', filter.triage);
    if (filter.assigneeId === null) q.whereNull('assignee_id');
    else if (filter.assigneeId) q.andWhere('assignee_id', filter.assigneeId);
    const after = requireCursor(opts.cursor, isListCursor);
    const order = opts.sort === 'waiting' ? 'asc' : 'desc';
    const past = order === 'asc' ? '>' : '<';
    if (after) {
      // The minute bound adds nothing logically (the minute follows from the time); it lets the
      // (tenant, status, minute) index start the scan at the cursor.
      q.andWhere('activity_minute', `${past}=`, Math.floor(after[0] / 60_000));
      q.andWhere((w) =>
        w.where('last_activity_at', past, after[0]).orWhere((w2) => w2.where('last_activity_at', after[0]).andWhere('id', past, after[1])),
      );
    }
    // By minute first, the order the index holds (see migration 008), then by the exact time:
    // the same order as by last activity alone.
    const rows = await q
      .orderBy([
        { column: 'activity_minute', order },
        { column: 'last_activity_at', order },
        { column: 'id', order },
      ])
      .limit(opts.limit + 1);
    const items = rows.slice(0, opts.limit).map(toConversation);
    const last = rows[opts.limit - 1];
    return {
      items,
      nextCursor: rows.length > opts.limit && last ? encodeCursor([Number(last.last_activity_at), last.id]) : null,
    };
  }

  async update(tenantId: string, id: string, patch: ConversationPatch): Promise<ConversationRecord | undefined> {
    const row: Record<string, unknown> = { updated_at: nowMs() };
    if (patch.status !== undefined) row['status'] = patch.status;
    if (patch.assigneeId !== undefined) row['assignee_id'] = patch.assigneeId;
    if (patch.teamId !== undefined) row['team_id'] = patch.teamId;
    if (patch.priority !== undefined) row['priority'] = patch.priority;
    if (patch.snoozedUntil !== undefined) row['snoozed_until'] = patch.snoozedUntil;
    if (patch.intent !== undefined) row['intent'] = patch.intent;
    if (patch.intentConfidence !== undefined) row['intent_confidence'] = patch.intentConfidence;
    if (patch.triage !== undefined) row['triage'] = patch.triage;
    if (patch.routedByRule !== undefined) row['routed_by_rule'] = patch.routedByRule;
    const n = await this.db('conversations').where({ tenant_id: tenantId, id }).update(row);
    return n ? this.get(tenantId, id) : undefined;
  }

  /**
   * Reopens snoozed conversations whose time has come, across tenants (a system job). Each row
   * is flipped with a guarded update, so when several nodes race only one reports it.
   */
  async wakeDueSnoozes(now: number, limit = 100): Promise<ConversationRecord[]> {
    const due = await this.db('conversations')
      .where('status', 'snoozed')
      .whereNotNull('snoozed_until')
      .andWhere('snoozed_until', '<=', now)
      .limit(limit)
      .select('tenant_id', 'id');
    const woken: ConversationRecord[] = [];
    for (const r of due) {
      const n = await this.db('conversations')
        .where({ tenant_id: r.tenant_id, id: r.id, status: 'snoozed' })
        .update({ status: 'open', snoozed_until: null, updated_at: now });
      if (n) woken.push((await this.get(r.tenant_id, r.id))!);
    }
    return woken;
  }

  /** How far `actor` has read in each of `conversationIds` (absent: nothing read). */
  async readSeqs(tenantId: string, actor: { type: string; id: string }, conversationIds: string[]): Promise<Map<string, number>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.db('conversation_reads')
      .where({ tenant_id: tenantId, actor_type: actor.type, actor_id: actor.id })
      .whereIn('conversation_id', conversationIds)
      .select('conversation_id', 'seq');
    return new Map(rows.map((r) => [String(r.conversation_id), Number(r.seq)]));
  }

  /** Records how far an actor has read; never moves backwards. */
  async markRead(tenantId: string, conversationId: string, actor: { type: string; id: string }, seq: number): Promise<void> {
    const now = nowMs();
    await this.db('conversation_reads')
      .insert({ tenant_id: tenantId, conversation_id: conversationId, actor_type: actor.type, actor_id: actor.id, seq, updated_at: now })
      .onConflict(['tenant_id', 'conversation_id', 'actor_type', 'actor_id'])
      .merge({ seq: this.db.raw('CASE WHEN excluded.seq > conversation_reads.seq THEN excluded.seq ELSE conversation_reads.seq END'), updated_at: now });
  }
}

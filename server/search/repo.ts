import type { Conversation, Message } from '../contract/index.js';
import type { Db } from '../storage/db.js';
import { isPostgres } from '../storage/db.js';
import { toMessage } from '../messages/repo.js';
import { toConversation, toWireConversation } from '../conversations/repo.js';

export interface SearchHit {
  conversation: Conversation;
  /** The matching message, or null when the conversation matched by its contact. */
  message: Message | null;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
/** Scripts written without spaces between words; PostgreSQL's word parser sees one long token. */
const UNSPACED = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;

/**
 * Search across a tenant's messages and contacts. PostgreSQL uses full-text matching
 * (`simple` configuration: no stemming, any language) and falls back to substring matching for
 * Chinese/Japanese/Korean text; SQLite uses substring matching throughout.
 */
export class SearchRepo {
  constructor(private readonly db: Db) {}

  async search(tenantId: string, q: string, limit: number): Promise<SearchHit[]> {
    const [messageRows, contactConversations] = await Promise.all([this.messages(tenantId, q, limit), this.byContact(tenantId, q, limit)]);
    const convIds = [...new Set(messageRows.map((r) => String(r['conversation_id'])))];
    const convRows = convIds.length ? await this.db('conversations').where({ tenant_id: tenantId }).whereIn('id', convIds) : [];
    const convById = new Map(convRows.map((r) => [String(r.id), toWireConversation(toConversation(r))]));
    const hits: SearchHit[] = [];
    for (const row of messageRows) {
      const conversation = convById.get(String(row['conversation_id']));
      if (conversation) hits.push({ conversation, message: toMessage(row) });
    }
    const seen = new Set(hits.map((h) => h.conversation.id));
    for (const conversation of contactConversations) {
      if (!seen.has(conversation.id)) hits.push({ conversation, message: null });
    }
    return hits.slice(0, limit);
  }

  private messages(tenantId: string, q: string, limit: number): Promise<Record<string, unknown>[]> {
    const query = this.db('messages').where({ tenant_id: tenantId });
    if (isPostgres(this.db) && !UNSPACED.test(q)) {
      query.andWhereRaw("to_tsvector('simple', body) @@ plainto_tsquery('simple', ?)", [q]);
    } else {
      // Every word must occur somewhere, in any order (what full-text matching does too).
      for (const term of q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8)) {
        query.andWhereRaw("lower(body) like ? escape '\\'", [`%${escapeLike(term)}%`]);
      }
    }
    return query.orderBy('created_at', 'desc').limit(limit);
  }

  private async byContact(tenantId: string, q: string, limit: number): Promise<Conversation[]> {
    const like = `%${escapeLike(q.toLowerCase())}%`;
    const rows = await this.db('conversations as c')
      .join('contacts as k', function joinContact() {
        this.on('k.tenant_id', '=', 'c.tenant_id').andOn('k.id', '=', 'c.contact_id');
      })
      .where('c.tenant_id', tenantId)
      .andWhere((w) => w.whereRaw("lower(k.name) like ? escape '\\'", [like]).orWhereRaw("lower(k.email) like ? escape '\\'", [like]))
      .select('c.*')
      .orderBy('c.last_activity_at', 'desc')
      .limit(limit);
    return rows.map((r) => toWireConversation(toConversation(r)));
  }
}

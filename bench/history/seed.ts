/**
 * Seeds a migrated PostgreSQL database for the history scenario with bulk COPY (text format):
 * tenants, one agent and one web inbox each, a contact per conversation, conversations, and
 * their messages. Rows are generated on the fly (nothing close to the full message set is ever
 * in memory). Messages are emitted in global time order, interleaved across a window of
 * concurrently active conversations, so a conversation's rows are spread over the heap as they
 * would be in production. The message table's unique indexes are dropped for the load and
 * rebuilt afterwards (a sort is much faster than millions of random b-tree inserts), the table
 * is vacuumed (hint bits, visibility map: what an aged production table looks like) and analyzed.
 */
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { bodyPools, copyText, personName, rng } from './text.js';

export interface SeedOptions {
  tenants: number;
  messages: number;
  conversationsPerTenant: number;
  log(line: string): void;
}

/** What the load phases need to know about the seeded data. */
export interface Seeded {
  tenantIds: string[];
  agentIds: string[];
  /** Per conversation (index k): its id, tenant index, last seq and last message time. */
  conversationIds: string[];
  conversationTenant: Int32Array;
  lastSeq: Int32Array;
  lastAt: Float64Array;
  messages: number;
  seconds: number;
  /** Seconds spent in COPY, index rebuild, and VACUUM + ANALYZE. */
  phases: { copy: number; index: number; vacuum: number };
  /** Rows per second of the message COPY alone. */
  copyRowsPerSecond: number;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;
const CHUNK_ROWS = 2000;
const WINDOW = 2000;

async function copyRows(client: pg.Client, table: string, columns: string[], rows: Iterable<string>): Promise<void> {
  function* chunks() {
    let buf: string[] = [];
    for (const row of rows) {
      buf.push(row);
      if (buf.length >= CHUNK_ROWS) {
        yield `${buf.join('\n')}\n`;
        buf = [];
      }
    }
    if (buf.length) yield `${buf.join('\n')}\n`;
  }
  await pipeline(Readable.from(chunks(), { objectMode: false }), client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
}

/** Message counts per conversation: skewed (exponential), at least 1 each when possible, summing to `total`. */
function messageCounts(random: () => number, conversations: number, total: number): Int32Array {
  const counts = new Int32Array(conversations);
  const base = total >= conversations ? 1 : 0;
  const weights = Array.from({ length: conversations }, () => 0.05 - Math.log(1 - random()));
  const sum = weights.reduce((a, b) => a + b, 0);
  let assigned = 0;
  for (let k = 0; k < conversations; k++) {
    counts[k] = base + Math.floor((weights[k]! / sum) * (total - base * conversations));
    assigned += counts[k]!;
  }
  for (let left = total - assigned; left > 0; left--) counts[Math.floor(random() * conversations)]!++;
  return counts;
}

export async function seedHistory(url: string, opts: SeedOptions): Promise<Seeded> {
  const random = rng(0x5eed);
  const bodies = bodyPools(random);
  const started = Date.now();
  const base = started - YEAR_MS;
  const T = opts.tenants;
  const K = T * opts.conversationsPerTenant;
  const tenantIds = Array.from({ length: T }, () => crypto.randomUUID());
  const agentIds = Array.from({ length: T }, () => crypto.randomUUID());
  const agentNames = Array.from({ length: T }, () => copyText(personName(random)));
  const inboxIds = Array.from({ length: T }, () => crypto.randomUUID());
  const conversationIds = Array.from({ length: K }, () => crypto.randomUUID());
  const contactIds = Array.from({ length: K }, () => crypto.randomUUID());
  const contactNames = Array.from({ length: K }, () => copyText(personName(random)));
  const conversationTenant = Int32Array.from({ length: K }, (_, k) => Math.floor(k / opts.conversationsPerTenant));
  const counts = messageCounts(random, K, opts.messages);
  const lastSeq = new Int32Array(K);
  const firstAt = new Float64Array(K);
  const lastAt = new Float64Array(K);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET synchronous_commit = off; SET maintenance_work_mem = '1GB'`);
    const tenantAt = (i: number) => base + Math.floor((i / T) * 1000);
    await copyRows(client, 'tenants', ['id', 'name', 'created_at'], tenantIds.map((id, i) => `${id}\tBench tenant ${i}\t${tenantAt(i)}`));
    await copyRows(
      client,
      'agents',
      ['tenant_id', 'id', 'email', 'name', 'role', 'password_hash', 'created_at'],
      tenantIds.map((t, i) => `${t}\t${agentIds[i]}\tagent${i}-${t.slice(0, 8)}@bench.example\t${agentNames[i]}\tadmin\tnot-a-login\t${tenantAt(i)}`),
    );
    const webSettings = '{"allowedOrigins":[],"requireIdentity":false,"position":"right"}';
    await copyRows(
      client,
      'inboxes',
      ['tenant_id', 'id', 'name', 'channel', 'settings', 'secrets', 'website_token', 'created_at'],
      tenantIds.map((t, i) => `${t}\t${inboxIds[i]}\tWebsite\tweb\t${webSettings}\t{}\t${crypto.randomBytes(18).toString('base64url')}\t${tenantAt(i)}`),
    );
    const contactRow = (k: number) => `${tenantIds[conversationTenant[k]!]}\t${contactIds[k]}\t${contactNames[k]}\t\\N\t\\N\t{}\t${base}\t${base}`;
    await copyRows(client, 'contacts', ['tenant_id', 'id', 'name', 'email', 'phone', 'attributes', 'created_at', 'updated_at'], contactIds.map((_, k) => contactRow(k)));
    await copyRows(
      client,
      'contact_identities',
      ['tenant_id', 'inbox_id', 'external_id', 'channel', 'contact_id', 'created_at'],
      contactIds.map((c, k) => `${tenantIds[conversationTenant[k]!]}\t${inboxIds[conversationTenant[k]!]}\tvisitor:${c}\tweb\t${c}\t${base}`),
    );

    // Drop the message table's unique constraints (PK included) for the load; rebuilt below.
    const constraints = (
      await client.query<{ conname: string; def: string }>(
        `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'messages'::regclass AND contype IN ('p', 'u') ORDER BY contype`,
      )
    ).rows;
    for (const c of constraints) await client.query(`ALTER TABLE messages DROP CONSTRAINT ${c.conname}`);

    opts.log(`  seeding ${opts.messages.toLocaleString('en')} messages in ${K.toLocaleString('en')} conversations of ${T.toLocaleString('en')} tenants`);
    const copyStart = Date.now();
    const step = (YEAR_MS - 3600_000) / Math.max(1, opts.messages);
    let clock = base;
    let emitted = 0;
    function* messageRows(): Generator<string> {
      // A window of active conversations, filled in a random order of all conversations.
      const order = Int32Array.from({ length: K }, (_, k) => k);
      for (let i = K - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      let next = 0;
      const slots: number[] = [];
      const refill = () => {
        while (slots.length < WINDOW && next < K) {
          const k = order[next++]!;
          if (counts[k]! > 0) slots.push(k);
        }
      };
      refill();
      let inbound = true;
      while (slots.length > 0) {
        const s = Math.floor(random() * slots.length);
        const k = slots[s]!;
        const seq = ++lastSeq[k]!;
        clock += Math.max(1, Math.floor(step * (0.5 + random())));
        if (seq === 1) firstAt[k] = clock;
        lastAt[k] = clock;
        const t = conversationTenant[k]!;
        const tid = tenantIds[t]!;
        // Replies alternate most of the time, with runs of several messages from one side.
        inbound = seq === 1 ? true : random() < 0.6 ? !inbound : inbound;
        const note = !inbound && random() < 0.03;
        const pool = inbound ? bodies.customer : note ? bodies.note : bodies.agent;
        const body = pool[Math.floor(random() * pool.length)]!;
        const sender = inbound ? `contact\t${contactIds[k]}\t${contactNames[k]}` : `agent\t${agentIds[t]}\t${agentNames[t]}`;
        yield `${tid}\t${conversationIds[k]}\t${seq}\t${crypto.randomUUID()}\t${inbound ? 'inbound' : 'outbound'}\t${note ? 't' : 'f'}\t${sender}\t${body}\t[]\tweb\t${clock}`;
        emitted++;
        if (emitted % 1_000_000 === 0) opts.log(`    ${emitted.toLocaleString('en')} messages, ${Math.round(emitted / ((Date.now() - copyStart) / 1000)).toLocaleString('en')} rows/s`);
        if (seq === counts[k]) {
          slots[s] = slots[slots.length - 1]!;
          slots.pop();
          refill();
        }
      }
    }
    const messageColumns = ['tenant_id', 'conversation_id', 'seq', 'id', 'direction', 'private', 'sender_type', 'sender_id', 'sender_name', 'body', 'attachments', 'channel', 'created_at'];
    await copyRows(client, 'messages', messageColumns, messageRows());
    const copySeconds = (Date.now() - copyStart) / 1000;

    const convRow = (k: number) => {
      const t = conversationTenant[k]!;
      const last = lastSeq[k]! > 0 ? lastAt[k]! : base;
      const status = last > started - 3 * 24 * 3600_000 ? 'open' : 'resolved';
      const first = lastSeq[k]! > 0 ? firstAt[k]! : base;
      return `${tenantIds[t]}\t${conversationIds[k]}\t${inboxIds[t]}\tweb\t${contactIds[k]}\t${status}\t${agentIds[t]}\tnone\t${lastSeq[k]}\t${last}\t${first}\t${last}`;
    };
    await copyRows(
      client,
      'conversations',
      ['tenant_id', 'id', 'inbox_id', 'channel', 'contact_id', 'status', 'assignee_id', 'priority', 'last_seq', 'last_activity_at', 'created_at', 'updated_at'],
      conversationIds.map((_, k) => convRow(k)),
    );

    const vacuumStart = Date.now();
    opts.log(`  COPY done in ${copySeconds.toFixed(1)} s; vacuuming`);
    await client.query('VACUUM messages');
    const indexStart = Date.now();
    opts.log(`  rebuilding ${constraints.length} message indexes`);
    for (const c of constraints) await client.query(`ALTER TABLE messages ADD CONSTRAINT ${c.conname} ${c.def}`);
    const analyzeStart = Date.now();
    await client.query('ANALYZE');
    const seconds = (Date.now() - started) / 1000;
    return {
      tenantIds,
      agentIds,
      conversationIds,
      conversationTenant,
      lastSeq,
      lastAt,
      messages: emitted,
      seconds,
      phases: { copy: copySeconds, index: (analyzeStart - indexStart) / 1000, vacuum: (indexStart - vacuumStart + Date.now() - analyzeStart) / 1000 },
      copyRowsPerSecond: Math.round(emitted / copySeconds),
    };
  } finally {
    await client.end();
  }
}

import type { RedisClient } from '../redis/client.js';

/*
 * Lua scripts of the Redis stream queue. Every script touches only keys of one stream (they
 * share the `{q:name}` hash tag), so each runs atomically on one node, also on Redis Cluster.
 * Due times use the server clock (`TIME`) so nodes with skewed clocks agree.
 *
 * A delayed job is a member of the delayed ZSET: `<jobId>|<attempts>|<enqueuedAt>|<payload>`
 * (job ids and numbers hold no `|`; the payload is the rest), scored by its due time in ms.
 * A stream entry carries the fields j (job id), a (attempts at this entry's first delivery),
 * t (enqueuedAt) and p (payload JSON); a dead letter adds e (error) and f (failedAt).
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: stream. ARGV: group, entryId… Acks and deletes each entry (the stream stays small); an
 * entry already settled elsewhere is left alone. Returns how many it acked. Many ids per call:
 * a consumer acks the jobs that finished in one turn together, one round trip and one script
 * run instead of one per job.
 */
const ACK = `local acked = 0
for i = 2, #ARGV do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XDEL', KEYS[1], ARGV[i])
    acked = acked + 1
  end
end
return acked`;

/**
 * KEYS: stream, delayed, dead, deadIndex.
 * ARGV: group, entryId, jobId, attempts, enqueuedAt, payload, maxAttempts, delayMs, error.
 * Settles a failed delivery: 0 = someone settled it already, 1 = retry scheduled, 2 = dead.
 */
const FAIL = `if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('XDEL', KEYS[1], ARGV[2])
${NOW}
local attempts = tonumber(ARGV[4])
if attempts >= tonumber(ARGV[7]) then
  local id = redis.call('XADD', KEYS[3], '*', 'j', ARGV[3], 'p', ARGV[6], 'a', ARGV[4], 't', ARGV[5], 'e', ARGV[9], 'f', now)
  redis.call('HSET', KEYS[4], ARGV[3], id)
  return 2
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[8]), ARGV[3] .. '|' .. (attempts + 1) .. '|' .. ARGV[5] .. '|' .. ARGV[6])
return 1`;

/** KEYS: delayed. ARGV: delayMs, member. */
const DELAY = `${NOW}
return redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])`;

/**
 * KEYS: stream, delayed. ARGV: limit. Moves up to `limit` due jobs into the stream, atomically
 * (two nodes never both move one). Returns {moved, ms until the next due job or -1}.
 */
const PROMOTE = `${NOW}
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, m in ipairs(due) do
  local a = string.find(m, '|', 1, true)
  local b = string.find(m, '|', a + 1, true)
  local c = string.find(m, '|', b + 1, true)
  redis.call('XADD', KEYS[1], '*', 'j', string.sub(m, 1, a - 1), 'a', string.sub(m, a + 1, b - 1), 't', string.sub(m, b + 1, c - 1), 'p', string.sub(m, c + 1))
  redis.call('ZREM', KEYS[2], m)
end
local nxt = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if nxt[2] == nil then return {#due, -1} end
return {#due, math.max(0, tonumber(nxt[2]) - now)}`;

/**
 * KEYS: stream. ARGV: group, consumer, minIdleMs, cursor, count. XAUTOCLAIM plus the delivery
 * count of each claimed entry (XAUTOCLAIM does not report it). Returns {cursor, {{id, fields, deliveries}}}.
 */
const CLAIM = `local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local out = {}
for _, e in ipairs(r[2]) do
  if type(e[2]) == 'table' then
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], e[1], e[1], 1)
    local n = 1
    if p[1] then n = p[1][4] end
    out[#out + 1] = {e[1], e[2], n}
  end
end
return {r[1], out}`;

/** KEYS: dead, deadIndex, stream. ARGV: jobId. Moves a dead letter back with attempts reset. */
const REPLAY = `local eid = redis.call('HGET', KEYS[2], ARGV[1])
if not eid then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
local r = redis.call('XRANGE', KEYS[1], eid, eid)
if #r == 0 then return 0 end
local f = {}
local fields = r[1][2]
for i = 1, #fields, 2 do f[fields[i]] = fields[i + 1] end
redis.call('XADD', KEYS[3], '*', 'j', f['j'], 'a', '1', 't', f['t'], 'p', f['p'])
redis.call('XDEL', KEYS[1], eid)
return 1`;

/** The scripts as client commands (EVALSHA, falling back to EVAL after a restart flushed the cache). */
export interface QueueScripts {
  sbqAck(stream: string, group: string, ...entryIds: string[]): Promise<number>;
  sbqFail(stream: string, delayed: string, dead: string, deadIndex: string, ...args: (string | number)[]): Promise<0 | 1 | 2>;
  sbqDelay(delayed: string, delayMs: number, member: string): Promise<number>;
  sbqPromote(stream: string, delayed: string, limit: number): Promise<[number, number]>;
  sbqClaim(stream: string, group: string, consumer: string, minIdleMs: number, cursor: string, count: number): Promise<[string, [string, string[], number][]]>;
  sbqReplay(dead: string, deadIndex: string, stream: string, jobId: string): Promise<number>;
}

const DEFINITIONS: Record<keyof QueueScripts, { lua: string; numberOfKeys: number }> = {
  sbqAck: { lua: ACK, numberOfKeys: 1 },
  sbqFail: { lua: FAIL, numberOfKeys: 4 },
  sbqDelay: { lua: DELAY, numberOfKeys: 1 },
  sbqPromote: { lua: PROMOTE, numberOfKeys: 2 },
  sbqClaim: { lua: CLAIM, numberOfKeys: 1 },
  sbqReplay: { lua: REPLAY, numberOfKeys: 3 },
};

/** Registers the scripts on a client (once) and returns it typed with them. */
export function withQueueScripts(client: RedisClient): RedisClient & QueueScripts {
  for (const [name, def] of Object.entries(DEFINITIONS)) {
    if (!(name in client)) client.defineCommand(name, def);
  }
  return client as RedisClient & QueueScripts;
}

import type { RedisClient } from '../redis/client.js';

/**
 * Lua scripts of the Redis warm tier. Each touches only keys of one conversation, which share a
 * hash tag (one cluster slot). Messages stay opaque JSON strings: decoding them with cjson would
 * turn `[]` into `{}`. Version tokens are compared as the strings they were stored as; a missing
 * version key (never handed out, expired or evicted) matches nothing.
 *
 * Keys: m = LIST of message JSON (ascending seq), t = tail's last seq, v = version token,
 * s = summary JSON. The tail exists when `t` exists; `t` > 0 with no `m` means the list was
 * evicted on its own, which readers treat as a miss and commits as "drop the tail".
 */
export const CACHE_SCRIPTS = {
  /** KEYS: m, t → {t|nil, m's items}, read atomically. */
  sbWarmTail: {
    numberOfKeys: 2,
    lua: `return {redis.call('GET', KEYS[2]), redis.call('LRANGE', KEYS[1], 0, -1)}`,
  },
  /**
   * KEYS: m, t; ARGV: after ('' for none), before ('' for none), count → {} on a miss, else
   * {lastSeq, list length, start index, the window's items}: the slice `windowBounds` (warm.ts)
   * describes, so a page read moves and decodes a page rather than the whole tail.
   */
  sbWarmTailWindow: {
    numberOfKeys: 2,
    lua: `
      local last = redis.call('GET', KEYS[2])
      if not last then return {} end
      last = tonumber(last)
      local len = redis.call('LLEN', KEYS[1])
      local first = last - len + 1
      local e = last
      if ARGV[2] ~= '' then e = math.min(tonumber(ARGV[2]) - 1, last) end
      e = e - first
      local n = tonumber(ARGV[3])
      local s = 0
      if ARGV[1] ~= '' then
        s = math.max(tonumber(ARGV[1]) + 1 - first, 0)
        n = math.max(math.min(n, e - s + 1), 0)
      elseif e < 0 then
        n = 0
      else
        s = math.max(e - n + 1, 0)
        n = e - s + 1
      end
      local items = {}
      if n > 0 then items = redis.call('LRANGE', KEYS[1], s, s + n - 1) end
      return {last, len, s, items}`,
  },
  /** KEYS: v; ARGV: fresh token, ttl → the current token, creating it from the fresh one if missing. */
  sbWarmVersion: {
    numberOfKeys: 1,
    lua: `
      local v = redis.call('GET', KEYS[1])
      if v then return v end
      redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
      return ARGV[1]`,
  },
  /** KEYS: m, t, v; ARGV: expected token, lastSeq, ttl, message JSON… → 1 stored, 0 refused. */
  sbWarmFillTail: {
    numberOfKeys: 3,
    lua: `
      if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
      redis.call('DEL', KEYS[1])
      for i = 4, #ARGV, 1000 do
        redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
      end
      if #ARGV > 3 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
      redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
      return 1`,
  },
  /**
   * KEYS: m, t, v, s; ARGV: seq, message JSON, max, ttl, fresh token, message createdAt.
   * Advances a cached summary (lastSeq, activity time) in place: a summary has no arrays, so a
   * cjson round trip keeps it intact, and the hot send path keeps hitting it.
   * → 0 no tail, 1 already there, 2 appended, 3 tail dropped (gap, or list evicted).
   */
  sbWarmCommit: {
    numberOfKeys: 4,
    lua: `
      if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('SET', KEYS[3], ARGV[5], 'EX', ARGV[4]) end
      local summary = redis.call('GET', KEYS[4])
      if summary then
        local s = cjson.decode(summary)
        if tonumber(ARGV[1]) > s.lastSeq then s.lastSeq = tonumber(ARGV[1]) end
        if ARGV[6] > s.lastActivityAt then s.lastActivityAt = ARGV[6]; s.updatedAt = ARGV[6] end
        redis.call('SET', KEYS[4], cjson.encode(s), 'KEEPTTL')
      end
      local last = redis.call('GET', KEYS[2])
      if not last then return 0 end
      last = tonumber(last)
      local seq = tonumber(ARGV[1])
      if seq <= last then return 1 end
      if seq ~= last + 1 or (last > 0 and redis.call('EXISTS', KEYS[1]) == 0) then
        redis.call('DEL', KEYS[1], KEYS[2])
        return 3
      end
      redis.call('RPUSH', KEYS[1], ARGV[2])
      redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1)
      redis.call('EXPIRE', KEYS[1], ARGV[4])
      redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[4])
      return 2`,
  },
  /** KEYS: v, s; ARGV: expected token, summary JSON, ttl → 1 stored, 0 refused. */
  sbWarmFillSummary: {
    numberOfKeys: 2,
    lua: `
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
      redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
      return 1`,
  },
  /** KEYS: v, s; ARGV: fresh token, ttl. Replaces the version (if any) and drops the summary. */
  sbWarmChanged: {
    numberOfKeys: 2,
    lua: `
      if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
      redis.call('DEL', KEYS[2])
      return 1`,
  },
} as const;

/** A client with the scripts above defined (`defineCommand`). */
export type CacheScripts = RedisClient & {
  sbWarmTail(m: string, t: string): Promise<[string | null, string[]]>;
  sbWarmTailWindow(m: string, t: string, after: number | '', before: number | '', count: number): Promise<[] | [number, number, number, string[]]>;
  sbWarmVersion(v: string, token: number, ttl: number): Promise<string>;
  sbWarmFillTail(m: string, t: string, v: string, expected: number, lastSeq: number, ttl: number, ...messages: string[]): Promise<number>;
  sbWarmCommit(m: string, t: string, v: string, s: string, seq: number, json: string, max: number, ttl: number, token: number, createdAt: string): Promise<number>;
  sbWarmFillSummary(v: string, s: string, expected: number, json: string, ttl: number): Promise<number>;
  sbWarmChanged(v: string, s: string, token: number, ttl: number): Promise<number>;
};

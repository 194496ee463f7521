import type { Request, RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';
import type { RedisClient } from '../redis/client.js';

export interface RateLimitOptions {
  points: number;
  durationSeconds: number;
  key?: (req: Request) => string;
  /** With Redis the limit holds across every node; the in-memory limiter stands in while Redis is down. */
  redis?: { client: RedisClient; keyPrefix: string } | undefined;
}

function limiterFor(opts: RateLimitOptions): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ points: opts.points, duration: opts.durationSeconds });
  if (!opts.redis) return memory;
  return new RateLimiterRedis({
    storeClient: opts.redis.client,
    keyPrefix: opts.redis.keyPrefix,
    points: opts.points,
    duration: opts.durationSeconds,
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
}

/**
 * A per-key fixed-window limiter as middleware (default key: client IP). Over the limit the
 * request gets `429 SB_ERR_RATE_LIMITED` with `Retry-After`.
 */
export function rateLimit(opts: RateLimitOptions): RequestHandler {
  const limiter = limiterFor(opts);
  const keyOf = opts.key ?? ((req: Request) => req.ip ?? 'unknown');
  return async (req, res, next) => {
    try {
      await limiter.consume(keyOf(req));
      next();
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) return next(err);
      res.setHeader('Retry-After', String(Math.ceil(err.msBeforeNext / 1000)));
      next(new AppError('SB_ERR_RATE_LIMITED'));
    }
  };
}

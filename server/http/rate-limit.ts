import type { Request, RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';

/**
 * A per-key fixed-window limiter as middleware (default key: client IP). Over the limit the
 * request gets `429 SB_ERR_RATE_LIMITED` with `Retry-After`.
 */
export function rateLimit(opts: { points: number; durationSeconds: number; key?: (req: Request) => string }): RequestHandler {
  const limiter = new RateLimiterMemory({ points: opts.points, duration: opts.durationSeconds });
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

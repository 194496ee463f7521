import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Actor, AgentRole } from '../contract/index.js';
import { AppError } from '../errors.js';

export interface TokenOptions {
  /** HMAC key, at least 32 bytes of entropy. */
  secret: string;
  agentTtlSeconds: number;
  visitorTtlSeconds: number;
}

const ISSUER = 'switchboard';

/** Most verified tokens remembered, and for how long at most (never past a token's expiry). */
const VERIFIED_MAX = 20_000;
const VERIFIED_TTL_MS = 5 * 60_000;

/**
 * Signs and verifies the bearer tokens of agents and visitors (HS256 JWTs with expiry).
 * Tokens are stateless (nothing revokes one before it expires), so a token verified once is
 * remembered until its expiry (at most a few minutes): every REST call and socket presents
 * one, and the HMAC check runs on the libuv thread pool, which costs more than the request's
 * own work on a warm history read.
 */
export class TokenService {
  /** A KeyObject, so jose does not import the raw secret again on every sign and verify. */
  private readonly key: KeyObject;
  private readonly verified = new LRUCache<string, { actor: Actor; until: number }>({ max: VERIFIED_MAX });

  constructor(private readonly opts: TokenOptions) {
    if (opts.secret.length < 32) throw new Error('token secret must be at least 32 characters');
    this.key = createSecretKey(Buffer.from(opts.secret, 'utf8'));
  }

  /** A token for an agent of one tenant. */
  signAgent(tenantId: string, agentId: string, role: AgentRole): Promise<string> {
    return new SignJWT({ typ: 'agent', tid: tenantId, role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(agentId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.opts.agentTtlSeconds}s`)
      .sign(this.key);
  }

  /** A token for a visitor (contact) of one web inbox. */
  signVisitor(tenantId: string, contactId: string, inboxId: string): Promise<string> {
    return new SignJWT({ typ: 'visitor', tid: tenantId, inb: inboxId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(contactId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.opts.visitorTtlSeconds}s`)
      .sign(this.key);
  }

  /** Verifies a token; throws `SB_ERR_INVALID_TOKEN` on any problem. */
  async verify(token: string): Promise<Actor> {
    // Wall-clock time, as the token's own `exp` is.
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && now < known.until) return known.actor;
    const { actor, expiresAt } = await this.verifyNow(token);
    this.verified.set(token, { actor: Object.freeze(actor), until: Math.min(expiresAt, now + VERIFIED_TTL_MS) });
    return actor;
  }

  private async verifyNow(token: string): Promise<{ actor: Actor; expiresAt: number }> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      // Always set: every token this service signs has an expiry, and jose enforces it.
      const expiresAt = (payload.exp ?? 0) * 1000;
      const sub = payload.sub;
      const tid = payload['tid'];
      if (typeof sub !== 'string' || typeof tid !== 'string') throw new Error('claims');
      if (payload['typ'] === 'agent') {
        const role = payload['role'] === 'admin' ? 'admin' : 'agent';
        return { actor: { type: 'agent', id: sub, tenantId: tid, role }, expiresAt };
      }
      if (payload['typ'] === 'visitor' && typeof payload['inb'] === 'string') {
        return { actor: { type: 'contact', id: sub, tenantId: tid, inboxId: payload['inb'] }, expiresAt };
      }
      throw new Error('typ');
    } catch {
      throw new AppError('SB_ERR_INVALID_TOKEN');
    }
  }
}

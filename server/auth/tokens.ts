import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Actor, AgentRole } from '../contract/index.js';
import { AppError } from '../errors.js';

export interface TokenOptions {
  /** HMAC key, at least 32 bytes of entropy. */
  secret: string;
  agentTtlSeconds: number;
  visitorTtlSeconds: number;
}

const ISSUER = 'switchboard';

/** Signs and verifies the bearer tokens of agents and visitors (HS256 JWTs with expiry). */
export class TokenService {
  /** A KeyObject, so jose does not import the raw secret again on every sign and verify. */
  private readonly key: KeyObject;

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
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      const sub = payload.sub;
      const tid = payload['tid'];
      if (typeof sub !== 'string' || typeof tid !== 'string') throw new Error('claims');
      if (payload['typ'] === 'agent') {
        const role = payload['role'] === 'admin' ? 'admin' : 'agent';
        return { type: 'agent', id: sub, tenantId: tid, role };
      }
      if (payload['typ'] === 'visitor' && typeof payload['inb'] === 'string') {
        return { type: 'contact', id: sub, tenantId: tid, inboxId: payload['inb'] };
      }
      throw new Error('typ');
    } catch {
      throw new AppError('SB_ERR_INVALID_TOKEN');
    }
  }
}

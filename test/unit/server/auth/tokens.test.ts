import { SignJWT, decodeJwt } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenService } from '../../../../server/auth/tokens.js';
import { AppError } from '../../../../server/errors.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const OTHER_SECRET = 'another-secret-that-is-long-enough-9876543210';
const service = (overrides: Partial<ConstructorParameters<typeof TokenService>[0]> = {}) =>
  new TokenService({ secret: SECRET, agentTtlSeconds: 3600, visitorTtlSeconds: 3600, ...overrides });

async function expectInvalid(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe('SB_ERR_INVALID_TOKEN');
  expect((err as AppError).status).toBe(401);
}

const sign = (claims: Record<string, unknown>, secret: string, exp: number | string = '1h') => {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('switchboard').setIssuedAt().setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(secret));
};

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenService', () => {
  it('an agent token verifies to that agent, with its role', async () => {
    const tokens = service();
    expect(await tokens.verify(await tokens.signAgent('t1', 'agent-1', 'admin'))).toEqual({ type: 'agent', id: 'agent-1', tenantId: 't1', role: 'admin' });
    expect(await tokens.verify(await tokens.signAgent('t2', 'agent-2', 'agent'))).toEqual({ type: 'agent', id: 'agent-2', tenantId: 't2', role: 'agent' });
  });

  it('a visitor token verifies to that contact of that inbox', async () => {
    const tokens = service();
    const actor = await tokens.verify(await tokens.signVisitor('t1', 'contact-9', 'inbox-3'));
    expect(actor).toEqual({ type: 'contact', id: 'contact-9', tenantId: 't1', inboxId: 'inbox-3' });
  });

  it('tokens carry the configured lifetimes', async () => {
    const tokens = service({ agentTtlSeconds: 120, visitorTtlSeconds: 7200 });
    const agent = decodeJwt(await tokens.signAgent('t1', 'a', 'agent'));
    const visitor = decodeJwt(await tokens.signVisitor('t1', 'c', 'i'));
    expect(agent.exp! - agent.iat!).toBe(120);
    expect(visitor.exp! - visitor.iat!).toBe(7200);
  });

  it('an expired token (past its TTL) is SB_ERR_INVALID_TOKEN', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const tokens = service({ agentTtlSeconds: 60, visitorTtlSeconds: 60 });
    const agent = await tokens.signAgent('t1', 'a', 'agent');
    const visitor = await tokens.signVisitor('t1', 'c', 'i');
    expect((await tokens.verify(agent)).id).toBe('a');
    vi.setSystemTime(new Date('2030-01-01T00:01:01Z'));
    await expectInvalid(tokens.verify(agent));
    await expectInvalid(tokens.verify(visitor));
  });

  it('a token signed with the same secret but a past exp is SB_ERR_INVALID_TOKEN', async () => {
    const past = Math.floor(Date.now() / 1000) - 10;
    await expectInvalid(service().verify(await sign({ typ: 'agent', tid: 't1', role: 'admin', sub: 'a' }, SECRET, past)));
  });

  it('a token signed with another secret is SB_ERR_INVALID_TOKEN', async () => {
    const other = service({ secret: OTHER_SECRET });
    await expectInvalid(service().verify(await other.signAgent('t1', 'a', 'admin')));
    await expectInvalid(service().verify(await sign({ typ: 'visitor', tid: 't1', inb: 'i', sub: 'c' }, OTHER_SECRET)));
  });

  it('a token whose payload was tampered with is rejected', async () => {
    const tokens = service();
    const original = await tokens.signAgent('t1', 'agent-1', 'agent');
    const [header, payload, signature] = original.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = (c: Record<string, unknown>) => `${header}.${Buffer.from(JSON.stringify(c)).toString('base64url')}.${signature}`;
    await expectInvalid(tokens.verify(forged({ ...claims, role: 'admin' })));
    await expectInvalid(tokens.verify(forged({ ...claims, tid: 't2' })));
    await expectInvalid(tokens.verify(`${header}.${payload}.${signature.slice(0, -4)}AAAA`));
  });

  it('rejects garbage, unsigned tokens and tokens without the expected claims', async () => {
    const tokens = service();
    await expectInvalid(tokens.verify(''));
    await expectInvalid(tokens.verify('not.a.jwt'));
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ typ: 'agent', tid: 't1', role: 'admin', sub: 'a', iss: 'switchboard', exp: Math.floor(Date.now() / 1000) + 60 }),
    ).toString('base64url')}.`;
    await expectInvalid(tokens.verify(unsigned));
    await expectInvalid(tokens.verify(await sign({ typ: 'visitor', tid: 't1', sub: 'c' }, SECRET))); // no inbox
    await expectInvalid(tokens.verify(await sign({ typ: 'robot', tid: 't1', sub: 'c' }, SECRET)));
    await expectInvalid(tokens.verify(await sign({ typ: 'agent', role: 'admin', sub: 'a' }, SECRET))); // no tenant
    const wrongIssuer = await new SignJWT({ typ: 'agent', tid: 't1', role: 'admin', sub: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('someone-else')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    await expectInvalid(tokens.verify(wrongIssuer));
  });

  it('the constructor rejects a secret shorter than 32 characters', () => {
    expect(() => service({ secret: 'short' })).toThrow(/32/);
    expect(() => service({ secret: 'x'.repeat(31) })).toThrow();
    expect(() => service({ secret: 'x'.repeat(32) })).not.toThrow();
  });

  it('remembers a verified token only until it expires, and hands out an actor nobody can change', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const tokens = service({ agentTtlSeconds: 600, visitorTtlSeconds: 600 });
    const agent = await tokens.signAgent('t1', 'a', 'admin');
    const first = await tokens.verify(agent);
    const again = await tokens.verify(agent);
    expect(again).toEqual({ type: 'agent', id: 'a', tenantId: 't1', role: 'admin' });
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as { role: string }).role = 'agent';
    }).toThrow(TypeError);
    // Past the in-memory limit (5 min) it is checked again, and still good.
    vi.setSystemTime(new Date('2030-01-01T00:06:00Z'));
    expect((await tokens.verify(agent)).id).toBe('a');
    // Past the token's own expiry, remembered or not, it is refused.
    vi.setSystemTime(new Date('2030-01-01T00:10:01Z'));
    await expectInvalid(tokens.verify(agent));
    // A token differing from a verified one in its signature is still checked (and refused).
    const fresh = await tokens.signAgent('t1', 'a', 'admin');
    await tokens.verify(fresh);
    await expectInvalid(tokens.verify(`${fresh.slice(0, -2)}${fresh.endsWith('AA') ? 'BB' : 'AA'}`));
  });
});

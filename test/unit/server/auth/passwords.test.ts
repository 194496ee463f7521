import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../../server/auth/passwords.js';

describe('passwords', () => {
  it('verifies a password against its own hash', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
  });

  it('rejects a wrong password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts: two hashes of the same password differ, and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('never stores the password itself', async () => {
    const stored = await hashPassword('plain-text-secret');
    expect(stored).not.toContain('plain-text-secret');
    expect(stored).not.toContain(Buffer.from('plain-text-secret').toString('base64url'));
  });

  describe('a malformed stored hash is a plain "no" (false), never a match or a throw', () => {
    const cases: [string, (real: string) => string][] = [
      ['empty string', () => ''],
      ['not a hash at all', () => 'garbage'],
      ['another algorithm', (real) => real.replace(/^scrypt/, 'bcrypt')],
      ['missing hash part', (real) => real.split('$').slice(0, 5).join('$')],
      ['empty hash part', (real) => `${real.split('$').slice(0, 5).join('$')}$`],
      ['truncated hash part (fewer than 32 bytes)', (real) => real.slice(0, -10)],
      ['hash part that decodes to zero bytes', (real) => `${real.split('$').slice(0, 5).join('$')}$!`],
      ['non-numeric parameters', (real) => { const p = real.split('$'); return ['scrypt', 'x', 'y', 'z', p[4], p[5]].join('$'); }],
      ['impossible cost parameter', (real) => { const p = real.split('$'); return ['scrypt', '3', p[2], p[3], p[4], p[5]].join('$'); }],
    ];
    it.each(cases)('%s', async (_name, make) => {
      const real = await hashPassword('pw');
      const stored = make(real);
      // Neither the password the hash was made from nor any other may match a malformed hash.
      await expect(verifyPassword('pw', stored)).resolves.toBe(false);
      await expect(verifyPassword('some other password', stored)).resolves.toBe(false);
    });
  });
});

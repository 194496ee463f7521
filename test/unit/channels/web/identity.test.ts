import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { identityHash, verifyIdentityHash } from '../../../../channels/web/identity.js';

const SECRET = 'inbox-identity-secret-0123456789';
const hmac = (id: string, secret: string) => crypto.createHmac('sha256', secret).update(id).digest('hex');

describe('identityHash', () => {
  it('is the lower-case hex HMAC-SHA256 of the identity id keyed by the inbox secret', () => {
    for (const id of ['user-42', '', 'ünïcødé@example.com', 'x'.repeat(200)]) {
      expect(identityHash(id, SECRET)).toBe(hmac(id, SECRET));
    }
    expect(identityHash('user-42', SECRET)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('depends on both the id and the secret', () => {
    expect(identityHash('user-42', SECRET)).not.toBe(identityHash('user-43', SECRET));
    expect(identityHash('user-42', SECRET)).not.toBe(identityHash('user-42', `${SECRET}!`));
  });
});

describe('verifyIdentityHash', () => {
  const good = hmac('user-42', SECRET);

  it('accepts the right hash', () => {
    expect(verifyIdentityHash('user-42', good, SECRET)).toBe(true);
  });

  it('accepts upper-case and mixed-case hex', () => {
    expect(verifyIdentityHash('user-42', good.toUpperCase(), SECRET)).toBe(true);
    const mixed = [...good].map((ch, i) => (i % 2 ? ch.toUpperCase() : ch)).join('');
    expect(verifyIdentityHash('user-42', mixed, SECRET)).toBe(true);
  });

  it('rejects a hash for another id, another secret, or a damaged hash', () => {
    expect(verifyIdentityHash('user-43', good, SECRET)).toBe(false);
    expect(verifyIdentityHash('user-42', hmac('user-42', 'some-other-secret-value'), SECRET)).toBe(false);
    const flipped = `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`;
    expect(verifyIdentityHash('user-42', flipped, SECRET)).toBe(false);
  });

  it('rejects hashes of the wrong length or alphabet without throwing', () => {
    expect(verifyIdentityHash('user-42', '', SECRET)).toBe(false);
    expect(verifyIdentityHash('user-42', good.slice(0, 63), SECRET)).toBe(false);
    expect(verifyIdentityHash('user-42', `${good}00`, SECRET)).toBe(false);
    expect(verifyIdentityHash('user-42', crypto.createHmac('sha256', SECRET).update('user-42').digest('base64'), SECRET)).toBe(false);
    expect(verifyIdentityHash('user-42', 'é'.repeat(32), SECRET)).toBe(false);
    expect(verifyIdentityHash('user-42', 'z'.repeat(64), SECRET)).toBe(false);
  });
});

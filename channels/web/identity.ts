import crypto from 'node:crypto';

/** HMAC-SHA256 of the identity id with the inbox secret, hex — what the host page's server computes. */
export function identityHash(identityId: string, secret: string): string {
  return crypto.createHmac('sha256', secret).update(identityId).digest('hex');
}

/** Constant-time check of a host page's identity hash. */
export function verifyIdentityHash(identityId: string, hash: string, secret: string): boolean {
  const expected = Buffer.from(identityHash(identityId, secret), 'utf8');
  const actual = Buffer.from(hash.toLowerCase(), 'utf8');
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}

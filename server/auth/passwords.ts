import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

// OWASP's scrypt floor: N=2^17, r=8, p=1 (128 MiB would be N*r*128; maxmem must allow it).
const PARAMS = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };
const KEYLEN = 32;

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, KEYLEN, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Checks a password against a stored hash in constant time; anything malformed is a plain "no". */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, saltText, hashText, ...rest] = stored.split('$');
  if (kind !== 'scrypt' || !saltText || !hashText || rest.length) return false;
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  // Only parameters we could have written: a power-of-two N in a sane range, small r and p.
  const sane = Number.isInteger(N) && N >= 2 ** 14 && N <= 2 ** 20 && (N & (N - 1)) === 0 && R >= 1 && R <= 32 && P >= 1 && P <= 16;
  const expected = Buffer.from(hashText, 'base64url');
  if (!sane || expected.length !== KEYLEN) return false;
  try {
    const actual = await scrypt(password, Buffer.from(saltText, 'base64url'), KEYLEN, { N, r: R, p: P, maxmem: PARAMS.maxmem });
    return crypto.timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

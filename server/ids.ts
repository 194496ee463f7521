import crypto from 'node:crypto';

/** A new opaque, unguessable id. */
export const newId = (): string => crypto.randomUUID();

/** A random URL-safe secret of `bytes` bytes of entropy. */
export const randomSecret = (bytes = 24): string => crypto.randomBytes(bytes).toString('base64url');

import { AppError } from '../contract/index.js';

/** Opaque pagination cursors: base64url JSON, validated on the way back in. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`; returns undefined for anything malformed. */
export function decodeCursor<T>(cursor: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (!cursor) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return check(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Like `decodeCursor`, but a cursor that was given and is malformed is a validation error. */
export function requireCursor<T>(cursor: string | undefined, check: (v: unknown) => v is T): T | undefined {
  const value = decodeCursor(cursor, check);
  if (cursor && value === undefined) throw new AppError('SB_ERR_VALIDATION', 'cursor: malformed');
  return value;
}

import type { ZodType } from 'zod';
import { AppError } from '../errors.js';

/** Parses `input` with `schema` or throws `SB_ERR_VALIDATION` listing each bad field. */
export function parse<T>(schema: ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const fields = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = fields[0];
  throw new AppError('SB_ERR_VALIDATION', first ? `${first.path || 'body'}: ${first.message}` : undefined, { fields });
}

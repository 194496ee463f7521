import { AppError } from './contract/index.js';

export { AppError };

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;

/** True for a unique-constraint violation on PostgreSQL or SQLite. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A value of a one-dimensional array parameter; null and undefined are SQL NULL. */
export type PgArrayElement = string | number | boolean | null | undefined;

/**
 * The text of a PostgreSQL array (`{"a","b",NULL}`) for a `$n::varchar[]`-style parameter, as
 * node-postgres would send for a JS array. node-postgres builds it with two regular-expression
 * passes and several string pieces per element; the message commit sends fifteen such arrays per
 * batch, and that was the hub's largest source of garbage. Every string is quoted, so commas,
 * braces, blanks and the word NULL stay text; only `\` and `"` need escaping inside quotes.
 */
export function pgArrayLiteral(values: readonly PgArrayElement[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'string') parts[i] = quote(v);
    else parts[i] = String(v);
  }
  return `{${parts.join(',')}}`;
}

function quote(s: string): string {
  const escaped = s.includes('\\') || s.includes('"') ? s.replace(/[\\"]/g, '\\$&') : s;
  return `"${escaped}"`;
}

/**
 * The text of a PostgreSQL array (`{"a","b",NULL}`) for a `$n::varchar[]`-style parameter, as
 * node-postgres would send for a JS array. node-postgres builds it with two regular-expression
 * passes and several string pieces per element; the message commit sends fifteen such arrays per
 * batch, and that was about a tenth of all the hub allocated under relay load. Null and
 * undefined are SQL NULL. Every string is quoted, so commas, braces, blanks and the word NULL
 * stay text; only `\` and `"` need escaping inside quotes. Numbers and booleans go as written;
 * anything else is refused.
 */
export function pgArrayLiteral(values: readonly unknown[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'string') parts[i] = quote(v);
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') parts[i] = String(v);
    else throw new TypeError(`pgArrayLiteral: cannot send a ${typeof v} as an array element`);
  }
  return `{${parts.join(',')}}`;
}

function quote(s: string): string {
  const escaped = s.includes('\\') || s.includes('"') ? s.replace(/[\\"]/g, '\\$&') : s;
  return `"${escaped}"`;
}

import type { CannedResponse } from '../types.js';

/** The `/word` being typed at the caret, if any: `start` is where the slash is. */
export interface SlashQuery {
  start: number;
  query: string;
}

/**
 * Finds a `/shortcode` trigger ending at `caret`: a slash at the start of the text or after
 * whitespace, followed by letters, digits, `_` or `-` only.
 */
export function slashQueryAt(text: string, caret: number): SlashQuery | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)\/([\p{L}\p{N}_-]*)$/u.exec(before);
  if (!m) return null;
  return { start: before.length - m[2]!.length - 1, query: m[2]! };
}

/**
 * Canned responses matching `query`: short codes starting with it first, then short codes or
 * contents containing it; case-insensitive; at most `limit`.
 */
export function matchCanned(all: readonly CannedResponse[], query: string, limit = 8): CannedResponse[] {
  const q = query.toLowerCase();
  const prefix: CannedResponse[] = [];
  const inside: CannedResponse[] = [];
  for (const r of all) {
    const code = r.shortCode.toLowerCase();
    if (code.startsWith(q)) prefix.push(r);
    else if (q && (code.includes(q) || r.content.toLowerCase().includes(q))) inside.push(r);
  }
  prefix.sort((a, b) => a.shortCode.length - b.shortCode.length || a.shortCode.localeCompare(b.shortCode));
  return [...prefix, ...inside].slice(0, limit);
}

/** Replaces the `/query` at `slash` with the response's content; returns the text and new caret. */
export function insertCanned(text: string, slash: SlashQuery, caret: number, response: CannedResponse): { text: string; caret: number } {
  const out = text.slice(0, slash.start) + response.content + text.slice(caret);
  return { text: out, caret: slash.start + response.content.length };
}

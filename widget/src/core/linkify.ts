/** A piece of message text: plain text, a link, or a line break. Rendered as DOM text, never HTML. */
export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string } | { kind: 'br' };

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Characters that usually end the sentence rather than the URL. */
const TRAILING = '.,;:!?\'"”’)]}>';

/** Cuts trailing punctuation off a URL match, keeping a ")" that closes a "(" inside it. */
function trimUrl(raw: string): string {
  let url = raw;
  while (url.length > 0 && TRAILING.includes(url[url.length - 1]!)) {
    // "https://en.wikipedia.org/wiki/Foo_(bar)" keeps its balanced ")".
    if (url.endsWith(')') && count(url, '(') >= count(url, ')')) break;
    url = url.slice(0, -1);
  }
  return url;
}

const count = (s: string, ch: string) => s.split(ch).length - 1;

/** True for an absolute http(s) URL the browser parses the same way. */
function safeHref(candidate: string): string | null {
  try {
    const u = new URL(candidate);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/**
 * Splits `text` into text, link and line-break parts. Only http(s) URLs become links; everything
 * else (including `javascript:` and HTML) stays literal text.
 */
export function tokenize(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((line, i) => {
    if (i > 0) parts.push({ kind: 'br' });
    let last = 0;
    for (const m of line.matchAll(URL_RE)) {
      const start = m.index ?? 0;
      const url = trimUrl(m[0]);
      const href = safeHref(url);
      if (!href || url.length <= 'https://'.length) continue;
      if (start > last) pushText(parts, line.slice(last, start));
      parts.push({ kind: 'link', text: url, href });
      last = start + url.length;
    }
    if (last < line.length) pushText(parts, line.slice(last));
  });
  return parts;
}

function pushText(parts: TextPart[], text: string): void {
  const prev = parts[parts.length - 1];
  if (prev && prev.kind === 'text') prev.text += text;
  else parts.push({ kind: 'text', text });
}

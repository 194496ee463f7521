import type { IncomingMessage } from 'node:http';
import { parse } from 'cookie';

/**
 * The agent inbox keeps its session in an HttpOnly, SameSite=Strict cookie, so script on the
 * page (an XSS) can never read the token, and no other site can make the browser send it.
 * API clients keep using `Authorization: Bearer`.
 */
export const SESSION_COOKIE = 'sb_session';

/** The session token from the request's cookies, if any. */
export function sessionFromCookie(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const value = parse(header)[SESSION_COOKIE];
  return value || undefined;
}

/**
 * True when a cookie-authenticated request comes from our own pages: a browser sends `Origin`
 * on cross-origin and state-changing requests, and it must then name this host. SameSite
 * already stops other sites; this is the second lock (and covers WebSocket upgrades).
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

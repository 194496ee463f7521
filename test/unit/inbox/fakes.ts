import { vi } from 'vitest';
import type { Me } from '../../../inbox/src/types.js';

/** What a route answers: a status and a JSON body. */
export interface Answer {
  status: number;
  body?: unknown;
}

type Route = (query: URLSearchParams) => Answer | Promise<Answer>;

/**
 * A stand-in for the hub's REST API behind the global `fetch` the inbox calls, keyed by
 * "METHOD /path" (the path after `/api/v1`, without the query). A route that throws is a
 * network failure; an unknown route answers 404. Undo with `vi.unstubAllGlobals()`.
 */
export function stubApi(routes: Record<string, Route>) {
  const calls: { key: string; query: URLSearchParams }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: { method: string }) => {
    const u = new URL(url, 'http://inbox.test');
    const key = `${init.method} ${u.pathname.replace(/^\/api\/v1/, '')}`;
    calls.push({ key, query: u.searchParams });
    const route = routes[key];
    const res = route ? await route(u.searchParams) : { status: 404, body: { error: { code: 'SB_ERR_NOT_FOUND', message: 'Not found.' } } };
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status });
  });
  return { calls, to: (key: string) => calls.filter((c) => c.key === key) };
}

/** An answer the test hands out later, so that requests can finish out of order. */
export function later() {
  let answer!: (a: Answer) => void;
  const promise = new Promise<Answer>((resolve) => (answer = resolve));
  return { promise, answer };
}

/** Lets pending fetches (and what they set off) run to the end. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/** The signed-in agent. */
export const ME: Me = { id: 'me', email: 'me@example.com', name: 'Me', role: 'agent', teamIds: [], createdAt: '2025-01-01T00:00:00.000Z', tenantId: 't1' };

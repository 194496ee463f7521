/** A minimal JSON client for the REST API. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export function api(base: string, token?: string) {
  const call = async <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (e.g. /metrics)
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
  return {
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>('GET', path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, body, headers),
    patch: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('PATCH', path, body, headers),
    put: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('PUT', path, body, headers),
    delete: <T = any>(path: string, headers?: Record<string, string>) => call<T>('DELETE', path, undefined, headers),
  };
}

/** Logs an agent in and returns its token. */
export async function login(base: string, email: string, password: string): Promise<string> {
  const r = await api(base).post<{ token: string }>('/api/v1/auth/login', { email, password });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

/** Opens a visitor session on a web inbox. */
export async function visitorSession(base: string, websiteToken: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) {
  const r = await api(base).post<{ token: string; visitorId: string; contactId: string }>('/api/v1/widget/sessions', { inbox: websiteToken, ...extra }, headers);
  if (r.status !== 201) throw new Error(`session failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

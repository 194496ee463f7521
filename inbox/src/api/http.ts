/**
 * Same-origin JSON calls to the hub. The session lives in an HttpOnly cookie the browser sends
 * by itself: the inbox never sees or stores a token.
 */

/** The server answered with an error (`{error:{code,message}}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The request never got an answer (offline, server down). */
export class NetworkError extends Error {
  constructor(message = 'The server cannot be reached.') {
    super(message);
    this.name = 'NetworkError';
  }
}

/** Called on any 401, so the app can show the login screen. */
let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

export async function request<T>(method: string, path: string, body?: unknown, init: { raw?: Blob; contentType?: string } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: init.raw ? { 'content-type': init.contentType || 'application/octet-stream' } : body !== undefined ? { 'content-type': 'application/json' } : {},
      ...(init.raw ? { body: init.raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new NetworkError();
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (res.status === 401 && path !== '/auth/login') onUnauthenticated();
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? res.statusText);
  }
  return parsed as T;
}

export const http = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
  upload: <T>(path: string, file: Blob, contentType: string) => request<T>('POST', path, undefined, { raw: file, contentType }),
};

/** A human sentence for any error thrown by `request`. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'SB_ERR_CHANNEL_UNSUPPORTED') return `This channel is not available on this server yet (${err.message})`;
    return err.message || err.code;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

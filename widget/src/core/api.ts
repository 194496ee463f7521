import type { Attachment, AttributeValue, Conversation, InboxInfo, SessionResponse, VisitorIdentity } from './types.js';

/** The server answered with an error (`{error:{code,message}}`): retrying the same call won't help. */
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

/** The request never got an answer (offline, server down, CORS refused). */
export class NetworkError extends Error {
  constructor(readonly path: string) {
    super(`network error on ${path}`);
    this.name = 'NetworkError';
  }
}

/** The bits of `fetch` used here. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown },
) => Promise<{ status: number; ok: boolean; json(): Promise<unknown> }>;

/** A file to upload: a browser `File` satisfies it. */
export interface UploadFile {
  name: string;
  type: string;
  size: number;
}

/** Client of the visitor HTTP API (`/api/v1/widget/*`). */
export class WidgetApi {
  readonly #hub: string;
  readonly #fetchFn: FetchLike;

  constructor(hub: string, fetchFn: FetchLike) {
    this.#hub = hub;
    this.#fetchFn = fetchFn;
  }

  createSession(body: { inbox: string; visitorId?: string; identity?: VisitorIdentity }): Promise<SessionResponse> {
    return this.#call<SessionResponse>('POST', '/api/v1/widget/sessions', null, JSON.stringify(body), 'application/json');
  }

  /** The inbox's current settings (they may have changed since the session was made). */
  inbox(token: string): Promise<InboxInfo> {
    return this.#call<InboxInfo>('GET', '/api/v1/widget/inbox', token);
  }

  async conversations(token: string): Promise<Conversation[]> {
    const page = await this.#call<{ items?: Conversation[] }>('GET', '/api/v1/widget/conversations', token);
    return Array.isArray(page.items) ? page.items : [];
  }

  updateContact(token: string, patch: { name?: string; email?: string; attributes?: Record<string, AttributeValue> }): Promise<unknown> {
    return this.#call('PATCH', '/api/v1/widget/contact', token, JSON.stringify(patch), 'application/json');
  }

  upload(token: string, file: UploadFile): Promise<Attachment> {
    const path = `/api/v1/widget/attachments?name=${encodeURIComponent(file.name)}`;
    return this.#call<Attachment>('POST', path, token, file, file.type || 'application/octet-stream');
  }

  async #call<T>(method: string, path: string, token: string | null, body?: unknown, contentType?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (token) headers['Authorization'] = `Bearer ${token}`;
    if (contentType) headers['Content-Type'] = contentType;
    let res: Awaited<ReturnType<FetchLike>>;
    try {
      res = await this.#fetchFn(this.#hub + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch {
      throw new NetworkError(path);
    }
    const json = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    if (!res.ok) {
      throw new ApiError(res.status, json?.error?.code ?? `HTTP_${res.status}`, json?.error?.message ?? `HTTP ${res.status}`);
    }
    return json as T;
  }
}

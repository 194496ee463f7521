import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback Telegram Bot API: a real HTTP server speaking the Bot API's wire format
 * (`POST /bot<token>/<method>` with JSON or multipart bodies → `{ok, result}` or
 * `{ok:false, error_code, description, parameters}`), plus `GET /file/bot<token>/<path>`.
 * It records every call, queues updates for `getUpdates` (honouring `offset` confirmation and
 * the `timeout` long poll, and answering 409 to a poll that another poll overtook, as Telegram
 * does), pushes updates to a registered webhook with its secret token, and fails on demand.
 */

export interface RecordedCall {
  token: string;
  method: string;
  params: Record<string, unknown>;
  /** Files of a multipart request, by field name. */
  files: Record<string, { name: string; type: string; bytes: Buffer }>;
  at: number;
}

interface Failure {
  error_code: number;
  description: string;
  retry_after?: number;
}

interface BotState {
  id: number;
  username: string;
  updates: Record<string, unknown>[];
  /** Highest update_id confirmed through `offset`. */
  confirmedBelow: number;
  webhook: { url: string; secret?: string } | undefined;
  polls: Set<{ answer(status: number, body: unknown): void }>;
  nextMessageId: number;
}

export class FakeTelegramBotApi {
  readonly calls: RecordedCall[] = [];
  /** Longest run of getUpdates requests in flight at once, per token. */
  readonly maxConcurrentPolls = new Map<string, number>();
  /** getUpdates requests that another poll overtook (answered 409). */
  conflicts = 0;
  private readonly bots = new Map<string, BotState>();
  private readonly files = new Map<string, { path: string; bytes: Buffer }>();
  private readonly failures: { method: string; failure: Failure; remaining: number }[] = [];
  private downUntil = 0;
  private readonly waiters = new Set<() => void>();
  private server!: http.Server;
  url = '';

  static async start(): Promise<FakeTelegramBotApi> {
    const fake = new FakeTelegramBotApi();
    fake.server = http.createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const bot of this.bots.values()) for (const p of bot.polls) p.answer(200, { ok: true, result: [] });
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Registers a bot; returns its token. */
  addBot(username = 'switchboard_test_bot', id = 100000 + this.bots.size): string {
    const token = `${id}:AAH${Math.random().toString(36).slice(2).padEnd(12, 'x')}FakeTokenForTests`;
    this.bots.set(token, { id, username, updates: [], confirmedBelow: 0, webhook: undefined, polls: new Set(), nextMessageId: 1000 });
    return token;
  }

  /** Queues an update for `getUpdates` (and wakes a waiting long poll). */
  pushUpdate(token: string, update: Record<string, unknown>): void {
    this.bot(token).updates.push(update);
    for (const w of [...this.waiters]) w();
  }

  /** POSTs an update to the bot's webhook, as Telegram does; resolves with the HTTP status. */
  async deliverWebhook(token: string, update: Record<string, unknown>, secretOverride?: string | null): Promise<number> {
    const hook = this.bot(token).webhook;
    if (!hook) throw new Error('no webhook set');
    const secret = secretOverride === undefined ? hook.secret : secretOverride;
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  }

  webhookOf(token: string): { url: string; secret?: string } | undefined {
    return this.bot(token).webhook;
  }

  /** Makes a file downloadable through `getFile`; returns its `file_id`. */
  addFile(bytes: Buffer, ext = 'jpg'): string {
    const id = `FILE${this.files.size + 1}${Math.random().toString(36).slice(2, 8)}`;
    this.files.set(id, { path: `photos/file_${this.files.size}.${ext}`, bytes });
    return id;
  }

  /** The next `count` calls of `method` fail with this Bot API error. */
  failNext(method: string, failure: Failure, count = 1): void {
    this.failures.push({ method, failure, remaining: count });
  }

  /** For `ms`, every connection is dropped without an answer (a network outage). */
  goDown(ms: number): void {
    this.downUntil = Date.now() + ms;
  }

  callsOf(method: string, token?: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && (!token || c.token === token));
  }

  /** Waits until `pred` holds over the recorded calls. */
  async waitFor(pred: (calls: RecordedCall[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.calls)) {
      if (Date.now() > deadline) throw new Error(`fake Bot API: condition not met; calls: ${this.calls.map((c) => c.method).join(',')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private bot(token: string): BotState {
    const b = this.bots.get(token);
    if (!b) throw new Error('unknown bot');
    return b;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (Date.now() < this.downUntil) {
      req.socket.destroy();
      return;
    }
    const send = (status: number, body: unknown) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://x');
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (req.method === 'GET' && fileMatch) {
      const file = this.bots.has(fileMatch[1]!) ? [...this.files.values()].find((f) => f.path === fileMatch[2]) : undefined;
      if (!file) return send(404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
      res.end(file.bytes);
      return;
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return send(404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = m as unknown as [string, string, string];
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const { params, files } = await parseBody(req, raw, url);
    this.calls.push({ token, method, params, files, at: Date.now() });
    const bot = this.bots.get(token);
    if (!bot) return send(401, { ok: false, error_code: 401, description: 'Unauthorized' });

    const failure = this.failures.find((f) => f.method === method && f.remaining > 0);
    if (failure) {
      failure.remaining--;
      const { retry_after, ...rest } = failure.failure;
      return send(rest.error_code, { ok: false, ...rest, ...(retry_after !== undefined ? { parameters: { retry_after } } : {}) });
    }
    const ok = (result: unknown) => send(200, { ok: true, result });
    const chat = (id: unknown) => ({ id: Number(id), type: Number(id) < 0 ? 'group' : 'private' });
    switch (method) {
      case 'getMe':
        return ok({ id: bot.id, is_bot: true, first_name: 'Switchboard Test', username: bot.username, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'setWebhook':
        bot.webhook = { url: String(params['url']), ...(params['secret_token'] ? { secret: String(params['secret_token']) } : {}) };
        return ok(true);
      case 'deleteWebhook':
        bot.webhook = undefined;
        return ok(true);
      case 'getWebhookInfo':
        return ok({ url: bot.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: bot.updates.length });
      case 'getUpdates':
        return this.getUpdates(token, bot, params, send, res);
      case 'getFile': {
        const f = this.files.get(String(params['file_id']));
        if (!f) return send(400, { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
        return ok({ file_id: params['file_id'], file_unique_id: `u${params['file_id']}`, file_size: f.bytes.length, file_path: f.path });
      }
      case 'sendMessage':
        if (typeof params['text'] !== 'string' || params['text'].length === 0) return send(400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
        if (params['text'].length > 4096) return send(400, { ok: false, error_code: 400, description: 'Bad Request: message is too long' });
        return ok({ message_id: bot.nextMessageId++, date: Math.floor(Date.now() / 1000), chat: chat(params['chat_id']), text: params['text'] });
      case 'sendPhoto':
      case 'sendDocument': {
        const field = method === 'sendPhoto' ? 'photo' : 'document';
        if (!files[field] && typeof params[field] !== 'string') return send(400, { ok: false, error_code: 400, description: `Bad Request: there is no ${field} in the request` });
        return ok({ message_id: bot.nextMessageId++, date: Math.floor(Date.now() / 1000), chat: chat(params['chat_id']), ...(params['caption'] ? { caption: params['caption'] } : {}) });
      }
      default:
        return send(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  }

  private getUpdates(token: string, bot: BotState, params: Record<string, unknown>, send: (s: number, b: unknown) => void, res: http.ServerResponse): void {
    if (bot.webhook) return send(409, { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" });
    const offset = params['offset'] === undefined ? undefined : Number(params['offset']);
    if (offset !== undefined) {
      bot.confirmedBelow = Math.max(bot.confirmedBelow, offset);
      bot.updates = bot.updates.filter((u) => Number(u['update_id']) >= bot.confirmedBelow);
    }
    // A newer poll ends the older one with 409, as Telegram does.
    for (const p of bot.polls) {
      this.conflicts++;
      p.answer(409, { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
    }
    const timeout = Math.max(0, Number(params['timeout'] ?? 0));
    const poll = {
      answer: (status: number, body: unknown) => {
        bot.polls.delete(poll);
        this.waiters.delete(check);
        clearTimeout(timer);
        send(status, body);
      },
    };
    const check = () => {
      if (bot.updates.length) poll.answer(200, { ok: true, result: bot.updates.slice(0, 100) });
    };
    const timer = setTimeout(() => poll.answer(200, { ok: true, result: [] }), timeout * 1000);
    bot.polls.add(poll);
    // A poller that went away (a killed node) no longer counts as polling.
    res.on('close', () => {
      bot.polls.delete(poll);
      this.waiters.delete(check);
      clearTimeout(timer);
    });
    this.maxConcurrentPolls.set(token, Math.max(this.maxConcurrentPolls.get(token) ?? 0, bot.polls.size));
    this.waiters.add(check);
    check();
  }
}

async function parseBody(req: http.IncomingMessage, raw: Buffer, url: URL): Promise<{ params: Record<string, unknown>; files: RecordedCall['files'] }> {
  const type = req.headers['content-type'] ?? '';
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const files: RecordedCall['files'] = {};
  if (type.includes('application/json') && raw.length) Object.assign(params, JSON.parse(raw.toString('utf8')));
  else if (type.includes('multipart/form-data')) {
    const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
    if (boundary) {
      for (const part of splitMultipart(raw, boundary)) {
        const name = /[; ]name="?([^";\r\n]*)"?/.exec(part.headers)?.[1];
        if (!name) continue;
        const filename = /filename="?([^";\r\n]*)"?/.exec(part.headers)?.[1];
        if (filename !== undefined) {
          files[name] = { name: filename, type: /content-type:\s*([^\r\n]+)/i.exec(part.headers)?.[1] ?? '', bytes: part.body };
        } else {
          const value = part.body.toString('utf8');
          // grammY sends every field as a string; objects arrive as JSON.
          params[name] = /^[[{]/.test(value) ? safeJson(value) : /^-?\d+$/.test(value) ? Number(value) : value;
        }
      }
    }
  }
  // grammY names the file part at random and refers to it as `attach://<name>` in the field.
  for (const [key, value] of Object.entries(params)) {
    const ref = typeof value === 'string' ? /^attach:\/\/(.+)$/.exec(value) : null;
    if (ref && files[ref[1]!]) files[key] = files[ref[1]!]!;
  }
  return { params, files };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The parts of a multipart/form-data body: headers as text, body as bytes. */
function splitMultipart(raw: Buffer, boundary: string): { headers: string; body: Buffer }[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: string; body: Buffer }[] = [];
  let at = raw.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const next = raw.indexOf(delimiter, start);
    if (next < 0) break;
    const chunk = raw.subarray(start, next);
    const headerEnd = chunk.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      let body = chunk.subarray(headerEnd + 4);
      if (body.subarray(-2).toString() === '\r\n') body = body.subarray(0, -2);
      parts.push({ headers: chunk.subarray(0, headerEnd).toString('utf8'), body: Buffer.from(body) });
    }
    at = next;
  }
  return parts;
}

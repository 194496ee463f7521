import type {
  Agent,
  Attachment,
  CannedResponse,
  Contact,
  Inbox,
  InboxConversation,
  IntentModel,
  Me,
  Message,
  Page,
  RoutingRule,
  RoutingSettings,
  RuleBody,
  RulePatch,
  SearchHit,
  Team,
} from '../types.js';
import { http } from './http.js';

const enc = encodeURIComponent;

/** Typed wrappers over the REST API (`/api/v1`). */
export const api = {
  login: (email: string, password: string) => http.post<{ agent: Me }>('/auth/login', { email, password }),
  logout: () => http.post<void>('/auth/logout'),
  me: () => http.get<Me>('/auth/me'),

  conversations: (query: string) => http.get<Page<InboxConversation>>(`/conversations?${query}`),
  conversation: (id: string) => http.get<InboxConversation>(`/conversations/${enc(id)}`),
  /** Delivery state of the replies of a provider-channel conversation (Telegram, …). */
  deliveries: (id: string) => http.get<{ items: { messageId: string; status: string; error: string | null }[] }>(`/conversations/${enc(id)}/deliveries`),
  patchConversation: (id: string, patch: Record<string, unknown>) => http.patch<InboxConversation>(`/conversations/${enc(id)}`, patch),
  messages: (id: string, q: { before?: number; after?: number; limit?: number }) => {
    const p = new URLSearchParams({ limit: String(q.limit ?? 50) });
    if (q.before !== undefined) p.set('before', String(q.before));
    if (q.after !== undefined) p.set('after', String(q.after));
    return http.get<Page<Message>>(`/conversations/${enc(id)}/messages?${p}`);
  },
  /** `replyToSeq`: the message of this conversation the new one answers. */
  sendMessage: (id: string, body: { body: string; private: boolean; clientId: string; attachments?: string[]; replyToSeq?: number }) =>
    http.post<Message>(`/conversations/${enc(id)}/messages`, body),

  contact: (id: string) => http.get<Contact>(`/contacts/${enc(id)}`),
  contactConversations: (id: string) => http.get<Page<InboxConversation>>(`/contacts/${enc(id)}/conversations`),

  agents: () => http.get<Page<Agent>>('/agents'),
  createAgent: (b: { email: string; name: string; password: string; role: string }) => http.post<Agent>('/agents', b),
  teams: () => http.get<Page<Team>>('/teams'),
  createTeam: (name: string) => http.post<Team>('/teams', { name }),
  setTeamMembers: (teamId: string, agentIds: string[]) => http.put<void>(`/teams/${enc(teamId)}/members`, { agentIds }),
  presence: () => http.get<{ online: string[]; away?: string[] }>('/presence'),
  setPresence: (status: 'online' | 'away') => http.put<unknown>('/presence/me', { status }),

  inboxes: () => http.get<Page<Inbox>>('/inboxes'),
  createInbox: (b: { name: string; channel: string; settings: Record<string, unknown> }) => http.post<Inbox>('/inboxes', b),
  patchInbox: (id: string, b: { name?: string; settings?: Record<string, unknown> }) => http.patch<Inbox>(`/inboxes/${enc(id)}`, b),

  canned: (q = '') => http.get<Page<CannedResponse>>(`/canned-responses${q ? `?q=${enc(q)}` : ''}`),
  createCanned: (b: { shortCode: string; content: string }) => http.post<CannedResponse>('/canned-responses', b),
  patchCanned: (id: string, b: { shortCode?: string; content?: string }) => http.patch<CannedResponse>(`/canned-responses/${enc(id)}`, b),
  deleteCanned: (id: string) => http.del<void>(`/canned-responses/${enc(id)}`),

  upload: (file: File) => http.upload<Attachment>(`/attachments?name=${enc(file.name)}`, file, file.type),
  search: (q: string, limit = 20) => http.get<Page<SearchHit>>(`/search?q=${enc(q)}&limit=${limit}`),

  /** An agent's correction: the conversation comes back out of triage (and routed, if nobody had it). */
  setIntent: (id: string, intent: string) => http.put<InboxConversation>(`/conversations/${enc(id)}/intent`, { intent }),
  intentLabels: () => http.get<Page<string>>('/intent/labels'),
  intentRules: () => http.get<Page<RoutingRule>>('/intent/rules'),
  createIntentRule: (b: RuleBody) => http.post<RoutingRule>('/intent/rules', b),
  /** Changes some fields of a rule (null clears one); `position` moves it in the order rules are tried. */
  patchIntentRule: (id: string, b: RulePatch) => http.patch<RoutingRule>(`/intent/rules/${enc(id)}`, b),
  deleteIntentRule: (id: string) => http.del<void>(`/intent/rules/${enc(id)}`),
  intentSettings: () => http.get<RoutingSettings>('/intent/settings'),
  putIntentSettings: (b: RoutingSettings) => http.put<RoutingSettings>('/intent/settings', b),
  intentModels: () => http.get<Page<IntentModel>>('/intent/models'),
};

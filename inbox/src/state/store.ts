import type { Agent, CannedResponse, Contact, Inbox, InboxConversation, Me, SearchHit, Team } from '../types.js';
import { DEFAULT_FILTER, type ListFilter } from './list.js';
import type { Outgoing } from './timeline.js';
import type { Message } from '../types.js';
import { parseRoute, type Route } from './router.js';

/** One loaded conversation timeline. */
export interface Timeline {
  messages: Message[];
  hasEarlier: boolean;
  loading: boolean;
  pending: Outgoing[];
  error: string | null;
}

/** Everything the inbox renders from. Replaced (never mutated) on every change. */
export interface State {
  authChecked: boolean;
  me: Me | null;
  route: Route;
  connection: 'connecting' | 'online' | 'offline';
  filter: ListFilter;
  list: InboxConversation[];
  nextCursor: string | null;
  listLoading: boolean;
  listError: string | null;
  conversations: Record<string, InboxConversation>;
  timelines: Record<string, Timeline>;
  previews: Record<string, string>;
  readSeq: Record<string, number>;
  /** Delivery state of replies on provider channels, by message id. */
  deliveries: Record<string, { status: string; error: string | null }>;
  contactRead: Record<string, number>;
  typing: Record<string, { name: string; until: number }>;
  contacts: Record<string, Contact>;
  contactHistory: Record<string, InboxConversation[]>;
  agents: Agent[];
  teams: Team[];
  inboxes: Inbox[];
  canned: CannedResponse[];
  intents: string[];
  /** Labels the tenant's intent models know (`/intent/labels`): what the intent picker offers. */
  intentLabels: string[];
  online: string[];
  away: string[];
  /** Null until known; false hides the presence toggle (older servers). */
  presenceToggle: boolean | null;
  myStatus: 'online' | 'away';
  searchAvailable: boolean;
  search: { q: string; results: SearchHit[] | null; loading: boolean };
  showHelp: boolean;
  /** Focus the composer (at = when asked); `mode` also switches Reply / Private note. */
  composerFocus: { mode?: 'reply' | 'note'; at: number } | null;
  /** The message each conversation's composer answers ("Reply to this message"), by seq. */
  replyTo: Record<string, number>;
  toast: string | null;
}

export function initialState(pathname: string): State {
  return {
    authChecked: false,
    me: null,
    route: parseRoute(pathname),
    connection: 'connecting',
    filter: DEFAULT_FILTER,
    list: [],
    nextCursor: null,
    listLoading: false,
    listError: null,
    conversations: {},
    timelines: {},
    previews: {},
    readSeq: {},
    deliveries: {},
    contactRead: {},
    typing: {},
    contacts: {},
    contactHistory: {},
    agents: [],
    teams: [],
    inboxes: [],
    canned: [],
    intents: [],
    intentLabels: [],
    online: [],
    away: [],
    presenceToggle: null,
    myStatus: 'online',
    searchAvailable: false,
    search: { q: '', results: null, loading: false },
    showHelp: false,
    composerFocus: null,
    replyTo: {},
    toast: null,
  };
}

/** A minimal observable store: `set` merges a patch and notifies subscribers. */
export class Store {
  private listeners = new Set<() => void>();
  constructor(public state: State) {}

  get(): State {
    return this.state;
  }

  set(patch: Partial<State> | ((s: State) => Partial<State>)): void {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    for (const l of this.listeners) l();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

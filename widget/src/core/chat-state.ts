import type { LogEntry } from './messages.js';
import type { InboxInfo, Message } from './types.js';

export type ChatStatus = 'idle' | 'connecting' | 'online' | 'offline' | 'error';

/** What the panel renders. Replaced (never mutated) on every change. */
export interface ChatState {
  status: ChatStatus;
  /** Error code when `status` is `error` (the server refused the widget). */
  errorCode: string | null;
  inbox: InboxInfo | null;
  log: LogEntry[];
  unread: number;
  /** Name of whoever on the agent side is typing, '' when unknown, null when nobody is. */
  typing: string | null;
  /** The last agent who wrote, for the header. */
  agentName: string | null;
  preChatNeeded: boolean;
}

/** What the host page hears about (through the loader's `on(...)`). */
export interface ChatEvents {
  ready(): void;
  message(m: Message): void;
  unread(count: number): void;
}

/** Before `start()` and after a logout. */
export const IDLE_STATE: ChatState = { status: 'idle', errorCode: null, inbox: null, log: [], unread: 0, typing: null, agentName: null, preChatNeeded: false };

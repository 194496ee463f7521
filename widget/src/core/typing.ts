import type { Timers } from './socket.js';
import type { OutgoingFrame } from './types.js';

/** Repeating `on` while the visitor keeps typing keeps the agent's indicator from expiring. */
const REPEAT_MS = 3_000;
/** A pause this long counts as having stopped: nobody clears the box to say so. */
const IDLE_MS = 4_000;
/** An agent who closes the tab mid-sentence never sends `off`: their indicator goes away by itself. */
const AGENT_EXPIRY_MS = 8_000;

export interface TypingSignalsDeps {
  socket: { send(frame: OutgoingFrame): boolean };
  timers: Timers;
  now: () => number;
  conversationId: () => string | null;
  /** Who on the agent side is typing now ('' when unknown), or null when nobody is. */
  onAgentTyping: (name: string | null) => void;
}

/**
 * The typing indicator both ways: the visitor's `typing` frames, throttled and switched off
 * after a pause, and the agent's indicator, which expires on its own.
 */
export class TypingSignals {
  #on = false;
  #sentAt = 0;
  #idleTimer: unknown = null;
  #agentTimer: unknown = null;

  readonly #deps: TypingSignalsDeps;

  constructor(deps: TypingSignalsDeps) {
    this.#deps = deps;
  }

  /** The visitor typed (`hasText`) or cleared the box. */
  composing(hasText: boolean): void {
    const conversationId = this.#deps.conversationId();
    if (!hasText || !conversationId) return this.stop();
    const now = this.#deps.now();
    if ((!this.#on || now - this.#sentAt > REPEAT_MS) && this.#deps.socket.send({ type: 'typing', conversationId, on: true })) {
      this.#on = true;
      this.#sentAt = now;
    }
    this.#deps.timers.clearTimeout(this.#idleTimer);
    this.#idleTimer = this.#deps.timers.setTimeout(() => this.stop(), IDLE_MS);
  }

  /** The visitor stopped typing (or sent): `off`, if an `on` went out. */
  stop(): void {
    this.#deps.timers.clearTimeout(this.#idleTimer);
    const conversationId = this.#deps.conversationId();
    if (this.#on && conversationId) this.#deps.socket.send({ type: 'typing', conversationId, on: false });
    this.#on = false;
  }

  /** The connection dropped: the next keystroke says `on` again at once instead of waiting out the throttle. */
  connectionLost(): void {
    this.#on = false;
  }

  /** An agent started typing (their name, '' when unknown) or stopped (null). */
  agentTyping(name: string | null): void {
    this.#deps.timers.clearTimeout(this.#agentTimer);
    if (name !== null) this.#agentTimer = this.#deps.timers.setTimeout(() => this.#deps.onAgentTyping(null), AGENT_EXPIRY_MS);
    this.#deps.onAgentTyping(name);
  }
}

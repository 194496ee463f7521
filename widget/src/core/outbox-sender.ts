import { dueForSend, type OutboxEntry } from './outbox.js';
import type { SessionStore } from './session.js';
import type { Timers } from './socket.js';
import type { OutgoingFrame } from './types.js';

/** An ack that does not come within this long marks the send failed (Retry keeps its clientId). */
export const ACK_TIMEOUT_MS = 15_000;

export interface OutboxSenderDeps {
  store: SessionStore;
  socket: { readonly ready: boolean; send(frame: OutgoingFrame): boolean };
  timers: Timers;
  conversationId: () => string | null;
  /** An outbox entry changed state (failed): the log shows it. */
  onChange: (entry: OutboxEntry) => void;
}

/**
 * Sends the stored outbox over the socket and tracks what awaits an ack. Every send carries
 * the entry's clientId, so sending again after a reconnect can never store a message twice.
 */
export class OutboxSender {
  readonly #inFlight = new Map<string, unknown>();

  readonly #deps: OutboxSenderDeps;

  constructor(deps: OutboxSenderDeps) {
    this.#deps = deps;
  }

  /**
   * Sends what is due. Without a conversation only the first message goes: its ack names the
   * conversation the server created, and the rest must join it rather than open more.
   */
  flush(): void {
    if (!this.#deps.socket.ready) return;
    const conversationId = this.#deps.conversationId();
    const due = dueForSend(this.#deps.store.outbox());
    for (const o of conversationId ? due : due.slice(0, 1)) {
      if (this.#inFlight.has(o.clientId)) continue;
      const sent = this.#deps.socket.send({
        type: 'message.send',
        clientId: o.clientId,
        ...(conversationId ? { conversationId } : {}),
        body: o.body,
        ...(o.attachments.length ? { attachments: o.attachments.map((a) => a.id) } : {}),
      });
      if (!sent) return;
      const timer = this.#deps.timers.setTimeout(() => {
        this.#inFlight.delete(o.clientId);
        this.fail(o.clientId, 'timeout');
      }, ACK_TIMEOUT_MS);
      this.#inFlight.set(o.clientId, timer);
    }
  }

  /** The server acknowledged `clientId`: it leaves the outbox. */
  acknowledged(clientId: string): void {
    this.#settle(clientId);
    this.#deps.store.removeOutbox(clientId);
  }

  /** The server refused `clientId` (error frame) or never answered: it waits for "Retry". */
  fail(clientId: string, error: string): void {
    this.#settle(clientId);
    const entry = this.#deps.store.outbox().find((o) => o.clientId === clientId);
    if (!entry) return; // acknowledged meanwhile
    const failed: OutboxEntry = { ...entry, state: 'failed', error };
    this.#deps.store.putOutbox(failed);
    this.#deps.onChange(failed);
  }

  /** "Retry": the entry is due again, with its original clientId. */
  retry(clientId: string): void {
    const entry = this.#deps.store.outbox().find((o) => o.clientId === clientId);
    if (!entry) return;
    const again: OutboxEntry = { ...entry, state: 'sending' };
    delete again.error;
    this.#deps.store.putOutbox(again);
    this.#deps.onChange(again);
    this.flush();
  }

  /** The connection is gone: whatever was in flight goes again on the next one. */
  connectionLost(): void {
    for (const t of this.#inFlight.values()) this.#deps.timers.clearTimeout(t);
    this.#inFlight.clear();
  }

  #settle(clientId: string): void {
    this.#deps.timers.clearTimeout(this.#inFlight.get(clientId));
    this.#inFlight.delete(clientId);
  }
}

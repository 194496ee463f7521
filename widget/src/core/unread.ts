import { countUnread, highestSeq, type LogEntry } from './messages.js';
import type { OutgoingFrame } from './types.js';
import type { VisitorSession } from './visitor-session.js';

export interface ReadTrackerDeps {
  visitor: Pick<VisitorSession, 'current' | 'update'>;
  socket: { send(frame: OutgoingFrame): boolean };
  log: () => readonly LogEntry[];
  /** The current conversation's log is complete (first sync done); until then the stored unread count stands. */
  synced: () => boolean;
  /** The unread count shown now. */
  shown: () => number;
  /** A new unread count to show and tell the host page about. */
  onUnread: (count: number) => void;
}

/**
 * What the visitor has read: an open panel on a visible page reads everything (and says so on
 * the socket); otherwise agent messages count as unread, in the stored session too so that a
 * reload shows the count before the log is synced.
 */
export class ReadTracker {
  #panelOpen = false;
  #pageVisible = true;
  #sentSeq = 0;
  #reported = false;

  readonly #deps: ReadTrackerDeps;

  constructor(deps: ReadTrackerDeps) {
    this.#deps = deps;
  }

  setOpen(open: boolean): void {
    this.#panelOpen = open;
    this.markRead();
  }

  setPageVisible(visible: boolean): void {
    this.#pageVisible = visible;
    this.markRead();
  }

  /** The conversation changed: the reads sent so far were about the old one. */
  conversationChanged(): void {
    this.#sentSeq = 0;
  }

  /** Reads everything, when the visitor can see it. */
  markRead(): void {
    const { visitor, socket } = this.#deps;
    const conversationId = visitor.current?.conversationId ?? null;
    if (!this.#panelOpen || !this.#pageVisible || !conversationId || !this.#deps.synced()) return;
    const top = highestSeq(this.#deps.log());
    if (top > this.#sentSeq && socket.send({ type: 'read', conversationId, seq: top })) this.#sentSeq = top;
    if (top > (visitor.current?.readSeq ?? 0)) visitor.update({ readSeq: top });
    this.refresh();
  }

  /** Recounts unread messages once the log is complete; reports changes (and the first count). */
  refresh(): void {
    if (!this.#deps.synced()) return;
    const n = countUnread(this.#deps.log(), this.#deps.visitor.current?.readSeq ?? 0);
    if (n === this.#deps.shown() && this.#reported) return;
    this.#reported = true;
    this.#deps.visitor.update({ unread: n });
    this.#deps.onUnread(n);
  }
}

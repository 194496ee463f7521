import type { Bus, BusEvent, Unsubscribe } from './bus.js';

/** The embedded bus: synchronous fan-out inside one process. */
export class MemoryBus implements Bus {
  private readonly topics = new Map<string, Set<(e: BusEvent) => void>>();

  async publish(topic: string, event: BusEvent): Promise<void> {
    const handlers = this.topics.get(topic);
    if (!handlers) return;
    for (const h of [...handlers]) {
      try {
        h(event);
      } catch {
        // One broken subscriber must not stop delivery to the others.
      }
    }
  }

  async subscribe(topic: string, handler: (e: BusEvent) => void): Promise<Unsubscribe> {
    let set = this.topics.get(topic);
    if (!set) this.topics.set(topic, (set = new Set()));
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0) this.topics.delete(topic);
    };
  }

  /** An in-process bus never loses events, so it never asks for a resync. */
  onResync(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    this.topics.clear();
  }
}

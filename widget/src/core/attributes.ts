import { NetworkError } from './api.js';
import type { AttributeValue } from './types.js';

/**
 * Custom contact attributes from the host page, held until the server took them: the page may
 * set them before a session exists or while the visitor is offline.
 */
export class PendingAttributes {
  #pending: Record<string, AttributeValue> = {};

  add(attrs: Record<string, AttributeValue>): void {
    Object.assign(this.#pending, attrs);
  }

  clear(): void {
    this.#pending = {};
  }

  /** Hands what is pending to `save`. */
  async flush(save: (attrs: Record<string, AttributeValue>) => Promise<unknown>): Promise<void> {
    const attrs = this.#pending;
    if (Object.keys(attrs).length === 0) return;
    this.#pending = {};
    try {
      await save(attrs);
    } catch (err) {
      // Offline: keep them (newer values win) for the next connection; a refusal is final.
      if (err instanceof NetworkError) this.#pending = { ...attrs, ...this.#pending };
    }
  }
}

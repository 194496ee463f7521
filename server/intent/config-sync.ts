import { CONFIG_TOPIC, type Bus, type ConfigChanged } from '../bus/bus.js';
import type { Logger } from '../logger.js';

/** What a node caches of a tenant's routing configuration. */
export interface ConfigCaches {
  rules: { invalidate(tenantId?: string): void };
  models: { invalidate(tenantId?: string): void };
}

/**
 * Keeps every node's cached routing configuration (rules, triage settings, model versions)
 * fresh: a change made through one node is announced on the bus, and each node drops its copy
 * when the notice arrives. Notices missed while a node was cut off from the bus are covered by
 * dropping everything when the bus resyncs.
 */
export class ConfigSync {
  private unsubscribe: (() => Promise<void>) | undefined;
  private stopResync: (() => void) | undefined;

  constructor(private readonly d: { bus: Bus; log: Logger }) {}

  /** Callback for a cache owner: announces that `area` of the tenant changed. */
  announcer(area: ConfigChanged['area']): (tenantId: string) => void {
    return (tenantId) => {
      this.d.bus.publish(CONFIG_TOPIC, { kind: 'config.changed', tenantId, area }).catch((err) => this.d.log.warn({ err }, 'announcing a routing change failed'));
    };
  }

  async start(caches: ConfigCaches): Promise<void> {
    this.unsubscribe = await this.d.bus.subscribe(CONFIG_TOPIC, (e) => {
      if (e.kind !== 'config.changed') return;
      (e.area === 'routing' ? caches.rules : caches.models).invalidate(e.tenantId);
    });
    this.stopResync = this.d.bus.onResync(() => {
      caches.rules.invalidate();
      caches.models.invalidate();
    });
  }

  async stop(): Promise<void> {
    this.stopResync?.();
    await this.unsubscribe?.();
  }
}

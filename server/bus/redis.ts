import type { RedisClient, RedisKeys } from '../redis/client.js';
import type { Bus, BusEvent, Unsubscribe } from './bus.js';

export interface RedisBusOptions {
  /** Publishing connection (shared with other commands). */
  publisher: RedisClient;
  /** A connection used only for subscriptions (Redis requires a dedicated one). */
  subscriber: RedisClient;
  keys: RedisKeys;
  /** True on Redis Cluster: publishes then go through the channel's slot owner (see `publish`). */
  cluster?: boolean;
  onError?: (err: unknown) => void;
}

/** Runs PUBLISH on the node that owns the channel name's slot. */
const PUBLISH_VIA_SLOT_OWNER = "return redis.call('PUBLISH', KEYS[1], ARGV[1])";
type SlotPublisher = RedisClient & { sbPublish(channel: string, payload: string): Promise<number> };

/** An event goes to two topics (tenant and contact) as the same object: encode it once. */
const eventJson = new WeakMap<BusEvent, string>();

/**
 * Cross-node fan-out over Redis pub/sub. A node subscribes only to the topics its connected
 * clients need (reference-counted). After the subscriber connection comes back from an outage
 * it resubscribes every topic and then fires `onResync`, because events published during the
 * gap are gone: clients must `sync` from their last seq.
 */
export class RedisBus implements Bus {
  private readonly handlers = new Map<string, Set<(e: BusEvent) => void>>();
  private readonly resyncListeners = new Set<() => void>();
  private connectedOnce = false;
  private closed = false;

  constructor(private readonly opts: RedisBusOptions) {
    const { subscriber } = opts;
    if (opts.cluster && !('sbPublish' in opts.publisher)) {
      opts.publisher.defineCommand('sbPublish', { numberOfKeys: 1, lua: PUBLISH_VIA_SLOT_OWNER });
    }
    subscriber.on('message', (channel: string, payload: string) => this.dispatch(channel, payload));
    subscriber.on('ready', () => void this.onReady());
    subscriber.on('error', (err: unknown) => opts.onError?.(err));
    if ((subscriber as { status?: string }).status === 'ready') this.connectedOnce = true;
  }

  /**
   * On Redis Cluster a plain PUBLISH goes to any node and reaches the others over the cluster
   * bus, so two publishes of one topic may overtake each other. Sending every publish of a
   * channel through the same node (a script keyed by the channel name) keeps them in order.
   */
  async publish(topic: string, event: BusEvent): Promise<void> {
    const channel = this.opts.keys.channel(topic);
    let payload = eventJson.get(event);
    if (payload === undefined) eventJson.set(event, (payload = JSON.stringify(event)));
    if (this.opts.cluster) await (this.opts.publisher as SlotPublisher).sbPublish(channel, payload);
    else await this.opts.publisher.publish(channel, payload);
  }

  async subscribe(topic: string, handler: (e: BusEvent) => void): Promise<Unsubscribe> {
    let set = this.handlers.get(topic);
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
    }
    set.add(handler);
    // Subscribing again to a channel already subscribed is harmless and confirms it.
    await this.opts.subscriber.subscribe(this.opts.keys.channel(topic));
    return async () => {
      set.delete(handler);
      if (set.size > 0 || this.handlers.get(topic) !== set) return;
      this.handlers.delete(topic);
      if (!this.closed) await this.opts.subscriber.unsubscribe(this.opts.keys.channel(topic)).catch((err) => this.opts.onError?.(err));
    };
  }

  /** Called after a reconnect, once every topic is subscribed again. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    this.resyncListeners.clear();
  }

  private dispatch(channel: string, payload: string): void {
    const prefix = this.opts.keys.channel('');
    if (!channel.startsWith(prefix)) return;
    const handlers = this.handlers.get(channel.slice(prefix.length));
    if (!handlers) return;
    let event: BusEvent;
    try {
      event = JSON.parse(payload) as BusEvent;
    } catch (err) {
      this.opts.onError?.(err);
      return;
    }
    for (const h of [...handlers]) {
      try {
        h(event);
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }

  private async onReady(): Promise<void> {
    if (!this.connectedOnce) {
      this.connectedOnce = true;
      return;
    }
    if (this.closed) return;
    const channels = [...this.handlers.keys()].map((t) => this.opts.keys.channel(t));
    try {
      if (channels.length) await this.opts.subscriber.subscribe(...channels);
    } catch (err) {
      this.opts.onError?.(err);
    }
    for (const l of [...this.resyncListeners]) l();
  }
}

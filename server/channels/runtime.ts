import type { ChannelHost, ChannelInbox, ChannelName, ProviderChannel } from '../contract/index.js';
import type { Logger } from '../logger.js';
import type { InboxRecord, InboxRepo } from '../inboxes/repo.js';
import type { ChannelIngest } from './ingest.js';
import { whileLeader, type LeaseStore } from './lease.js';

/** The provider-channel view of a stored inbox (secrets included: never log it). */
export const toChannelInbox = (r: InboxRecord): ChannelInbox => ({ tenantId: r.tenantId, inboxId: r.id, name: r.name, settings: r.settings, secrets: r.secrets });

export interface ChannelRuntimeDeps {
  channels: ReadonlyMap<ChannelName, ProviderChannel>;
  inboxes: InboxRepo;
  ingest: ChannelIngest;
  leases: LeaseStore;
  nodeId: string;
  /** Lifetime of a polling lease; a dead poller is replaced within it. */
  leaseMs: number;
  log: Logger;
}

/**
 * Runs the provider channels of one node: connects every inbox at boot (webhook registration
 * or lease-guarded polling), reconnects an inbox when it is created or changed, and
 * disconnects everything on shutdown.
 */
export class ChannelRuntime {
  readonly host: ChannelHost;
  private readonly stopping = new AbortController();
  /** Inboxes this node has connected, so a rescan only picks up ones created elsewhere. */
  private readonly started = new Set<string>();
  private rescanTimer: NodeJS.Timeout | undefined;

  constructor(private readonly d: ChannelRuntimeDeps) {
    const log = d.log.child({ part: 'channels' });
    this.host = {
      receive: (inbox, message) => d.ingest.receive(inbox, message),
      whileLeader: (name, work, signal) => {
        const both = AbortSignal.any([signal, this.stopping.signal]);
        return whileLeader(d.leases, name, d.nodeId, work, both, {
          ttlMs: d.leaseMs,
          onError: (err) => log.warn({ lease: name, err: { message: err instanceof Error ? err.message : String(err) } }, 'lease error'),
          onChange: (leader) => log.info({ lease: name, leader }, leader ? 'lease taken' : 'lease given up'),
        });
      },
      log,
    };
  }

  /**
   * Connects every inbox of every provider channel (one failing inbox does not stop the
   * others), then looks again every `rescanMs` for inboxes created through other nodes, so
   * every node competes for every polling lease.
   */
  async startAll(rescanMs = Math.max(2000, this.d.leaseMs)): Promise<void> {
    await this.startUnknown();
    if (!this.stopping.signal.aborted && !this.rescanTimer) {
      this.rescanTimer = setInterval(() => {
        this.startUnknown().catch((err) => this.d.log.warn({ err: { message: String(err) } }, 'rescanning channel inboxes failed'));
      }, rescanMs);
      this.rescanTimer.unref();
    }
  }

  private async startUnknown(): Promise<void> {
    for (const channel of this.d.channels.values()) {
      for (const record of await this.d.inboxes.listByChannel(channel.name)) {
        if (!this.started.has(record.id)) await this.startInbox(channel, record);
      }
    }
  }

  /** After `POST`/`PATCH /api/v1/inboxes`: (re)connects a provider inbox. */
  async inboxSaved(record: InboxRecord): Promise<void> {
    const channel = this.d.channels.get(record.channel);
    if (channel) await this.startInbox(channel, record);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.rescanTimer);
    await Promise.all([...this.d.channels.values()].map((c) => c.stop()));
  }

  private async startInbox(channel: ProviderChannel, record: InboxRecord): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.started.add(record.id);
    try {
      await channel.start(toChannelInbox(record), this.host);
    } catch (err) {
      this.d.log.warn({ inboxId: record.id, channel: channel.name, err: { message: err instanceof Error ? err.message : String(err) } }, 'connecting an inbox failed');
    }
  }
}

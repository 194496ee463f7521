/** Config and result formats of the load generator (bench/loadgen/main.ts reads one config on stdin). */

export type Protocol = 'hub' | 'ws' | 'socketio';

/**
 * One conversation: full URLs of its visitor and agent connections.
 * - hub: `ws://host:port/ws?token=…` (visitor token / agent token)
 * - ws: `ws://host:port/?room=R&role=visitor|agent`
 * - socketio: `http://host:port?room=R&role=visitor|agent` (room and role are sent as socket.io `query`)
 */
export interface PairSpec {
  visitor: string;
  agent: string;
}

export interface RelayConfig {
  kind: 'relay';
  protocol: Protocol;
  pairs: PairSpec[];
  /** Offered rate summed over all pairs (open loop: message i is scheduled at start + i/rate). */
  ratePerSecond: number;
  /** Measured window, after the warm-up. */
  durationMs: number;
  /** Sent at the target rate too, results discarded. */
  warmupMs: number;
  /** How long to wait for stragglers after the last scheduled message. */
  drainMs: number;
  /** Local addresses client sockets bind to, round-robin (e.g. 127.0.0.2, 127.0.0.3, …). Empty: let the OS choose. */
  bindAddresses: string[];
  /** Connections opened at once (default 200). */
  connectConcurrency?: number;
  /** Server process ids (same machine): their CPU time over the sending window is reported per message. */
  serverPids?: number[];
}

export interface IdleConfig {
  kind: 'idle';
  protocol: Protocol;
  urls: string[];
  holdMs: number;
  bindAddresses: string[];
  connectConcurrency?: number;
  /** Written with `{"connected":k}` once every connection attempt has finished, while they are held. */
  readyFile?: string;
}

export type LoadgenConfig = RelayConfig | IdleConfig;

/** Latencies in milliseconds (microsecond resolution). All 0 when nothing was recorded. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  count: number;
}

export interface RelayResult {
  kind: 'relay';
  protocol: Protocol;
  /** Pairs configured / pairs whose both connections opened (messages go to the latter only). */
  pairs: number;
  pairsConnected: number;
  failedConnections: number;
  targetRate: number;
  /** Measured-window messages sent per second of the measured window (lower when the generator fell behind). */
  achievedRate: number;
  /** Measured-window messages sent / received by an agent (first copy) / acked. */
  sent: number;
  received: number;
  acked: number;
  /** Measured-window messages sent but never received by the agent. */
  lost: number;
  /** Measured-window messages never acked. */
  unacked: number;
  /** Extra copies received by agents (any window). */
  duplicated: number;
  /** Scheduled messages not sent because the generator fell too far behind (it gives up after 2× the run). */
  unsent: number;
  /** Error frames (or socket errors / unexpected closes during the run) by code. */
  errors: Record<string, number>;
  /** Agent receive time − scheduled send time. */
  e2e: LatencySummary;
  /** Ack receive time − scheduled send time. */
  ack: LatencySummary;
  /** Wall time to open every connection (and, for hub, the warm-up round trip). */
  connectMs: number;
  /** Max and p99 of actual send time − scheduled time, over the measured window. */
  generatorLagMaxMs: number;
  generatorLagP99Ms: number;
  /** Every message sent, warm-up included. */
  sentAll: number;
  /** This process's CPU (user + system) from the first send to the end of the drain, per message sent. */
  loadgenCpuUsPerMessage: number;
  /** Server CPU (user + system, summed over `serverPids`) from the first send to the end of the drain, per message sent. */
  serverCpuUsPerMessage?: number;
}

export interface IdleResult {
  kind: 'idle';
  protocol: Protocol;
  requested: number;
  connected: number;
  failed: number;
  /** Connections opened per second of the connect phase. */
  connectRatePerSec: number;
  connectMs: number;
  /** Connections that dropped while held. */
  droppedWhileHeld: number;
  /** Connect failures by reason (first word of the error). */
  failures: Record<string, number>;
}

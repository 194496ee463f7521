import client from 'prom-client';

/** Prometheus metrics of one node, on their own registry (no globals shared between test servers). */
export class Metrics {
  readonly registry = new client.Registry();
  readonly httpRequests = new client.Counter({
    name: 'sb_http_requests_total',
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new client.Histogram({
    name: 'sb_http_request_duration_seconds',
    help: 'HTTP request duration.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly wsConnections = new client.Gauge({
    name: 'sb_ws_connections',
    help: 'Open WebSocket connections by actor type.',
    labelNames: ['actor'] as const,
    registers: [this.registry],
  });
  readonly wsFrames = new client.Counter({
    name: 'sb_ws_frames_total',
    help: 'Client frames received, by type and outcome.',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly messagesAppended = new client.Counter({
    name: 'sb_messages_appended_total',
    help: 'Messages appended durably (duplicates excluded).',
    registers: [this.registry],
  });
  readonly appendBatchSize = new client.Histogram({
    name: 'sb_append_batch_size',
    help: 'Appends committed per transaction (group commit).',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
    registers: [this.registry],
  });
  readonly appendBatchSeconds = new client.Histogram({
    name: 'sb_append_batch_seconds',
    help: 'Time to commit one append batch.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });

  readonly cacheLookups = new client.Counter({
    name: 'sb_cache_lookups_total',
    help: 'Warm-tier lookups by kind (tail, conversation) and result (hit, miss).',
    labelNames: ['kind', 'result'] as const,
    registers: [this.registry],
  });

  readonly historyReads = new client.Counter({
    name: 'sb_history_reads_total',
    help: 'History reads by where they were answered from (cache = warm tier, database = cold).',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly intentPredictions = new client.Counter({
    name: 'sb_intent_predictions_total',
    help: "Intent predictions by model version ('default' is the shipped model) and role (routing, shadow).",
    labelNames: ['model', 'role'] as const,
    registers: [this.registry],
  });

  readonly intentFeedback = new client.Counter({
    name: 'sb_intent_feedback_total',
    help: "Agents' intent corrections and confirmations, by model version and whether its prediction agreed.",
    labelNames: ['model', 'agree'] as const,
    registers: [this.registry],
  });

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'sb_' });
  }
}

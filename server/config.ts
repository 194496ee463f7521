import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  /** `postgres://…` for PostgreSQL; unset means SQLite in `DATA_DIR`. */
  DATABASE_URL: z.string().optional(),
  /** `redis://…` (for a cluster: seed URLs separated by commas); unset means in-process tiers. */
  REDIS_URL: z.string().optional(),
  REDIS_CLUSTER: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1'),
  /** Prefix of every Redis key and channel, so deployments can share a Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]+$/).default('sb'),
  /** Names this node in Redis consumer groups and presence; default: host, pid and a random part. */
  NODE_ID: z.string().regex(/^[A-Za-z0-9_.:-]+$/).optional(),
  CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
  PRESENCE_INTERVAL_MS: z.coerce.number().int().min(100).default(15_000),
  CACHE_MAX_MESSAGES: z.coerce.number().int().min(10).max(5000).default(200),
  PUBLIC_URL: z.string().url().optional(),
  ADMIN_EMAIL: z.string().email().default('admin@example.com'),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  /** Token signing key; unset means one generated at first start and kept in the database. */
  SECRET_KEY: z.string().min(32).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AGENT_TOKEN_TTL: z.coerce.number().int().positive().default(12 * 3600),
  VISITOR_TOKEN_TTL: z.coerce.number().int().positive().default(30 * 24 * 3600),
  WS_HEARTBEAT_MS: z.coerce.number().int().positive().default(30_000),
  WS_GAP_WAIT_MS: z.coerce.number().int().min(1).default(250),
  WS_MAX_FRAME_BYTES: z.coerce.number().int().positive().default(64 * 1024),
  WS_FRAMES_PER_SECOND: z.coerce.number().int().positive().default(20),
  WS_FRAME_BURST: z.coerce.number().int().positive().default(60),
  LOGIN_RATE_PER_MINUTE: z.coerce.number().int().positive().default(10),
  SESSION_RATE_PER_MINUTE: z.coerce.number().int().positive().default(30),
  MAX_MESSAGE_CHARS: z.coerce.number().int().positive().default(10_000),
  /** Largest accepted upload, in bytes (default 10 MiB). */
  MAX_ATTACHMENT_BYTES: z.coerce.number().int().positive().max(512 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Where uploaded files are stored; default `<DATA_DIR>/attachments`. */
  ATTACHMENTS_DIR: z.string().optional(),
  UPLOAD_RATE_PER_MINUTE: z.coerce.number().int().positive().default(20),
  DB_POOL_MAX: z.coerce.number().int().positive().default(10),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(10_000),
  SNOOZE_CHECK_MS: z.coerce.number().int().positive().default(15_000),
  /** Lifetime of a channel polling lease (Telegram long polling runs on one node at a time). */
  CHANNEL_LEASE_MS: z.coerce.number().int().min(500).default(15_000),
  /** `getUpdates` long-poll timeout in seconds; kept below the lease lifetime. */
  TELEGRAM_POLL_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(50).default(25),
  /** Outbound delivery: tries before giving up, and the first retry delay (doubling up to 5 min). */
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  DELIVERY_BACKOFF_MS: z.coerce.number().int().min(1).default(1000),
  /** How often each node re-enqueues deliveries whose queue entry was lost (and how overdue they must be). */
  DELIVERY_SWEEP_MS: z.coerce.number().int().min(100).default(30_000),
  /** Intent model directory (model.onnx + model.json); default: the shipped models/default; `off` disables. */
  INTENT_MODEL_DIR: z.string().optional(),
  INTENT_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.5),
  /** Largest intent model upload (all files together). */
  INTENT_MODEL_MAX_BYTES: z.coerce.number().int().min(1).default(256 * 1024 * 1024),
});

/** Validated process configuration; built once, in the composition root. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisCluster: boolean;
  redisPrefix: string;
  nodeId: string;
  cacheTtlSeconds: number;
  cacheMaxMessages: number;
  /** How often a node renews its agents' presence; an entry lives three intervals. */
  presenceIntervalMs: number;
  publicUrl: string | undefined;
  adminEmail: string;
  adminPassword: string | undefined;
  secretKey: string | undefined;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  agentTokenTtl: number;
  visitorTokenTtl: number;
  wsHeartbeatMs: number;
  wsMaxFrameBytes: number;
  /** How long live delivery waits for a missing seq before reading it from the database. */
  wsGapWaitMs: number;
  wsFramesPerSecond: number;
  wsFrameBurst: number;
  loginRatePerMinute: number;
  sessionRatePerMinute: number;
  maxMessageChars: number;
  maxAttachmentBytes: number;
  attachmentsDir: string;
  uploadRatePerMinute: number;
  dbPoolMax: number;
  shutdownGraceMs: number;
  /** How often snoozed conversations are checked for their wake-up time. */
  snoozeCheckMs: number;
  channelLeaseMs: number;
  telegramPollTimeoutSeconds: number;
  deliveryMaxAttempts: number;
  deliveryBackoffMs: number;
  deliverySweepMs: number;
  /** Undefined: the shipped default model; null: intent routing off. */
  intentModelDir: string | null | undefined;
  intentMinConfidence: number;
  intentModelMaxBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment. Throws `ConfigError` listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisCluster: e.REDIS_CLUSTER,
    redisPrefix: e.REDIS_PREFIX,
    nodeId: e.NODE_ID ?? `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`,
    cacheTtlSeconds: e.CACHE_TTL_SECONDS,
    cacheMaxMessages: e.CACHE_MAX_MESSAGES,
    presenceIntervalMs: e.PRESENCE_INTERVAL_MS,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    secretKey: e.SECRET_KEY,
    logLevel: e.LOG_LEVEL,
    agentTokenTtl: e.AGENT_TOKEN_TTL,
    visitorTokenTtl: e.VISITOR_TOKEN_TTL,
    wsHeartbeatMs: e.WS_HEARTBEAT_MS,
    wsMaxFrameBytes: e.WS_MAX_FRAME_BYTES,
    wsGapWaitMs: e.WS_GAP_WAIT_MS,
    wsFramesPerSecond: e.WS_FRAMES_PER_SECOND,
    wsFrameBurst: e.WS_FRAME_BURST,
    loginRatePerMinute: e.LOGIN_RATE_PER_MINUTE,
    sessionRatePerMinute: e.SESSION_RATE_PER_MINUTE,
    maxMessageChars: e.MAX_MESSAGE_CHARS,
    maxAttachmentBytes: e.MAX_ATTACHMENT_BYTES,
    attachmentsDir: path.resolve(e.ATTACHMENTS_DIR ?? path.join(e.DATA_DIR, 'attachments')),
    uploadRatePerMinute: e.UPLOAD_RATE_PER_MINUTE,
    dbPoolMax: e.DB_POOL_MAX,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    snoozeCheckMs: e.SNOOZE_CHECK_MS,
    channelLeaseMs: e.CHANNEL_LEASE_MS,
    // A long poll must end well inside the lease, so a lost lease stops polling in time.
    telegramPollTimeoutSeconds: Math.min(e.TELEGRAM_POLL_TIMEOUT_SECONDS, Math.floor(e.CHANNEL_LEASE_MS / 3000)),
    deliveryMaxAttempts: e.DELIVERY_MAX_ATTEMPTS,
    deliveryBackoffMs: e.DELIVERY_BACKOFF_MS,
    deliverySweepMs: e.DELIVERY_SWEEP_MS,
    intentModelDir: e.INTENT_MODEL_DIR === 'off' ? null : e.INTENT_MODEL_DIR ? path.resolve(e.INTENT_MODEL_DIR) : undefined,
    intentMinConfidence: e.INTENT_MIN_CONFIDENCE,
    intentModelMaxBytes: e.INTENT_MODEL_MAX_BYTES,
  };
}

import { CommanderError, type Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config.js';
import type { ErrorCode } from '../contract/index.js';
import { isAppError } from '../errors.js';
import { openStorage } from '../main.js';
import type { Db } from '../storage/db.js';

/** Where the CLI writes: results to `stdout` as JSON lines, errors to `stderr`. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * What every subcommand gets: the configuration and the database, both opened on first use
 * (so `--help` needs neither), and a printer for results. `close()` releases the database.
 */
export class CliContext {
  private loadedConfig: Config | undefined;
  private db: Db | undefined;

  constructor(private readonly io: CliIo) {}

  /** The validated environment (`DATABASE_URL`, `DATA_DIR`, …). Throws `ConfigError`. */
  config(): Config {
    this.loadedConfig ??= loadConfig();
    return this.loadedConfig;
  }

  /** The database, migrated. */
  async storage(): Promise<Db> {
    this.db ??= await openStorage(this.config());
    return this.db;
  }

  /** Prints one result as one JSON line. */
  print(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value)}\n`);
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    await db?.destroy();
  }
}

/** A subcommand: adds itself (and its own subcommands) to the program. */
export type CliCommand = (program: Command, ctx: CliContext) => void;

// Commander's own exits that are not errors: help and version output.
const commanderExits = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/**
 * Reports `err` on stderr as `{"error":{"code","message"}}` and returns the exit code:
 * 2 when the command line was wrong (usage, validation, unsupported channel), 1 otherwise.
 * Expected errors never print a stack trace.
 */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError && commanderExits.has(err.code)) return err.exitCode;
  const { code, message, details, exitCode } = describeError(err);
  const error = details === undefined ? { code, message } : { code, message, details };
  io.stderr.write(`${JSON.stringify({ error })}\n`);
  return exitCode;
}

function describeError(err: unknown): { code: ErrorCode; message: string; details?: unknown; exitCode: number } {
  if (isAppError(err)) {
    return { code: err.code, message: err.message, details: err.details, exitCode: err.status === 400 || err.status === 422 ? 2 : 1 };
  }
  if (err instanceof CommanderError) {
    return { code: 'SB_ERR_BAD_REQUEST', message: err.message.replace(/^error: /, ''), exitCode: 2 };
  }
  if (err instanceof ConfigError) {
    return { code: 'SB_ERR_VALIDATION', message: `Invalid configuration: ${err.issues.join('; ')}`, details: { issues: err.issues }, exitCode: 2 };
  }
  return { code: 'SB_ERR_INTERNAL', message: err instanceof Error ? err.message : String(err), exitCode: 1 };
}

import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { agentCommand } from './cli/agent.js';
import { CliContext, reportError, type CliCommand, type CliIo } from './cli/context.js';
import { inboxCommand } from './cli/inbox.js';
import { intentCommand } from './cli/intent.js';
import { migrateCommand } from './cli/migrate.js';
import { queueCommand } from './cli/queue.js';
import { tenantCommand } from './cli/tenant.js';

/** Every subcommand, in help order; a new one is a `CliCommand` added here. */
const commands: readonly CliCommand[] = [migrateCommand, tenantCommand, agentCommand, inboxCommand, queueCommand, intentCommand];

/** The `switchboard` program; usage errors throw instead of exiting so `runCli` reports them. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('switchboard')
    .description('Administer a Switchboard hub. Reads DATABASE_URL / DATA_DIR like the server; prints JSON lines.')
    // Set before adding subcommands: commander copies these settings into each one.
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  for (const add of commands) add(program, ctx);
  return program;
}

/**
 * Runs the CLI on `argv` (as in `process.argv`) and resolves with the exit code.
 * The database, if opened, is always closed before it resolves.
 */
export async function runCli(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const ctx = new CliContext(io);
  let code = 0;
  try {
    await buildProgram(ctx).parseAsync([...argv]);
  } catch (err) {
    code = reportError(err, io);
  }
  try {
    await ctx.close();
  } catch (err) {
    code = code || reportError(err, io);
  }
  return code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runCli(process.argv).then((code) => {
    process.exitCode = code;
  });
}

import type { CliCommand } from './context.js';

/** `switchboard migrate`: brings the database schema up to date. */
export const migrateCommand: CliCommand = (program, ctx) => {
  program
    .command('migrate')
    .description('apply pending database migrations (SQLite in DATA_DIR, or DATABASE_URL)')
    .action(async () => {
      await ctx.storage();
      ctx.print({ migrated: true });
    });
};

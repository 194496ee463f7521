import { z } from 'zod';
import { AppError } from '../errors.js';
import { parse } from '../http/validate.js';
import type { Db } from '../storage/db.js';
import { TenantRepo, type Tenant } from '../tenants/repo.js';
import type { CliCommand } from './context.js';

const createTenant = z.object({ name: z.string().trim().min(1).max(200) });

/** The tenant with `id`, or `SB_ERR_NOT_FOUND`. */
export async function requireTenant(db: Db, id: string): Promise<Tenant> {
  const tenant = await new TenantRepo(db).get(id);
  if (!tenant) throw new AppError('SB_ERR_NOT_FOUND', `Tenant ${id} not found.`);
  return tenant;
}

/** `switchboard tenant create|list`. */
export const tenantCommand: CliCommand = (program, ctx) => {
  const tenant = program.command('tenant').description('manage tenants (workspaces)');

  tenant
    .command('create')
    .description('create a tenant and print it')
    .requiredOption('--name <name>', 'display name')
    .action(async (opts: { name: string }) => {
      const input = parse(createTenant, opts);
      const db = await ctx.storage();
      ctx.print(await new TenantRepo(db).create(input.name));
    });

  tenant
    .command('list')
    .description('print every tenant, one JSON line each')
    .action(async () => {
      const db = await ctx.storage();
      for (const t of await new TenantRepo(db).list()) ctx.print(t);
    });
};

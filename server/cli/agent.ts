import { Option } from 'commander';
import { z } from 'zod';
import { AgentRepo } from '../agents/repo.js';
import { createAgentSchema } from '../agents/routes.js';
import { hashPassword } from '../auth/passwords.js';
import { parse } from '../http/validate.js';
import { randomSecret } from '../ids.js';
import type { CliCommand } from './context.js';
import { requireTenant } from './tenant.js';

const createAgent = createAgentSchema.extend({ tenant: z.string().trim().min(1) });

interface CreateOptions {
  tenant: string;
  email: string;
  name: string;
  role: string;
  password?: string;
}

/** `switchboard agent create`. */
export const agentCommand: CliCommand = (program, ctx) => {
  const agent = program.command('agent').description('manage agents');

  agent
    .command('create')
    .description('create an agent; prints it, and the password only when generated')
    .requiredOption('--tenant <tenantId>', 'tenant the agent belongs to')
    .requiredOption('--email <email>', 'login email (unique across tenants)')
    .requiredOption('--name <name>', 'display name')
    .addOption(new Option('--role <role>', 'role').choices(['admin', 'agent']).default('agent'))
    .addOption(new Option('--password <password>', 'password; generated and printed once when absent').env('AGENT_PASSWORD'))
    .action(async (opts: CreateOptions) => {
      const generated = opts.password === undefined ? randomSecret(18) : undefined;
      const input = parse(createAgent, { ...opts, password: opts.password ?? generated });
      const db = await ctx.storage();
      const tenant = await requireTenant(db, input.tenant);
      const created = await new AgentRepo(db).create(tenant.id, {
        email: input.email,
        name: input.name,
        role: input.role,
        passwordHash: await hashPassword(input.password),
      });
      ctx.print({ ...created, tenantId: tenant.id, ...(generated ? { password: generated } : {}) });
    });
};

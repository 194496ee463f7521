import type { Db } from '../storage/db.js';
import { isUniqueViolation } from '../errors.js';
import { hashPassword } from '../auth/passwords.js';
import { randomSecret } from '../ids.js';
import type { AgentRepo } from '../agents/repo.js';
import type { InboxRepo } from '../inboxes/repo.js';
import type { TenantRepo } from './repo.js';

export interface BootstrapResult {
  /** True on the very first start of this database. */
  created: boolean;
  adminEmail: string | undefined;
  /** Only when generated on this start; printed once, stored only as a hash. */
  generatedPassword: string | undefined;
  websiteToken: string | undefined;
}

/**
 * On the first start of a database, creates the default workspace, its admin and a web inbox.
 * Several nodes starting at once agree through a unique row: only one bootstraps.
 */
export async function bootstrapDefaults(
  deps: { db: Db; tenants: TenantRepo; agents: AgentRepo; inboxes: InboxRepo },
  admin: { email: string; password: string | undefined },
): Promise<BootstrapResult> {
  let won = false;
  if ((await deps.tenants.count()) === 0) {
    try {
      await deps.db('instance_settings').insert({ key: 'bootstrapped', value: new Date().toISOString() });
      won = true;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
  if (!won) {
    const first = (await deps.tenants.list())[0];
    const inbox = first ? (await deps.inboxes.list(first.id)).find((i) => i.channel === 'web') : undefined;
    return { created: false, adminEmail: undefined, generatedPassword: undefined, websiteToken: inbox?.websiteToken ?? undefined };
  }
  const generatedPassword = admin.password ? undefined : randomSecret(12);
  const tenant = await deps.tenants.create('Default workspace');
  await deps.agents.create(tenant.id, {
    email: admin.email,
    name: 'Admin',
    role: 'admin',
    passwordHash: await hashPassword(admin.password ?? generatedPassword!),
  });
  const inbox = await deps.inboxes.create(tenant.id, {
    name: 'Website',
    channel: 'web',
    settings: { allowedOrigins: [], requireIdentity: false, position: 'right' },
    secrets: {},
    websiteToken: randomSecret(18),
  });
  return { created: true, adminEmail: admin.email, generatedPassword, websiteToken: inbox.websiteToken ?? undefined };
}

/**
 * A separate writer process for the concurrency test: appends `count` messages to one
 * conversation through its own MessageStore (its own connection pool), in bursts, and
 * re-sends some of its own dedup keys to prove retries store nothing.
 * argv: <databaseUrl|-> <dataDir> <tenantId> <conversationId> <count> <workerId>
 */
import { createDb } from '../../server/storage/db.js';
import { MessageStore } from '../../server/messages/store.js';

const [databaseUrl, dataDir, tenantId, conversationId, countText, workerId] = process.argv.slice(2);
const db = createDb({ databaseUrl: databaseUrl === '-' ? undefined : databaseUrl, dataDir: dataDir!, poolMax: 4 });
const store = new MessageStore(db);
const count = Number(countText);
const req = (i: number) => ({
  tenantId: tenantId!,
  conversationId: conversationId!,
  direction: 'inbound' as const,
  private: false,
  sender: { type: 'contact' as const, id: `w${workerId}`, name: null },
  body: `worker ${workerId} message ${i}`,
  attachments: [],
  channel: 'web' as const,
  dedupKey: `w${workerId}:${i}`,
});

let duplicates = 0;
for (let i = 0; i < count; i += 10) {
  const burst = [];
  for (let j = i; j < Math.min(count, i + 10); j++) burst.push(store.append(req(j)));
  // A retry of the burst's first key, racing its original.
  burst.push(store.append(req(i)));
  const results = await Promise.all(burst);
  duplicates += results.filter((r) => r.duplicate).length;
}
process.stdout.write(JSON.stringify({ duplicates }));
await db.destroy();

import { describe, expect, it } from 'vitest';
import type { BusEvent } from '../../../../server/bus/bus.js';
import { contactTopic, tenantTopic } from '../../../../server/bus/bus.js';
import { MemoryBus } from '../../../../server/bus/memory.js';

const typing = (n: number): BusEvent => ({
  kind: 'typing',
  tenantId: 't1',
  contactId: 'c1',
  conversationId: `conv-${n}`,
  actor: { type: 'contact', id: 'c1' },
  on: true,
});

describe('MemoryBus', () => {
  it('delivers a published event to every subscriber of that topic, and only that topic', async () => {
    const bus = new MemoryBus();
    const a: BusEvent[] = [];
    const b: BusEvent[] = [];
    const other: BusEvent[] = [];
    await bus.subscribe(tenantTopic('t1'), (e) => a.push(e));
    await bus.subscribe(tenantTopic('t1'), (e) => b.push(e));
    await bus.subscribe(tenantTopic('t2'), (e) => other.push(e));
    await bus.subscribe(contactTopic('t1', 'c1'), (e) => other.push(e));

    await bus.publish(tenantTopic('t1'), typing(1));
    await bus.publish(tenantTopic('t1'), typing(2));
    expect(a).toEqual([typing(1), typing(2)]);
    expect(b).toEqual([typing(1), typing(2)]);
    expect(other).toEqual([]);
  });

  it('publishing to a topic nobody listens to is a no-op', async () => {
    const bus = new MemoryBus();
    await expect(bus.publish('nobody', typing(1))).resolves.toBeUndefined();
  });

  it('unsubscribe stops delivery to that handler only', async () => {
    const bus = new MemoryBus();
    const a: BusEvent[] = [];
    const b: BusEvent[] = [];
    const unsubA = await bus.subscribe('topic', (e) => a.push(e));
    await bus.subscribe('topic', (e) => b.push(e));
    await bus.publish('topic', typing(1));
    await unsubA();
    await bus.publish('topic', typing(2));
    expect(a).toEqual([typing(1)]);
    expect(b).toEqual([typing(1), typing(2)]);
  });

  it('a topic can be subscribed to again after its last subscriber left', async () => {
    const bus = new MemoryBus();
    const first: BusEvent[] = [];
    const second: BusEvent[] = [];
    const unsub = await bus.subscribe('topic', (e) => first.push(e));
    await unsub();
    await bus.subscribe('topic', (e) => second.push(e));
    await bus.publish('topic', typing(1));
    expect(first).toEqual([]);
    expect(second).toEqual([typing(1)]);
  });

  it('a throwing handler does not stop delivery to the others, nor fail the publish', async () => {
    const bus = new MemoryBus();
    const before: BusEvent[] = [];
    const after: BusEvent[] = [];
    await bus.subscribe('topic', (e) => before.push(e));
    await bus.subscribe('topic', () => {
      throw new Error('broken subscriber');
    });
    await bus.subscribe('topic', (e) => after.push(e));
    await expect(bus.publish('topic', typing(1))).resolves.toBeUndefined();
    expect(before).toEqual([typing(1)]);
    expect(after).toEqual([typing(1)]);
  });

  it('a handler that unsubscribes itself during delivery does not disturb the others', async () => {
    const bus = new MemoryBus();
    const seen: string[] = [];
    let unsub: (() => Promise<void>) | undefined;
    unsub = await bus.subscribe('topic', () => {
      seen.push('self');
      void unsub?.();
    });
    await bus.subscribe('topic', () => seen.push('other'));
    await bus.publish('topic', typing(1));
    await bus.publish('topic', typing(2));
    expect(seen).toEqual(['self', 'other', 'other']);
  });

  it('close drops every subscription', async () => {
    const bus = new MemoryBus();
    const seen: BusEvent[] = [];
    await bus.subscribe('topic', (e) => seen.push(e));
    await bus.close();
    await bus.publish('topic', typing(1));
    expect(seen).toEqual([]);
  });
});

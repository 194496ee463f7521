import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReconnectingSocket } from '../../../widget/src/core/socket.js';
import type { IncomingFrame } from '../../../widget/src/core/types.js';
import { socketFactory } from './fakes.js';

function setup(url: () => Promise<string> = async () => 'ws://hub/ws?token=t') {
  const f = socketFactory();
  const events = { hello: 0, frames: [] as IncomingFrame[], downs: [] as boolean[] };
  const socket = new ReconnectingSocket({
    open: f.open,
    url,
    onHello: () => events.hello++,
    onFrame: (fr) => events.frames.push(fr),
    onDown: ({ beforeHello }) => events.downs.push(beforeHello),
    random: () => 1,
  });
  return { f, events, socket };
}

describe('ReconnectingSocket', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is ready only after hello, and relays frames', async () => {
    const { f, events, socket } = setup();
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.send({ type: 'ping' })).toBe(false);
    f.last().accept();
    expect(socket.ready).toBe(true);
    expect(events.hello).toBe(1);
    f.last().deliver({ type: 'pong' });
    expect(events.frames).toEqual([{ type: 'pong' }]);
    expect(socket.send({ type: 'typing', conversationId: 'c', on: true })).toBe(true);
  });

  it('reconnects with growing delays and starts over after a hello', async () => {
    const { f, events, socket } = setup();
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    f.last().drop();
    expect(events.downs).toEqual([true]);
    await vi.advanceTimersByTimeAsync(999);
    expect(f.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.sockets).toHaveLength(2);
    f.last().drop();
    await vi.advanceTimersByTimeAsync(1999);
    expect(f.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.sockets).toHaveLength(3);
    f.last().accept();
    f.last().drop();
    expect(events.downs).toEqual([true, true, false]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.sockets).toHaveLength(4);
  });

  it('pings a quiet line and gives up on it when nothing answers', async () => {
    const { f, events, socket } = setup();
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = f.last();
    first.accept();
    await vi.advanceTimersByTimeAsync(25_000);
    expect(first.framesOf('ping')).toHaveLength(1);
    first.deliver({ type: 'pong' });
    await vi.advanceTimersByTimeAsync(25_000);
    expect(first.framesOf('ping')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(first.closed).toBe(true);
    expect(events.downs).toEqual([false]);
  });

  it('treats a failing URL (session renewal offline) as a failed attempt', async () => {
    let fail = true;
    const { f, socket } = setup(async () => {
      if (fail) throw new Error('offline');
      return 'ws://hub/ws?token=t2';
    });
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.sockets).toHaveLength(0);
    fail = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.last().url).toBe('ws://hub/ws?token=t2');
  });

  it('nudge skips the wait; stop ends reconnecting', async () => {
    const { f, socket } = setup();
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    f.last().drop();
    socket.nudge();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.sockets).toHaveLength(2);
    socket.stop();
    expect(f.last().closed).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(f.sockets).toHaveLength(2);
  });

  it('ignores frames that are not JSON objects', async () => {
    const { f, events, socket } = setup();
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    f.last().accept();
    f.last().onmessage?.({ data: 'not json' });
    f.last().onmessage?.({ data: '42' });
    f.last().onmessage?.({ data: 'null' });
    expect(events.frames).toEqual([]);
    expect(socket.ready).toBe(true);
  });
});

/**
 * The socket.io relay a Node team would build (no persistence), websocket transport only.
 * `node --import tsx bench/baselines/socketio-relay.ts --port N` → prints `{"ready":true,"port":N}`.
 * Clients connect with `query: {room, role: "visitor"|"agent"}`; event `message.send` `{clientId, body}`
 * goes to the room's other side as event `message.created` `{type, message:{body, seq}}` and is acked
 * to the sender as event `message.ack` `{type, clientId, message:{seq}}` (or through the socket.io
 * acknowledgement callback, when the client passes one).
 */
import { Server } from 'socket.io';
import { parseArgs, serve, statsServer } from './common.js';

const { port, host } = parseArgs();
const seqs = new Map<string, number>();
const server = statsServer(() => io.engine.clientsCount);
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false, maxHttpBufferSize: 64 * 1024 });

const roomOf = (name: string) => name.replace(/:(agent|visitor)$/, '');
io.of('/').adapter.on('delete-room', (name: string) => {
  const room = roomOf(name);
  const rooms = io.of('/').adapter.rooms;
  if (room !== name && !rooms.has(`${room}:agent`) && !rooms.has(`${room}:visitor`)) seqs.delete(room);
});

io.on('connection', (socket) => {
  const room = String(socket.handshake.query.room ?? '');
  const isAgent = socket.handshake.query.role === 'agent';
  void socket.join(`${room}:${isAgent ? 'agent' : 'visitor'}`);
  const peers = `${room}:${isAgent ? 'visitor' : 'agent'}`;

  socket.on('message.send', (f: { clientId?: unknown; body?: unknown } | undefined, cb?: unknown) => {
    if (!f || typeof f.body !== 'string') {
      socket.emit('error', { type: 'error', code: 'SB_ERR_BAD_FRAME', message: 'Expected {clientId, body}.' });
      return;
    }
    const seq = (seqs.get(room) ?? 0) + 1;
    seqs.set(room, seq);
    socket.to(peers).emit('message.created', { type: 'message.created', message: { body: f.body, seq } });
    const ack = { type: 'message.ack', clientId: f.clientId, message: { seq } };
    if (typeof cb === 'function') (cb as (a: typeof ack) => void)(ack);
    else socket.emit('message.ack', ack);
  });
});

serve(server, host, port, () => void io.close());

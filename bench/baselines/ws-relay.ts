/**
 * The raw `ws` ceiling: a relay with no persistence.
 * `node --import tsx bench/baselines/ws-relay.ts --port N` → prints `{"ready":true,"port":N}`.
 * Clients connect to `/?room=R&role=visitor|agent`; `{type:"message.send", clientId, body}` goes to
 * the room's other side as `{type:"message.created", message:{body, seq}}` and is acked to the
 * sender as `{type:"message.ack", clientId, message:{seq}}` (seq: per-room counter).
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { parseArgs, serve, statsServer } from './common.js';

interface Room {
  seq: number;
  visitors: WebSocket[];
  agents: WebSocket[];
}

const { port, host } = parseArgs();
const rooms = new Map<string, Room>();
const server = statsServer(() => wss.clients.size);
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 * 1024 });

const badFrame = JSON.stringify({ type: 'error', code: 'SB_ERR_BAD_FRAME', message: 'Expected {type:"message.send", clientId, body}.' });

wss.on('connection', (ws, req) => {
  const q = new URL(req.url ?? '/', 'http://relay').searchParams;
  const roomId = q.get('room') ?? '';
  const isAgent = q.get('role') === 'agent';
  let room = rooms.get(roomId);
  if (!room) rooms.set(roomId, (room = { seq: 0, visitors: [], agents: [] }));
  const r = room;
  (isAgent ? r.agents : r.visitors).push(ws);

  ws.on('message', (data, isBinary) => {
    let f: { type?: unknown; clientId?: unknown; body?: unknown };
    try {
      f = isBinary ? {} : (JSON.parse(data.toString()) as typeof f);
    } catch {
      f = {};
    }
    if (f?.type !== 'message.send' || typeof f.body !== 'string') return ws.send(badFrame);
    const seq = ++r.seq;
    const out = JSON.stringify({ type: 'message.created', message: { body: f.body, seq } });
    for (const peer of isAgent ? r.visitors : r.agents) peer.send(out);
    ws.send(JSON.stringify({ type: 'message.ack', clientId: f.clientId, message: { seq } }));
  });
  ws.on('error', () => {}); // a broken peer must not take the relay down
  ws.on('close', () => {
    const list = isAgent ? r.agents : r.visitors;
    const i = list.indexOf(ws);
    if (i >= 0) list.splice(i, 1);
    if (!r.agents.length && !r.visitors.length && rooms.get(roomId) === r) rooms.delete(roomId);
  });
});

serve(server, host, port, () => {
  for (const ws of wss.clients) ws.terminate();
});

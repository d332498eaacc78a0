/**
 * The fan-out baseline: a bare Socket.IO server that only rebroadcasts chat. Same wire shape as
 * stickyroom for the parts the benchmark uses (`room:join`, `chat:send` with an ack, `chat:message` to the
 * room), same engine settings (WebSocket, no per-message deflate), but no auth, no validation, no Redis,
 * no batching: one emit per message. Env: PORT (default 3100), HOST (default 127.0.0.1).
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Server } from 'socket.io';

type Ack = (res: object) => void;

const port = Number(process.env.PORT ?? 3100);
const host = process.env.HOST ?? '127.0.0.1';

const http = createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' }).end('{"ok":true}');
});
const io = new Server(http, { serveClient: false, perMessageDeflate: false, maxHttpBufferSize: 16_384, pingInterval: 25_000, pingTimeout: 20_000 });
const idPrefix = randomBytes(3).toString('hex');
let seq = 0;

io.on('connection', (socket) => {
  socket.on('room:join', (payload: { streamId?: unknown } | undefined, ack?: Ack) => {
    const streamId = String(payload?.streamId ?? '');
    void socket.join(`s:${streamId}`);
    ack?.({ ok: true, stream: { id: streamId } });
  });
  socket.on('chat:send', (payload: { streamId?: unknown; text?: unknown } | undefined, ack?: Ack) => {
    const streamId = String(payload?.streamId ?? '');
    const message = { id: `${idPrefix}-${++seq}`, streamId, userId: socket.id, name: 'viewer', text: String(payload?.text ?? ''), at: Date.now() };
    io.to(`s:${streamId}`).emit('chat:message', message);
    ack?.({ ok: true, message });
  });
});

http.listen(port, host, () => {
  process.stderr.write(`baseline listening on ${host}:${port}\n`);
});

function shutdown() {
  const force = setTimeout(() => process.exit(1), 5000).unref();
  io.close(() => {
    clearTimeout(force);
    process.exit(0);
  });
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

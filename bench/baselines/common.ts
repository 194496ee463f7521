import http from 'node:http';

/** `--port N` (0 = any free port) and `--host H` (default 127.0.0.1) from argv. */
export function parseArgs(argv: string[] = process.argv.slice(2)): { port: number; host: string } {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const port = Number(get('port') ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be 0..65535');
  return { port, host: get('host') ?? '127.0.0.1' };
}

/** An HTTP server answering `GET /stats` with `{rss, heapUsed, connections}`; 404 otherwise. */
export function statsServer(connections: () => number): http.Server {
  return http.createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/stats') {
      const m = process.memoryUsage();
      const body = JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, connections: connections() });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"code":"SB_ERR_NOT_FOUND","message":"Not found."}}');
  });
}

/** Listens, prints the ready line, and exits on SIGTERM/SIGINT after `close`. */
export function serve(server: http.Server, host: string, port: number, close: () => void): void {
  server.listen(port, host, () => {
    const addr = server.address();
    const actual = typeof addr === 'object' && addr ? addr.port : port;
    process.stdout.write(`${JSON.stringify({ ready: true, port: actual })}\n`);
  });
  const stop = () => {
    close();
    server.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

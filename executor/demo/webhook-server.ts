import { createServer, type Server } from 'node:http';

/** A loopback HTTP endpoint that records what it receives (the drill's notification target). */
export async function startWebhookServer(): Promise<{
  url: string;
  received: { path: string; body: string }[];
  close(): Promise<void>;
}> {
  const received: { path: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      if (body.length < 1_000_000) body += chunk;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '/', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks/failover`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

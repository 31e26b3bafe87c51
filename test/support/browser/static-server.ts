import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A response body and its content type. */
export interface Asset {
  readonly type: string;
  readonly body: string | Buffer;
}

/** A loopback HTTP server answering from a path → asset map (pages are added as they are rendered). */
export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Serve `body` at `path` (an absolute URL path, e.g. `/wiki/Home`). */
  put(path: string, asset: Asset): void;
  /** Every path asked for that had nothing: a page's missing script or image. */
  readonly misses: string[];
  close(): Promise<void>;
}

/**
 * Pages and scripts over HTTP on 127.0.0.1, not file:// (where Chromium treats every file as its
 * own origin and relative URLs resolve against the file system, neither of which GitHub does).
 */
export async function startStaticServer(): Promise<StaticServer> {
  const assets = new Map<string, Asset>();
  const misses: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const asset = assets.get(path);
    // No favicon: say so without a 404, which Chromium reports as a console error.
    if (!asset && path === '/favicon.ico') return void res.writeHead(204).end();
    if (!asset) {
      misses.push(path);
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end(`no ${path}`);
    }
    // Pages change between loads (one URL, two themes): never cached. Scripts and CSS may be.
    const cache = asset.type.startsWith('text/html') ? 'no-store' : 'max-age=3600';
    res.writeHead(200, { 'content-type': asset.type, 'cache-control': cache }).end(asset.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    put: (path, asset) => void assets.set(path, asset),
    misses,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

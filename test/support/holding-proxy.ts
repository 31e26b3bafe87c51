import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy in front of moto that makes Route 53 changes look slow.
 *
 * Why: moto applies a ChangeResourceRecordSets at once and answers it, and every GetChange after
 * it, with `INSYNC` (a moto limit: nothing is ever PENDING), so a test has no INSYNC wait to
 * kill the CLI in. This proxy forwards every request to moto unchanged, and while it holds it
 * rewrites `<Status>INSYNC</Status>` in the answers to `<Status>PENDING</Status>`: the change is
 * applied in moto (the record holds the new value) but the runner keeps waiting, as it would on
 * AWS during the ~60 s a change takes to reach every Route 53 server
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html: "PENDING indicates
 * that the changes in this request have not propagated to all Amazon Route 53 DNS servers").
 */
export interface HoldingProxy {
  /** `http://127.0.0.1:<port>`: AWS_ENDPOINT_URL for the CLI under test. */
  readonly endpoint: string;
  /** GetChange requests answered so far (the runner's INSYNC polls). */
  polls(): number;
  /** Changes answer PENDING from now on (the default). */
  hold(): void;
  /** Changes answer what moto says (INSYNC) from now on. */
  release(): void;
  /**
   * While on, a ChangeResourceRecordSets request is held unanswered and never reaches moto (a
   * runner killed then has journaled its rollback data but changed nothing); turning it off drops
   * the held requests, still unforwarded.
   */
  blockChanges(on: boolean): void;
  /** ChangeResourceRecordSets requests held so far. */
  blocked(): number;
  /** Holds again, stops blocking and counts from zero: each test starts the same way. */
  reset(): void;
  stop(): Promise<void>;
}

export async function holdingProxy(target: string): Promise<HoldingProxy> {
  const upstream = new URL(target);
  let holding = true;
  let polls = 0;
  let blocking = false;
  let blocked = 0;
  const held: (() => void)[] = [];
  const server = createServer((req, res) => {
    void readAll(req).then((body) => {
      if (blocking && req.method === 'POST' && /\/rrset\/?$/.test(req.url ?? '')) {
        blocked++;
        held.push(() => res.destroy());
        return;
      }
      const out = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          void readAll(answer).then((data) => {
            if (req.method === 'GET' && /\/change\//.test(req.url ?? '')) polls++;
            const text = holding
              ? Buffer.from(data.toString('utf8').replaceAll('<Status>INSYNC</Status>', '<Status>PENDING</Status>'))
              : data;
            const headers = { ...answer.headers, 'content-length': String(text.length) };
            delete headers['transfer-encoding'];
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(text);
          });
        },
      );
      out.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxy: HoldingProxy = {
    endpoint: `http://127.0.0.1:${port}`,
    polls: () => polls,
    hold: () => void (holding = true),
    release: () => void (holding = false),
    blockChanges(on) {
      blocking = on;
      if (!on) held.splice(0).forEach((drop) => drop());
    },
    blocked: () => blocked,
    reset() {
      proxy.blockChanges(false);
      holding = true;
      polls = 0;
      blocked = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

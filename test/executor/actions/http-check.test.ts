import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpCheckAction } from '../../../executor/actions/http-check.js';
import { ActionError } from '../../../executor/core/errors.js';
import { fakeContext, loopbackServer } from './context.js';

let server: Awaited<ReturnType<typeof loopbackServer>>;

beforeAll(async () => {
  server = await loopbackServer((req, res) => {
    const path = req.path.split('?')[0];
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-region': 'us-west-2' });
      res.end(JSON.stringify({ status: 'ok', replicas: 3 }));
    } else if (path === '/down') {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('maintenance');
    } else if (path === '/echo') {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          method: req.method,
          contentType: req.headers['content-type'],
          auth: req.headers.authorization,
          body: req.body,
        }),
      );
    } else if (path === '/slow') {
      // Far later than any test waits: a timeout or abort that did not work shows as a test timeout.
      setTimeout(() => res.end('late'), 60_000).unref();
    } else if (path === '/big') {
      res.end('x'.repeat(200 * 1024));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});
afterAll(() => server.close());

describe('http.check', () => {
  it('reports status, latency, headers, body and parsed JSON', async () => {
    const { ctx } = fakeContext();
    const result = await httpCheckAction.run({ url: `${server.url}/health`, expectBody: '"status":"ok"' }, ctx);
    expect(result.status).toBe(200);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.latencyMs).toBeLessThan(30_000); // milliseconds, not seconds or a timestamp
    expect(result.json).toEqual({ status: 'ok', replicas: 3 });
    expect(result.headers['x-region']).toBe('us-west-2');
    expect(result.body).toBe('{"status":"ok","replicas":3}');
  });

  it('sends method, headers and a JSON body', async () => {
    const { ctx } = fakeContext();
    const result = await httpCheckAction.run(
      {
        url: `${server.url}/echo`,
        method: 'POST',
        headers: { authorization: 'Bearer t0ken' },
        body: { probe: true },
        expectStatus: [200, 201],
      },
      ctx,
    );
    expect(result.json).toEqual({
      method: 'POST',
      contentType: 'application/json',
      auth: 'Bearer t0ken',
      body: '{"probe":true}',
    });
  });

  it('sends credentials in the URL as Basic auth, since fetch refuses them in the URL', async () => {
    const { ctx } = fakeContext();
    const result = await httpCheckAction.run({ url: `http://probe:s%3Acret@${server.url.slice(7)}/echo` }, ctx);
    expect((result.json as { auth: string }).auth).toBe(`Basic ${Buffer.from('probe:s:cret').toString('base64')}`);
  });

  it('accepts an expected status given as a rendered template', async () => {
    const { ctx } = fakeContext();
    expect((await httpCheckAction.run({ url: `${server.url}/down`, expectStatus: '503' }, ctx)).body).toBe(
      'maintenance',
    );
    expect((await httpCheckAction.run({ url: `${server.url}/down`, expectStatus: '[200, 503]' }, ctx)).status).toBe(
      503,
    );
  });

  it('fails, retryably, on an unexpected status, naming the URL with secrets masked', async () => {
    const secret = 'sekret-query-token';
    const { ctx } = fakeContext({ secrets: [secret] });
    const error = (await httpCheckAction
      .run({ url: `${server.url}/down?token=${secret}` }, ctx)
      .catch((e: unknown) => e)) as ActionError;
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ code: 'http-status', providerCode: '503', retryable: true });
    // The URL, named with its secret masked, is the behaviour under test.
    expect(error.message).toContain(`GET ${server.url}/down?token=***`);
    expect(error.message).not.toContain(secret);
  });

  it('fails when the body does not match', async () => {
    const { ctx } = fakeContext();
    await expect(
      httpCheckAction.run({ url: `${server.url}/health`, expectBody: 'degraded' }, ctx),
    ).rejects.toMatchObject({
      code: 'http-body',
      retryable: true,
    });
  });

  it('reports a refused connection as a retryable network error naming the URL', async () => {
    // Port 0 is never listening: refused every time, unlike the port of a just-closed server,
    // which another test file's server may take in the meantime.
    const { ctx } = fakeContext();
    const error = (await httpCheckAction
      .run({ url: 'http://user:pa55word@127.0.0.1:0/health' }, ctx)
      .catch((e: unknown) => e)) as ActionError;
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ code: 'network', providerCode: 'ECONNREFUSED', retryable: true });
    // The URL, named with its password masked, is the behaviour under test.
    expect(error.message).toContain('GET http://user:***@127.0.0.1:0/health failed');
    expect(error.message).not.toContain('pa55word');
  });

  it('gives up after its own timeout', async () => {
    const { ctx } = fakeContext();
    const started = Date.now();
    await expect(httpCheckAction.run({ url: `${server.url}/slow`, timeout: '200ms' }, ctx)).rejects.toMatchObject({
      code: 'network',
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(15_000); // not the minute the server would take
  });

  it('stops with the run signal’s reason when the step is aborted', async () => {
    const controller = new AbortController();
    const { ctx } = fakeContext({ signal: controller.signal });
    const running = httpCheckAction.run({ url: `${server.url}/slow?aborted` }, ctx);
    // Abort while the request is in flight: once the server has it.
    await vi.waitUntil(() => server.received.some((r) => r.path === '/slow?aborted'), {
      timeout: 30_000,
      interval: 10,
    });
    controller.abort(new Error('step timed out'));
    await expect(running).rejects.toThrow('step timed out');
  });

  it('keeps at most 64 KiB of body', async () => {
    const { ctx } = fakeContext();
    const result = await httpCheckAction.run({ url: `${server.url}/big` }, ctx);
    expect(result.body.length).toBe(64 * 1024);
    expect(result.json).toBeNull();
  });
});

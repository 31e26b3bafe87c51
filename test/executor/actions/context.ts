import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ActionContext,
  ActionServices,
  ApprovalGate,
  Confirmer,
  PlanContext,
  RunInfo,
} from '../../../executor/actions/action.js';
import { systemClock, type Clock } from '../../../executor/core/clock.js';
import type { RunEvent, RunEventType, RunEvents } from '../../../executor/core/events.js';
import { RollbackDataStore } from '../../../executor/run/rollback-data.js';
import { SecretMasker } from '../../../executor/core/secrets.js';
import { createHandlebars, textCompileOptions } from '../../../ir/handlebars.js';
import type { IrGraph, IrResources } from '../../../ir/types.js';

/** A graph with nothing but the given resources and runbook-level approvals. */
export function testGraph(resources: Partial<IrResources> = {}, approvals?: IrGraph['approvals']): IrGraph {
  return {
    irVersion: 1,
    name: 'test-runbook',
    title: 'Test runbook',
    origin: { kind: 'Runbook', file: 'runbooks/test.yaml', format: 'yaml' },
    tags: [],
    objectives: {},
    inputs: {},
    secrets: [],
    onFailure: 'abort',
    phases: [],
    nodes: [],
    resources: { templates: {}, checklists: {}, audiences: {}, roles: {}, approvers: {}, ...resources },
    rto: { phases: [], expectedMs: 0, worstCaseMs: 0, criticalPath: [], status: 'ok', unestimated: [] },
    planHash: '0'.repeat(64),
    ...(approvals ? { approvals } : {}),
  };
}

/** A clock whose sleeps return at once and move time forward: minutes of waiting in microseconds. */
export function fakeClock(start = 1_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      slept.push(ms);
      now += ms;
    },
  };
}

/**
 * Network access for tests: loopback only, so a test can never reach a real Slack or webhook
 * even when the developer's environment has such URLs set.
 */
export const loopbackFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname !== '127.0.0.1') throw new Error(`test fetch refused a non-loopback URL: ${url.origin}`);
  return fetch(input, init);
};

export interface FakeOptions {
  env?: Record<string, string>;
  /** Secret values the masker knows. */
  secrets?: string[];
  graph?: IrGraph;
  drill?: boolean;
  drillNotifiesCustomers?: boolean;
  clock?: Clock;
  signal?: AbortSignal;
  /** Extra render context, e.g. `{ steps: { 'db-ping': { status: 'succeeded' } }, inputs: {…} }`. */
  context?: Record<string, unknown>;
  confirmer?: Confirmer;
  approvals?: ApprovalGate;
  fetch?: typeof fetch;
  runAction?: ActionServices['runAction'];
  runSubgraph?: ActionServices['runSubgraph'];
}

/** What an action did to its context: log lines as the action passed them, events emitted. */
export interface Recorded {
  info: string[];
  stdout: string[];
  stderr: string[];
  events: RunEvent[];
}

const refuse = (what: string) => () => {
  throw new Error(`unexpected call to ${what}`);
};

/** A real SecretMasker, the system clock unless given, and stubs that fail loudly when unexpected. */
export function fakeContext(options: FakeOptions = {}): { ctx: ActionContext; rec: Recorded } {
  const rec: Recorded = { info: [], stdout: [], stderr: [], events: [] };
  const run: RunInfo = {
    id: 'run-1',
    runbook: 'test-runbook',
    initiator: '@initiator',
    startedAt: '2026-01-01T00:00:00Z',
    dryRun: false,
    drill: options.drill ?? false,
    ...(options.drillNotifiesCustomers ? { drillNotifiesCustomers: true } : {}),
    url: 'https://ci.example/run/1',
    planHash: '0'.repeat(64),
  };
  const hbs = createHandlebars();
  const base = { inputs: {}, steps: {}, run, ...(options.context ?? {}) };
  const services: ActionServices = {
    graph: options.graph ?? testGraph(),
    approvals: options.approvals ?? { request: refuse('approvals.request') },
    confirmer: options.confirmer ?? { confirm: refuse('confirmer.confirm') },
    fetch: options.fetch ?? loopbackFetch,
    events: {
      emit: async <T extends RunEventType>(type: T, data: RunEvents[T]) => {
        rec.events.push({ type, data });
      },
    },
    render: (template, extra) => hbs.compile(template, textCompileOptions)({ ...base, ...(extra ?? {}) }),
    runSubgraph: options.runSubgraph ?? refuse('runSubgraph'),
    runAction: options.runAction ?? refuse('runAction'),
  };
  const ctx: ActionContext = {
    run,
    step: { id: 'step-1', title: 'Step one', attempt: 1 },
    signal: options.signal ?? new AbortController().signal,
    env: options.env ?? {},
    log: {
      info: (m) => rec.info.push(m),
      stdout: (l) => rec.stdout.push(l),
      stderr: (l) => rec.stderr.push(l),
    },
    clock: options.clock ?? systemClock,
    secrets: new SecretMasker(options.secrets ?? []),
    services,
    rollbackData: RollbackDataStore.fromJournal(run.id, undefined, []).forStep('step-1', 1, run.id, services.events),
  };
  return { ctx, rec };
}

/** The PlanContext of the same fake. */
export function planContext(ctx: ActionContext): PlanContext {
  return { run: ctx.run, step: ctx.step, env: ctx.env, secrets: ctx.secrets, graph: ctx.services.graph };
}

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An HTTP server on 127.0.0.1, port 0, that records requests; close it in afterEach/afterAll. */
export async function loopbackServer(handler: (req: Received, res: ServerResponse) => void): Promise<{
  url: string;
  received: Received[];
  close: () => Promise<void>;
  server: Server;
}> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      handler(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { compiledRoot, runCliAsync, stepEndsOf, type StepEnd } from '../../support/cli.js';
import { libraryRoot, repo } from '../../support/library-root.js';
import { clusterTimeoutMs, noPostgres, passwordOf, skipReason } from './context.js';

/**
 * The library's postgres-data-validation runbook (validate-recovery.sh of 004 and the six
 * data-consistency queries of 003), run for real through the built CLI against a throwaway
 * PostgreSQL 15 holding test/fixtures/ecommerce/schema.sql, and a loopback HTTP server standing in
 * for the applications' /health endpoints. Clean data: the run succeeds and its outputs hold the
 * counts. Then each file of test/fixtures/ecommerce/plant/ breaks one check, in a database of its
 * own copied from the clean one: the run fails, at that check's step and no other.
 */
const fixtures = join(repo, 'test', 'fixtures', 'ecommerce');
const runMs = 90_000;
const checks = [
  'table-counts',
  'orphaned-order-items',
  'invalid-customer-references',
  'invalid-email-formats',
  'negative-order-totals',
  'future-dated-orders',
  'order-total-mismatches',
  'null-primary-keys',
  'recent-orders',
  'orders-checksum',
];
const plants = readdirSync(join(fixtures, 'plant'))
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.replace(/\.sql$/, ''))
  .sort();

let cluster: PgCluster | undefined;
let library: { root: string; remove: () => void } | undefined;
let health: Server | undefined;
let healthUrl = '';
let copies = 0;

beforeAll(async () => {
  if (noPostgres) return;
  library = libraryRoot();
  health = createServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(req.url === '/health' ? 'ok' : 'down');
  });
  await new Promise<void>((resolve) => health!.listen(0, '127.0.0.1', resolve));
  healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
  cluster = await startPostgres({ timeoutMs: clusterTimeoutMs });
  await sql(cluster.primaryUrl, 'create database shop_clean');
  await sql(dbUrl('shop_clean'), readFileSync(join(fixtures, 'schema.sql'), 'utf8'));
}, clusterTimeoutMs + 10_000);

afterAll(async () => {
  await cluster?.stop();
  await new Promise((resolve) => (health ? health.close(resolve) : resolve(undefined)));
  library?.remove();
}, 60_000);

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'postgres-data-validation on a seeded e-commerce schema', () => {
  it(
    'passes on consistent data; its outputs hold the counts',
    async () => {
      const started = Date.now();
      const { r, ends } = await validate(await copyOf('clean'));
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(passwordOf(cluster!.primaryUrl));
      for (const id of [
        'api-health',
        'app-health',
        'db-connectivity',
        'users-present',
        ...checks,
        'consistency-verdict',
      ])
        expect(ends[id]?.status, id).toBe('succeeded');
      expect(ends['users-present'].outputs?.users).toBe(3);
      expect(ends['table-counts'].outputs).toMatchObject({ orders: 5, customers: 4, products: 3, order_items: 6 });
      for (const id of checks.slice(1, 8)) expect(ends[id].outputs?.count, id).toBe(0);
      expect(ends['recent-orders'].outputs?.count).toBe(3);
      // md5 of "1,2,3,4,5", as 003:785-788 computes it over the order ids.
      expect(ends['orders-checksum'].outputs?.checksum).toBe(createHash('md5').update('1,2,3,4,5').digest('hex'));
      expect(Number(ends['api-response-time'].outputs?.latency_ms)).toBeLessThan(1000);
      console.log(`E2E postgres-data-validation: clean run ${Date.now() - started} ms (no RTO/RPO: a validation)`);
    },
    runMs + 30_000,
  );

  it.each(plants)(
    'fails at %s when that inconsistency is planted, and only there',
    async (stepId) => {
      const db = await copyOf(stepId);
      await sql(dbUrl(db), readFileSync(join(fixtures, 'plant', `${stepId}.sql`), 'utf8'));
      const { r, ends } = await validate(db);
      expect(r.status, r.stdout + r.stderr).not.toBe(0);
      expect(ends[stepId], JSON.stringify(ends[stepId])).toMatchObject({ status: 'failed', code: 'assert-failed' });
      if (checks.includes(stepId)) {
        // The other checks ran and passed; the verdict fails the run.
        for (const id of checks.filter((c) => c !== stepId)) expect(ends[id]?.status, id).toBe('succeeded');
        expect(ends['consistency-verdict'].status).toBe('failed');
      } else {
        // validate_database failing stops the run before the consistency checks (onFailure: abort).
        for (const id of checks) expect(ends[id], id).toBeUndefined();
      }
      expect(failedSteps(ends)).toEqual(checks.includes(stepId) ? [stepId, 'consistency-verdict'].sort() : [stepId]);
    },
    runMs + 30_000,
  );

  it(
    'runs as a runbook step the way database-corruption-recovery calls it: host and database replaced, no application checks',
    async () => {
      // database-corruption-recovery validates the database named ecommerce.
      const db = 'ecommerce';
      await sql(cluster!.primaryUrl, 'create database ecommerce template shop_clean');
      await sql(dbUrl(db), readFileSync(join(fixtures, 'plant', 'order-total-mismatches.sql'), 'utf8'));
      const primary = new URL(cluster!.primaryUrl);
      const parent = compiledRoot('runbook-data-validation-', {
        'postgres-data-validation.yaml': readFileSync(
          join(repo, 'runbooks', 'recovery', 'postgres-data-validation.yaml'),
          'utf8',
        ),
        'restore-then-validate.yaml': callerRunbook(),
      });
      try {
        // The secret's host and database lead nowhere: only the inputs reach the seeded database.
        const unreachable = new URL(cluster!.primaryUrl);
        unreachable.host = '127.0.0.1:1';
        unreachable.pathname = '/nowhere';
        const r = await runCliAsync(
          ['run', 'restore-then-validate', '--root', parent, '--input', `endpoint=${primary.host}`],
          { VALIDATION_DATABASE_URL: unreachable.toString() },
          runMs,
        );
        expect(r.status, r.stdout + r.stderr).not.toBe(0);
        const ends = stepEndsOf(parent, r.stdout);
        expect(ends['validate-data'].status).toBe('failed');
        // The child's steps are journaled in the parent's run as <runbook>/<step>.
        const child = (id: string) => ends[`postgres-data-validation/${id}`];
        expect(child('api-health').status).toBe('skipped');
        expect(child('users-present').status).toBe('skipped');
        expect(child('db-connectivity').outputs?.database).toBe(db);
        expect(child('order-total-mismatches')).toMatchObject({ status: 'failed', code: 'assert-failed' });
        expect(child('consistency-verdict').status).toBe('failed');
        expect(ends['after-validation']).toBeUndefined();
        expect(r.stdout + r.stderr).not.toContain(passwordOf(cluster!.primaryUrl));
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    },
    runMs + 30_000,
  );

  it(
    'fails at api-health when the application does not answer, before touching the database',
    async () => {
      const { r, ends } = await validate(await copyOf('app-down'), { api_health_url: `${healthUrl}/down` });
      expect(r.status).not.toBe(0);
      expect(ends['api-health'].status).toBe('failed');
      expect(ends['db-connectivity']).toBeUndefined();
    },
    runMs + 30_000,
  );

  it(
    'fails at api-response-time when the API is slower than max_response_ms',
    async () => {
      // A threshold no response can meet (latency < 0) stands in for a slow API, without a sleep.
      const { r, ends } = await validate(await copyOf('slow'), { max_response_ms: '0' });
      expect(r.status).not.toBe(0);
      expect(ends['consistency-verdict'].status).toBe('succeeded');
      expect(failedSteps(ends)).toEqual(['api-response-time']);
    },
    runMs + 30_000,
  );
});

/**
 * A parent whose validate phase is database-corruption-recovery's own `validate-data` step, read
 * from runbooks/recovery/database-corruption-recovery.md, the recovered endpoint coming from an
 * input instead of the RDS describe step; a step after it stands for the switch-over.
 */
function callerRunbook(): string {
  const md = readFileSync(join(repo, 'runbooks', 'recovery', 'database-corruption-recovery.md'), 'utf8');
  const block = /```yaml step\n(id: validate-data\n[\s\S]*?)```/.exec(md);
  if (!block) throw new Error('no validate-data step in database-corruption-recovery.md');
  const step = YAML.parse(block[1]) as { with: { inputs: Record<string, unknown> } };
  expect(step.with.inputs.host).toBe('{{steps.describe-recovered.outputs.endpoint}}');
  step.with.inputs.host = '{{inputs.endpoint}}';
  return YAML.stringify({
    apiVersion: 'runbook/v1',
    kind: 'Runbook',
    metadata: { name: 'restore-then-validate', owner: '@acme/dba' },
    spec: {
      inputs: { endpoint: { type: 'string', required: true } },
      phases: [
        {
          id: 'validate',
          steps: [step, { id: 'after-validation', needs: ['validate-data'], run: 'echo switch over', timeout: '1m' }],
        },
      ],
    },
  });
}

/** Runs the runbook on `database` of the throwaway cluster; returns the CLI result and each step's end. */
async function validate(
  database: string,
  extra: Record<string, string> = {},
): Promise<{ r: { status: number | null; stdout: string; stderr: string }; ends: Record<string, StepEnd> }> {
  const values = { database, api_health_url: `${healthUrl}/health`, app_health_url: `${healthUrl}/health`, ...extra };
  const r = await runCliAsync(
    [
      'run',
      'postgres-data-validation',
      '--root',
      library!.root,
      ...Object.entries(values).flatMap(([k, v]) => ['--input', `${k}=${v}`]),
    ],
    { VALIDATION_DATABASE_URL: cluster!.primaryUrl },
    runMs,
  );
  return { r, ends: stepEndsOf(library!.root, r.stdout) };
}

function failedSteps(ends: Record<string, StepEnd>): string[] {
  return Object.entries(ends)
    .filter(([, e]) => e.status !== 'succeeded' && e.status !== 'skipped')
    .map(([id]) => id)
    .sort();
}

/** A fresh database copied from the clean one (CREATE DATABASE … TEMPLATE), so each case starts clean. */
async function copyOf(name: string): Promise<string> {
  const db = `shop_${name.replace(/-/g, '_')}_${++copies}`;
  await sql(cluster!.primaryUrl, `create database ${db} template shop_clean`);
  return db;
}

function dbUrl(database: string): string {
  const u = new URL(cluster!.primaryUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function sql(url: string, text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    // Without parameters pg uses the simple query protocol: a whole fixture file runs in one call.
    const result = await client.query(text);
    return Array.isArray(result) ? [] : result.rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

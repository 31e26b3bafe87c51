import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { addActionKeywords } from '../../common/actions-catalog/index.js';
import { actions as registry } from '../../executor/actions/index.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

// Loading every action checks each is filed under its own id (registry.ts).
const implemented = await registry.loadAll();
const schemasDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');
const BASE = 'https://runbook-as-code.example/schemas/';
/** The catalogue is the folder: every `schemas/actions/<id>.schema.json` is an action. */
const CATALOGUE = readdirSync(join(schemasDir, 'actions'))
  .filter((f) => f.endsWith('.schema.json'))
  .map((f) => f.slice(0, -'.schema.json'.length));

type Json = Record<string, unknown>;

function listSchemas(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const full = join(dir, e.name);
      if (e.isDirectory()) return listSchemas(full);
      return e.name.endsWith('.schema.json') ? [full] : [];
    })
    .sort();
}

const files = listSchemas(schemasDir).map((full) => ({
  rel: relative(schemasDir, full).split(sep).join('/'),
  schema: JSON.parse(readFileSync(full, 'utf8')) as Json,
}));
const own = files.filter((f) => f.rel !== 'ir.schema.json');
const actions = own.filter((f) => f.rel.startsWith('actions/'));

function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('duration', /^(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/);
  addActionKeywords(ajv);
  return ajv;
}

const ajv = newAjv();
for (const f of files) ajv.addSchema(f.schema);

function validate(rel: string, data: unknown): ErrorObject[] {
  const v = ajv.getSchema(BASE + rel);
  if (!v) throw new Error(`no schema ${rel}`);
  return v(data) ? [] : [...(v.errors ?? [])];
}

function expectValid(rel: string, data: unknown): void {
  expect(validate(rel, data)).toEqual([]);
}

/** Each expected error must be reported (others may be too, e.g. anyOf branches). */
function expectInvalid(
  rel: string,
  data: unknown,
  ...expected: Partial<Pick<ErrorObject, 'instancePath' | 'keyword'>>[]
): ErrorObject[] {
  const errors = validate(rel, data);
  expect(errors.length).toBeGreaterThan(0);
  for (const e of expected) {
    expect(errors.map((x) => ({ instancePath: x.instancePath, keyword: x.keyword }))).toContainEqual(
      expect.objectContaining(e),
    );
  }
  return errors;
}

const clone = <T>(v: T): T => structuredClone(v);

function walk(node: unknown, visit: (n: Json, path: string) => void, path = ''): void {
  if (Array.isArray(node)) return node.forEach((n, i) => walk(n, visit, `${path}/${i}`));
  if (!node || typeof node !== 'object') return;
  visit(node as Json, path);
  for (const [k, v] of Object.entries(node)) walk(v, visit, `${path}/${k}`);
}

// ─────────────────────────────── samples ───────────────────────────────

const contractRunbook = parse(`
apiVersion: runbook/v1
kind: Runbook
metadata:
  name: primary-region-failure
  title: Complete primary region failure
  owner: "@acme/sre"
  tier: critical
  tags: [failover, postgres, aws]
  description: Fail over from us-east-1 to the DR region.
spec:
  objectives: { rto: 60m, rpo: 15m }
  inputs:
    dr_region: { type: choice, options: [us-west-2, eu-west-1], default: us-west-2 }
    reason:    { type: string, required: true, description: Why we fail over }
  secrets: [DR_DATABASE_URL, SLACK_WEBHOOK_URL]
  environment: production-failover
  concurrency: failover-production
  approvals: { approvers: ["@acme/sre-leads"], required: 2, selfApproval: false, timeout: 30m }
  onFailure: rollback
  phases:
    - id: assess
      title: Assessment and declaration
      budget: 15m
      steps:
        - id: replica-lag
          uses: postgres.query
          with: { url: "{{secrets.DR_DATABASE_URL}}", sql: "select extract(epoch from now() - pg_last_xact_replay_timestamp()) as lag" }
          outputs: { lag: "{{result.rows.0.lag}}" }
          assert: ["{{lt outputs.lag 300}}"]
          estimate: 30s
        - id: declare
          uses: approval
          with: { message: "Declare disaster and fail over to {{inputs.dr_region}}?" }
    - id: failover
      title: Multi-region failover
      budget: 30m
      parallel: true
      steps:
        - id: promote-db
          uses: aws.rds.promote-read-replica
          with: { region: "{{inputs.dr_region}}", dbInstanceIdentifier: ecommerce-prod-db-replica }
          timeout: 10m
          retry: { attempts: 3, delay: 20s, backoff: exponential }
          idempotent: true
          estimate: 5m
        - id: notify-start
          uses: notify
          with: { template: internal-alert, audience: [engineering, executive], vars: { phase: Failover } }
        - id: switch-dns
          needs: [promote-db]
          uses: aws.route53.upsert-record
          with: { hostedZoneId: Z1234567890ABC, name: api.example.com, type: CNAME, ttl: 60,
                  value: "{{steps.promote-db.outputs.endpoint}}" }
          rollback:
            uses: aws.route53.upsert-record
            with: { hostedZoneId: Z1234567890ABC, name: api.example.com, type: CNAME, ttl: 60,
                    value: "{{steps.switch-dns.outputs.previousValue}}" }
        - id: deploy
          needs: [promote-db]
          run: cdk deploy --region "$DR_REGION" --all --require-approval never
          env: { DR_REGION: "{{inputs.dr_region}}" }
          timeout: 20m
`) as Json;

/** The contract's Markdown runbook as the loader builds it (phases from the body). */
const markdownRunbook: Json = {
  apiVersion: 'runbook/v1',
  kind: 'Runbook',
  metadata: { name: 'database-corruption-recovery', owner: '@acme/dba', title: 'Database corruption or data loss' },
  spec: {
    objectives: { rto: '2h', rpo: '24h' },
    inputs: { recovery_point: { type: 'string', required: true } },
    phases: [
      {
        id: 'contain',
        title: 'Contain',
        budget: '15m',
        steps: [
          {
            id: 'stop-writes',
            title: 'Stop application writes',
            description: 'Scale the writers to zero so nothing new lands on the corrupted database.',
            run: 'kubectl scale deployment order-service --replicas=0\n',
            timeout: '5m',
          },
          {
            id: 'forensic-snapshot',
            title: 'Snapshot the corrupted database for forensics',
            uses: 'aws.rds.create-db-snapshot',
            with: { dbInstanceIdentifier: 'ecommerce-prod-db', dbSnapshotIdentifier: 'pre-recovery-{{run.id}}' },
            // `> [!APPROVAL]` under a step: a gate before it, the block's text as message
            approval: { message: 'Restore over production? Two DBAs must approve.' },
          },
          {
            id: 'approve-restore',
            uses: 'approval',
            with: { message: 'Restore over production? Two DBAs must approve.' },
          },
        ],
      },
      {
        id: 'validate',
        title: 'Validate',
        steps: [
          {
            id: 'post-recovery-checks',
            title: 'Post-recovery checks',
            uses: 'checklist',
            with: { items: ['Referential integrity holds', 'Recent transactions are present'] },
          },
        ],
      },
    ],
  },
};

const directory = parse(`
apiVersion: runbook/v1
kind: Directory
metadata: { name: acme }
spec:
  people:
    jane-doe: { name: Jane Doe, github: "@jane-doe", email: jane@example.com, phone: "+1-555-0100", slack: "@jane" }
    john-roe: { name: John Roe }
  teams:
    sre: { name: SRE, github: "@acme/sre", members: [jane-doe], slack: "#sre" }
  roles:
    incident-commander: { title: Incident commander, primary: jane-doe, backup: john-roe, description: Runs the incident }
  tiers:
    critical: { rto: 1h, rpo: 15m, description: Checkout and payments, drillInterval: 90d }
  audiences:
    engineering: { description: Engineers, teams: [sre], people: [], channels: [slack], external: false,
                   slackChannel: "#incident", webhook: "{{secrets.SLACK_WEBHOOK_URL}}" }
    executive: { people: [jane-doe], channels: [phone, email] }
  severities:
    sev1: { level: 1, title: Catastrophic, description: Full outage,
            notify: [ { audience: executive, within: 15m, channels: [phone, slack], updateEvery: 30m } ] }
  drills:
    - { runbook: primary-region-failure, schedule: "0 14 15 1,4,7,10 *", live: false }
`) as Json;

const backupPlan = parse(`
apiVersion: runbook/v1
kind: BackupPlan
metadata: { name: ecommerce-db-backup, owner: "@acme/dba" }
spec:
  schedule: "0 3 * * *"
  tier: critical
  objectives: { rpo: 24h }
  targets:
    - id: ecommerce-prod-db
      type: rds
      region: us-east-1
      dbInstanceIdentifier: ecommerce-prod-db
    - id: orders-pg
      type: postgres
      url: "{{secrets.ORDERS_DATABASE_URL}}"
      method: pg_dump
      directory: /var/backups/postgres
  retention: { hot: 7d, cold: 90d, archive: 2555d }
  copyTo: [ { region: us-west-2, kmsKeyId: alias/dr-backups } ]
  verify:
    instanceClass: db.t3.medium
    checks:
      - { name: orders-present, sql: "select count(*) as n from orders", expect: "{{gt result.rows.0.n 0}}" }
    timeout: 2h
  notify: { template: backup-report, audience: [engineering] }
  secrets: [ORDERS_DATABASE_URL]
`) as Json;

const template = parse(`
apiVersion: runbook/v1
kind: Template
metadata: { name: internal-alert }
channel: slack
subject: "[CRITICAL] Disaster recovery initiated: {{runbook.title}}"
variables:
  phase: { required: true, description: Current phase }
  next_update: { required: false }
`) as Json;

const checklist: Json = {
  apiVersion: 'runbook/v1',
  kind: 'Checklist',
  metadata: { name: 'post-recovery', title: 'Post-recovery validation', owner: '@acme/sre' },
};

type Phases = { steps: Json[] }[];
const phasesOf = (doc: Json): Phases => (doc.spec as { phases: Phases }).phases;

// ─────────────────────────────── tests ───────────────────────────────

describe('schema files', () => {
  it('covers every kind and the whole v1 action catalogue', () => {
    const rels = own.map((f) => f.rel);
    for (const k of ['common', 'runbook', 'backup-plan', 'directory', 'template', 'checklist'])
      expect(rels).toContain(`${k}.schema.json`);
    expect(actions.map((f) => f.rel.slice('actions/'.length, -'.schema.json'.length)).sort()).toEqual(
      [...CATALOGUE].sort(),
    );
    // Every schema has an implementation and every implementation a schema.
    expect([...implemented.keys()].sort()).toEqual([...CATALOGUE].sort());
  });

  it.each(own.map((f) => [f.rel, f.schema] as const))(
    '%s compiles in strict mode with a matching $id and relative refs',
    (rel, schema) => {
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toBe(BASE + rel);
      expect(() => ajv.getSchema(BASE + rel)).not.toThrow();
      expect(ajv.getSchema(BASE + rel)).toBeTypeOf('function');
      walk(schema, (n, path) => {
        if (typeof n.$ref === 'string') expect(n.$ref, `${rel}${path}`).not.toMatch(/^[a-z]+:/);
      });
    },
  );

  it.each(own.map((f) => [f.rel, f.schema] as const))('%s describes every property', (rel, schema) => {
    walk(schema, (n, path) => {
      if (path.endsWith('/properties') || path === '/properties') {
        for (const [name, sub] of Object.entries(n)) {
          if (sub === false) continue; // a forbidden property (if/then)
          if (/\/(if|then)\/properties$/.test(path)) continue;
          expect((sub as Json).description, `${rel}${path}/${name}`).toBeTypeOf('string');
        }
      }
    });
  });

  it('ir.schema.json (if present) compiles alongside', () => {
    const ir = files.find((f) => f.rel === 'ir.schema.json');
    if (ir) expect(ajv.getSchema(String(ir.schema.$id))).toBeTypeOf('function');
  });
});

describe('action schemas', () => {
  it.each(actions.map((f) => [f.rel, f.schema] as const))(
    '%s declares x-action, x-idempotent, x-side-effects, x-description, x-result',
    (rel, schema) => {
      expect(schema['x-action']).toBe(rel.slice('actions/'.length, -'.schema.json'.length));
      expect(schema['x-idempotent']).toBeTypeOf('boolean');
      expect(schema['x-side-effects']).toBeTypeOf('boolean');
      expect(schema['x-description']).toBeTypeOf('string');
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties).toBe(false);
      const result = schema['x-result'] as Json;
      expect(result.type).toBe('object');
      expect(() => newAjv().compile(result)).not.toThrow();
    },
  );

  it('declares the default idempotency decided for the catalogue', () => {
    const idem = Object.fromEntries(actions.map((f) => [f.schema['x-action'], f.schema['x-idempotent']]));
    for (const id of [
      'http.check',
      'wait',
      'postgres.replication-lag',
      'aws.rds.describe-db-instance',
      'aws.rds.wait-available',
      'aws.route53.get-record',
      'aws.route53.upsert-record',
    ])
      expect(idem[id], id).toBe(true);
    for (const id of [
      'shell',
      'postgres.query',
      'aws.rds.create-db-snapshot',
      'aws.rds.promote-read-replica',
      'approval',
      'checklist',
      'manual',
      'notify',
    ])
      expect(idem[id], id).toBe(false);
  });

  it('accepts every `with` of the contract examples', () => {
    for (const doc of [contractRunbook, markdownRunbook]) {
      for (const phase of phasesOf(doc)) {
        for (const step of phase.steps) {
          for (const body of [step, step.rollback as Json | undefined]) {
            if (body?.uses)
              expect(validate(`actions/${String(body.uses)}.schema.json`, body.with ?? {}), String(step.id)).toEqual(
                [],
              );
            if (body?.run) expectValid('actions/shell.schema.json', { script: body.run });
          }
        }
      }
    }
  });

  it('shell', () => {
    expectValid('actions/shell.schema.json', { script: 'echo hi', shell: 'sh', cwd: 'infra' });
    expectInvalid('actions/shell.schema.json', {}, { instancePath: '', keyword: 'required' });
    expectInvalid(
      'actions/shell.schema.json',
      { script: 'x', shell: 'zsh' },
      { instancePath: '/shell', keyword: 'enum' },
    );
  });

  it('http.check', () => {
    expectValid('actions/http.check.schema.json', {
      url: 'https://api.example.com/health',
      expectStatus: [200, 204],
      expectBody: '"ok"',
      timeout: '5s',
    });
    expectValid('actions/http.check.schema.json', {
      url: 'https://{{inputs.host}}/health',
      method: 'POST',
      body: { ping: true },
      headers: { 'x-token': '{{secrets.TOKEN}}' },
      expectStatus: '{{inputs.status}}',
    });
    expectInvalid(
      'actions/http.check.schema.json',
      { url: 'https://x', expectStatus: '200' },
      { instancePath: '/expectStatus', keyword: 'anyOf' },
    );
    expectInvalid(
      'actions/http.check.schema.json',
      { url: 'https://x', timeout: '5 seconds' },
      { instancePath: '/timeout', keyword: 'anyOf' },
    );
    expectInvalid(
      'actions/http.check.schema.json',
      { url: 'https://x', expect: 200 },
      { instancePath: '', keyword: 'additionalProperties' },
    );
  });

  it('wait', () => {
    expectValid('actions/wait.schema.json', { duration: '30s' });
    expectValid('actions/wait.schema.json', {
      until: '{{eq result.status "available"}}',
      interval: '15s',
      timeout: '20m',
      check: { uses: 'aws.rds.describe-db-instance', with: { dbInstanceIdentifier: 'db' } },
    });
    expectInvalid('actions/wait.schema.json', {}, { instancePath: '', keyword: 'required' });
    expectInvalid(
      'actions/wait.schema.json',
      { until: '{{result.ok}}' },
      { instancePath: '', keyword: 'dependentRequired' },
    );
    expectInvalid(
      'actions/wait.schema.json',
      { until: '{{result.ok}}', check: { with: {} } },
      { instancePath: '/check', keyword: 'required' },
    );
  });

  it('postgres actions', () => {
    expectValid('actions/postgres.query.schema.json', { url: '{{secrets.DB}}', sql: 'select $1::int', params: [1] });
    expectInvalid(
      'actions/postgres.query.schema.json',
      { url: '{{secrets.DB}}' },
      { instancePath: '', keyword: 'required' },
    );
    expectInvalid(
      'actions/postgres.query.schema.json',
      { url: 'x', sql: 'y', params: 'a' },
      { instancePath: '/params', keyword: 'type' },
    );
    expectValid('actions/postgres.promote.schema.json', {
      url: '{{secrets.DB}}',
      wait: '{{inputs.wait}}',
      timeout: '2m',
    });
    expectInvalid(
      'actions/postgres.promote.schema.json',
      { url: 'x', wait: 'yes' },
      { instancePath: '/wait', keyword: 'anyOf' },
    );
    expectValid('actions/postgres.replication-lag.schema.json', { url: '{{secrets.DB}}' });
    expectValid('actions/postgres.replication-lag.schema.json', {
      url: '{{secrets.STANDBY}}',
      primaryUrl: '{{secrets.PRIMARY}}',
    });
    expectInvalid(
      'actions/postgres.replication-lag.schema.json',
      { url: 'x', max: 5 },
      { instancePath: '', keyword: 'additionalProperties' },
    );
  });

  it('aws.rds actions', () => {
    expectValid('actions/aws.rds.describe-db-instance.schema.json', {
      region: 'eu-west-1',
      dbInstanceIdentifier: 'db',
    });
    expectInvalid(
      'actions/aws.rds.describe-db-instance.schema.json',
      { region: 'Europe', dbInstanceIdentifier: 'db' },
      { instancePath: '/region', keyword: 'pattern' },
    );
    expectInvalid(
      'actions/aws.rds.describe-db-instance.schema.json',
      { DBInstanceIdentifier: 'db' },
      { instancePath: '', keyword: 'required' },
      { instancePath: '', keyword: 'additionalProperties' },
    );
    expectValid('actions/aws.rds.copy-db-snapshot.schema.json', {
      region: 'us-west-2',
      sourceRegion: 'us-east-1',
      kmsKeyId: 'alias/dr-backups',
      copyTags: true,
      sourceDbSnapshotIdentifier: 'arn:aws:rds:us-east-1:123456789012:snapshot:s1',
      targetDbSnapshotIdentifier: 's1-dr',
    });
    expectValid('actions/aws.rds.restore-db-instance-from-snapshot.schema.json', {
      dbInstanceIdentifier: 'verify-{{run.id}}',
      dbSnapshotIdentifier: 's1',
      dbInstanceClass: 'db.t3.medium',
      multiAz: false,
      port: 5432,
    });
    expectValid('actions/aws.rds.restore-db-instance-to-point-in-time.schema.json', {
      sourceDbInstanceIdentifier: 'db',
      targetDbInstanceIdentifier: 'db-pitr',
      restoreTime: '2025-01-02T03:04:05Z',
    });
    expectValid('actions/aws.rds.restore-db-instance-to-point-in-time.schema.json', {
      sourceDbInstanceIdentifier: 'db',
      targetDbInstanceIdentifier: 'db-pitr',
      restoreTime: '{{inputs.recovery_point}}',
    });
    expectInvalid(
      'actions/aws.rds.restore-db-instance-to-point-in-time.schema.json',
      { sourceDbInstanceIdentifier: 'db', targetDbInstanceIdentifier: 'x', restoreTime: 'yesterday' },
      { instancePath: '/restoreTime', keyword: 'anyOf' },
    );
    expectValid('actions/aws.rds.delete-db-instance.schema.json', {
      dbInstanceIdentifier: 'verify-1',
      skipFinalSnapshot: true,
    });
    expectInvalid(
      'actions/aws.rds.delete-db-instance.schema.json',
      { dbInstanceIdentifier: 'verify-1', skipFinalSnapshot: 'true' },
      { instancePath: '/skipFinalSnapshot', keyword: 'anyOf' },
    );
    expectValid('actions/aws.rds.wait-available.schema.json', { dbSnapshotIdentifier: 's1' });
    expectInvalid(
      'actions/aws.rds.wait-available.schema.json',
      { region: 'us-east-1' },
      { instancePath: '', keyword: 'required' },
    );
    expectInvalid(
      'actions/aws.rds.promote-read-replica.schema.json',
      { dbInstanceIdentifier: 'r', backupRetentionPeriod: 99 },
      { instancePath: '/backupRetentionPeriod', keyword: 'anyOf' },
    );
  });

  it('aws.route53 actions', () => {
    const upsert = 'actions/aws.route53.upsert-record.schema.json';
    expectValid(upsert, {
      hostedZoneId: 'Z1',
      name: 'api.example.com',
      type: 'A',
      ttl: '{{inputs.ttl}}',
      value: ['10.0.0.1', '10.0.0.2'],
    });
    expectValid(upsert, {
      hostedZoneId: 'Z1',
      name: 'api.example.com',
      type: 'A',
      aliasTarget: { hostedZoneId: 'Z2', dnsName: 'lb.example.com', evaluateTargetHealth: true },
    });
    expectInvalid(
      upsert,
      { hostedZoneId: 'Z1', name: 'api.example.com', type: 'CNAME', ttl: 'sixty', value: 'x' },
      { instancePath: '/ttl', keyword: 'anyOf' },
    );
    expectInvalid(
      upsert,
      { hostedZoneId: 'Z1', name: 'api.example.com', type: 'CNAME' },
      { instancePath: '', keyword: 'required' },
    );
    expectInvalid(
      upsert,
      { hostedZoneId: 'Z1', name: 'a', type: 'cname', value: 'x' },
      { instancePath: '/type', keyword: 'anyOf' },
    );
    expectValid('actions/aws.route53.get-record.schema.json', {
      hostedZoneId: 'Z1',
      name: 'api.example.com',
      type: 'CNAME',
    });
    expectValid('actions/aws.route53.create-health-check.schema.json', {
      type: 'HTTPS',
      fullyQualifiedDomainName: 'api.example.com',
      resourcePath: '/health',
      requestInterval: 10,
      failureThreshold: 3,
    });
    expectInvalid(
      'actions/aws.route53.create-health-check.schema.json',
      { type: 'HTTPS', requestInterval: 15 },
      { instancePath: '/requestInterval', keyword: 'anyOf' },
    );
  });

  it('people actions', () => {
    expectValid('actions/approval.schema.json', {
      message: 'Go?',
      approvers: ['@acme/sre-leads', '@jane-doe', '{{inputs.approver}}'],
      required: 2,
      selfApproval: false,
      timeout: '30m',
    });
    expectInvalid(
      'actions/approval.schema.json',
      { message: 'Go?', approvers: ['acme'] },
      { instancePath: '/approvers/0', keyword: 'pattern' },
    );
    expectInvalid(
      'actions/approval.schema.json',
      { message: 'Go?', required: 0 },
      { instancePath: '/required', keyword: 'anyOf' },
    );
    expectValid('actions/notify.schema.json', { template: 'internal-alert', channels: ['slack', 'status-page'] });
    expectInvalid(
      'actions/notify.schema.json',
      { template: 'internal-alert', channels: ['pager'] },
      { instancePath: '/channels/0', keyword: 'enum' },
    );
    expectInvalid(
      'actions/notify.schema.json',
      { audience: ['engineering'] },
      { instancePath: '', keyword: 'required' },
    );
    expectValid('actions/checklist.schema.json', { checklist: 'post-recovery' });
    expectValid('actions/checklist.schema.json', {
      items: ['RDS accessible', { text: 'API healthy', check: 'api-health' }],
    });
    expectInvalid('actions/checklist.schema.json', {}, { instancePath: '', keyword: 'required' });
    expectInvalid(
      'actions/checklist.schema.json',
      { items: [{ text: 'x', check: 'Bad Id' }] },
      { instancePath: '/items/0', keyword: 'anyOf' },
      { instancePath: '/items/0/check', keyword: 'pattern' },
    );
    expectValid('actions/manual.schema.json', {
      instruction: 'Call AWS support',
      assignee: 'incident-commander',
      evidence: true,
    });
    expectInvalid(
      'actions/manual.schema.json',
      { instruction: 'x', assignee: 'Incident Commander' },
      { instancePath: '/assignee', keyword: 'pattern' },
    );
    expectValid('actions/runbook.schema.json', {
      runbook: 'database-corruption-recovery',
      inputs: { recovery_point: '{{inputs.when}}' },
    });
    expectInvalid('actions/runbook.schema.json', { inputs: {} }, { instancePath: '', keyword: 'required' });
  });
});

describe('Runbook', () => {
  const rel = 'runbook.schema.json';

  it('accepts the contract examples (YAML and Markdown)', () => {
    expectValid(rel, contractRunbook);
    expectValid(rel, markdownRunbook);
  });

  it('accepts x- extensions on metadata, spec, phases and steps only', () => {
    const doc = clone(contractRunbook);
    (doc.metadata as Json)['x-team'] = 'a';
    (doc.spec as Json)['x-pager'] = { service: 'P1' };
    (phasesOf(doc)[0] as Json)['x-note'] = 1;
    phasesOf(doc)[0].steps[0]['x-link'] = 'https://wiki';
    expectValid(rel, doc);
    (doc as Json)['x-top'] = 1;
    expectInvalid(rel, doc, { instancePath: '', keyword: 'additionalProperties' });
  });

  it('reports a typo in a step at the step', () => {
    const doc = clone(contractRunbook);
    phasesOf(doc)[1].steps[0].timout = '5m';
    const errors = expectInvalid(rel, doc, { instancePath: '/spec/phases/1/steps/0', keyword: 'additionalProperties' });
    expect(errors.find((e) => e.keyword === 'additionalProperties')?.params).toEqual({ additionalProperty: 'timout' });
  });

  it('reports bad durations, ids, enums and names where they are', () => {
    const doc = clone(contractRunbook);
    phasesOf(doc)[1].steps[0].timeout = '10 minutes';
    phasesOf(doc)[1].steps[1].id = 'Notify_Start';
    phasesOf(doc)[0].steps[0].onFailure = 'retry';
    (doc.spec as Json).secrets = ['dr_database_url'];
    (doc.metadata as Json).owner = 'acme/sre';
    ((doc.spec as Json).objectives as Json).rto = '1 hour';
    expectInvalid(
      rel,
      doc,
      { instancePath: '/spec/phases/1/steps/0/timeout', keyword: 'format' },
      { instancePath: '/spec/phases/1/steps/1/id', keyword: 'pattern' },
      { instancePath: '/spec/phases/0/steps/0/onFailure', keyword: 'enum' },
      { instancePath: '/spec/secrets/0', keyword: 'pattern' },
      { instancePath: '/metadata/owner', keyword: 'pattern' },
      { instancePath: '/spec/objectives/rto', keyword: 'format' },
    );
  });

  it('checks inputs, retry, rollback bodies, approvals and phases', () => {
    const doc = clone(contractRunbook);
    const inputs = (doc.spec as Json).inputs as Json;
    inputs.DrRegion = { type: 'string' };
    (inputs.reason as Json).type = 'text';
    phasesOf(doc)[1].steps[0].retry = { attempts: 50 };
    (phasesOf(doc)[1].steps[2].rollback as Json).needs = ['promote-db'];
    ((doc.spec as Json).approvals as Json).required = 0;
    phasesOf(doc)[0].steps[1].env = { 'BAD-NAME': 'x' };
    expectInvalid(
      rel,
      doc,
      { instancePath: '/spec/inputs', keyword: 'propertyNames' },
      { instancePath: '/spec/inputs/reason/type', keyword: 'enum' },
      { instancePath: '/spec/phases/1/steps/0/retry/attempts', keyword: 'maximum' },
      { instancePath: '/spec/phases/1/steps/2/rollback', keyword: 'additionalProperties' },
      { instancePath: '/spec/approvals/required', keyword: 'minimum' },
      { instancePath: '/spec/phases/0/steps/1/env', keyword: 'propertyNames' },
    );
  });

  it('requires phases with steps, and ids', () => {
    const doc = clone(contractRunbook);
    phasesOf(doc)[0].steps = [];
    delete phasesOf(doc)[1].steps[0].id;
    expectInvalid(
      rel,
      doc,
      { instancePath: '/spec/phases/0/steps', keyword: 'minItems' },
      { instancePath: '/spec/phases/1/steps/0', keyword: 'required' },
    );
    const empty = clone(contractRunbook);
    (empty.spec as Json).phases = [];
    expectInvalid(rel, empty, { instancePath: '/spec/phases', keyword: 'minItems' });
    expectInvalid(
      rel,
      { ...clone(contractRunbook), apiVersion: 'runbook/v2' },
      { instancePath: '/apiVersion', keyword: 'const' },
    );
  });
});

describe('Directory', () => {
  const rel = 'directory.schema.json';

  it('accepts the documented shape', () => expectValid(rel, directory));

  it('reports bad entries where they are', () => {
    const doc = clone(directory);
    const spec = doc.spec as Record<string, Json>;
    (spec.audiences.engineering as Json).channels = ['pager'];
    delete (spec.people['john-roe'] as Json).name;
    spec.roles.IncidentCommander = { primary: 'jane-doe' };
    (spec.teams.sre as Json).github = '@sre';
    ((spec.severities.sev1 as Json).notify as Json[])[0].within = 'soon';
    (spec.drills as unknown as Json[])[0].live = 'no';
    expectInvalid(
      rel,
      doc,
      { instancePath: '/spec/audiences/engineering/channels/0', keyword: 'enum' },
      { instancePath: '/spec/people/john-roe', keyword: 'required' },
      { instancePath: '/spec/roles', keyword: 'propertyNames' },
      { instancePath: '/spec/teams/sre/github', keyword: 'pattern' },
      { instancePath: '/spec/severities/sev1/notify/0/within', keyword: 'format' },
      { instancePath: '/spec/drills/0/live', keyword: 'type' },
    );
  });
});

describe('BackupPlan', () => {
  const rel = 'backup-plan.schema.json';

  it('accepts the documented shape', () => expectValid(rel, backupPlan));

  it('checks targets by type', () => {
    const doc = clone(backupPlan);
    const targets = (doc.spec as Json).targets as Json[];
    targets[0].url = 'postgres://x';
    delete targets[1].directory;
    targets.push({ id: 'cache', type: 'redis' });
    expectInvalid(
      rel,
      doc,
      { instancePath: '/spec/targets/0/url', keyword: 'false schema' },
      { instancePath: '/spec/targets/1', keyword: 'required' },
      { instancePath: '/spec/targets/2/type', keyword: 'enum' },
    );
  });

  it('reports retention, copy, verify and notify problems where they are', () => {
    const doc = clone(backupPlan);
    const spec = doc.spec as Record<string, Json & Json[]>;
    spec.retention.hot = '7 days';
    spec.copyTo[0].kms = 'alias/x';
    (spec.verify.checks as Json[])[0].name = 'Orders Present';
    spec.notify.channel = 'slack';
    delete (doc.spec as Json).schedule;
    expectInvalid(
      rel,
      doc,
      { instancePath: '/spec/retention/hot', keyword: 'format' },
      { instancePath: '/spec/copyTo/0', keyword: 'additionalProperties' },
      { instancePath: '/spec/verify/checks/0/name', keyword: 'pattern' },
      { instancePath: '/spec/notify', keyword: 'additionalProperties' },
      { instancePath: '/spec', keyword: 'required' },
    );
  });
});

describe('Template', () => {
  const rel = 'template.schema.json';

  it('accepts the contract example', () => {
    expectValid(rel, template);
    expectValid(rel, { ...clone(template), channel: 'status-page', audience: ['customers'], customerFacing: true });
  });

  it('reports bad channel, variables and misplaced fields', () => {
    const doc = clone(template);
    doc.channel = 'phone';
    ((doc.variables as Json).phase as Json).requird = true;
    doc.spec = {};
    expectInvalid(
      rel,
      doc,
      { instancePath: '/channel', keyword: 'enum' },
      { instancePath: '/variables/phase', keyword: 'additionalProperties' },
      { instancePath: '', keyword: 'additionalProperties' },
    );
    const noChannel = clone(template);
    delete noChannel.channel;
    expectInvalid(rel, noChannel, { instancePath: '', keyword: 'required' });
  });
});

describe('Checklist', () => {
  const rel = 'checklist.schema.json';

  it('accepts front matter with metadata only', () => expectValid(rel, checklist));

  it('rejects anything else', () => {
    expectInvalid(rel, { ...checklist, items: ['a'] }, { instancePath: '', keyword: 'additionalProperties' });
    expectInvalid(rel, { ...checklist, kind: 'Runbook' }, { instancePath: '/kind', keyword: 'const' });
    expectInvalid(
      rel,
      { ...checklist, metadata: { name: 'Post Recovery' } },
      { instancePath: '/metadata/name', keyword: 'pattern' },
    );
  });
});

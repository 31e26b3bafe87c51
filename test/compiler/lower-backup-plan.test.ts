import { describe, expect, it } from 'vitest';
import { compileFiles } from '../../compiler/compile.js';
import { isTruthy } from '../../executor/render/expressions.js';
import type { IrGraph, IrNode } from '../../ir/types.js';

/**
 * How a BackupPlan lowers (docs/format-reference.md, "BackupPlan lowering"): the cleanup of what
 * verification created (the temporary RDS instance, the scratch database) and the report are
 * `finally` steps, so a failed check neither leaves the instance running nor silences the report;
 * prune stays in the phases, after verify, so it runs only when every backup verified.
 */
const template = `---
apiVersion: runbook/v1
kind: Template
metadata: { name: backup-report, owner: "@acme/dba" }
channel: slack
subject: "Backup {{status}}"
variables:
  status: { required: true }
  failed: { required: false }
  results: { required: false }
  snapshot_id: { required: false }
  copied_to: { required: false }
---
{{#if failed}}FAILED: {{failed}}{{/if}}
`;

// The shape of runbooks/backup/ecommerce-rds-daily.yaml, trimmed to two checks.
const rdsPlan = `apiVersion: runbook/v1
kind: BackupPlan
metadata: { name: orders-rds-daily, owner: "@acme/dba" }
spec:
  schedule: "0 3 * * *"
  targets:
    - { id: orders-db, type: rds, region: us-east-1, dbInstanceIdentifier: orders-db }
  retention: { hot: 30d }
  copyTo:
    - { region: us-west-2 }
  verify:
    instanceClass: db.t3.medium
    url: "{{secrets.VERIFY_DATABASE_URL}}"
    checks:
      - { name: orders-present, sql: "select count(*)::int as n from orders", expect: "{{gt result.rows.0.n 0}}" }
      - { name: no-null-ids, sql: "select count(*)::int as n from orders where id is null", expect: "{{eq result.rows.0.n 0}}" }
  notify: { template: backup-report }
  secrets: [VERIFY_DATABASE_URL]
`;

const pgPlan = (extra = '') => `apiVersion: runbook/v1
kind: BackupPlan
metadata: { name: app-pg-nightly, owner: "@acme/dba" }
spec:
  schedule: "0 2 * * *"
  inputs:
    backup_dir: { type: string, default: /var/backups/app }
  targets:
    - { id: app, type: postgres, url: "{{secrets.APP_DATABASE_URL}}", directory: "{{inputs.backup_dir}}" }
  retention: { hot: 7d }
  verify:
    checks:
      - { name: users-present, sql: "select count(*)::int as n from users", expect: "{{gt result.rows.0.n 0}}" }
${extra}  secrets: [APP_DATABASE_URL]
`;

function compile(plan: string): IrGraph {
  const r = compileFiles([
    { path: 'runbooks/plan.yaml', text: plan },
    { path: 'runbooks/templates/backup-report.md.hbs', text: template },
  ]);
  expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  expect(r.graphs).toHaveLength(1);
  return r.graphs[0];
}

const node = (g: IrGraph, id: string): IrNode => {
  const n = g.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id} in ${g.nodes.map((x) => x.id).join(', ')}`);
  return n;
};
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('BackupPlan lowering', () => {
  it('RDS: deleting the verification instance and the report are finally steps; prune follows the checks', () => {
    const g = compile(rdsPlan);
    expect(g.phases.map((p) => p.id)).toEqual(['backup', 'copy', 'verify', 'prune', 'finally']);
    const fin = g.nodes.filter((n) => n.finally).map((n) => n.id);
    expect(fin).toEqual(['delete-orders-db-restore', 'notify']);
    expect(node(g, 'delete-orders-db-restore')).toMatchObject({
      phase: 'finally',
      uses: 'aws.rds.delete-db-instance',
      // Started at all (succeeded, failed halfway, timed out): the instance may exist.
      if: "{{and steps.restore-orders-db.status (ne steps.restore-orders-db.status 'skipped')}}",
      with: { region: 'us-east-1', dbInstanceIdentifier: 'orders-db-verify-{{run.id}}', skipFinalSnapshot: true },
    });
    // The instance it deletes is the one the restore created.
    expect(node(g, 'restore-orders-db').with.dbInstanceIdentifier).toBe(
      node(g, 'delete-orders-db-restore').with.dbInstanceIdentifier,
    );
    // The report has no `if:`: it runs whatever the outcome, after the cleanup.
    const notify = node(g, 'notify');
    expect(notify.if).toBeUndefined();
    expect(notify.needs).toEqual(['delete-orders-db-restore']);
    expect(notify.with).toMatchObject({
      template: 'backup-report',
      vars: {
        status: '{{run.status}}',
        failed: '{{run.failed}}',
        results: '{{steps}}',
        snapshot_id: '{{steps.snapshot-orders-db.outputs.snapshot}}',
        copied_to: 'us-west-2',
      },
    });
    // Prune waits for every check (the phase edge) and is not a finally step.
    expect(node(g, 'prune-orders-db').phase).toBe('prune');
    expect(node(g, 'prune-orders-db').needs.sort()).toEqual([
      'check-orders-db-no-null-ids',
      'check-orders-db-orders-present',
    ]);
    expect(node(g, 'prune-orders-db').finally).toBeUndefined();
  });

  it('the cleanup guard is true for every status of a restore that started, false otherwise', () => {
    const guard = node(compile(rdsPlan), 'delete-orders-db-restore').if!;
    const runs = (status?: string) =>
      isTruthy(guard, { steps: status === undefined ? {} : { 'restore-orders-db': { status, outputs: {} } } });
    expect(['succeeded', 'failed', 'timed-out', 'cancelled'].filter((s) => runs(s))).toEqual([
      'succeeded',
      'failed',
      'timed-out',
      'cancelled',
    ]);
    // Never started (the run stopped at the snapshot) or skipped by `if:`: nothing to delete.
    expect([runs(undefined), runs(''), runs('skipped')]).toEqual([false, false, false]);
  });

  it('finally steps point back into the plan file (verify for the cleanup, notify for the report)', () => {
    const g = compile(rdsPlan);
    // /spec/verify's value starts on the line after `verify:`.
    expect(node(g, 'delete-orders-db-restore').source).toMatchObject({
      file: 'runbooks/plan.yaml',
      line: lineOf(rdsPlan, '    instanceClass:'),
    });
    expect(node(g, 'notify').source).toMatchObject({ file: 'runbooks/plan.yaml', line: lineOf(rdsPlan, '  notify:') });
  });

  it('postgres: the scratch database is dropped in finally, guarded by the restore having started', () => {
    const g = compile(pgPlan('  notify: { template: backup-report }\n'));
    expect(g.phases.map((p) => p.id)).toEqual(['backup', 'verify', 'prune', 'finally']);
    expect(g.nodes.filter((n) => n.finally).map((n) => n.id)).toEqual(['cleanup-app', 'notify']);
    const cleanup = node(g, 'cleanup-app');
    expect(cleanup).toMatchObject({
      if: "{{and steps.restore-app.status (ne steps.restore-app.status 'skipped')}}",
      idempotent: true,
      env: { SCRATCH_DB: 'app_verify' },
    });
    expect(cleanup.with.script).toContain('DROP DATABASE IF EXISTS');
    expect(node(g, 'prune-app').needs).toEqual(['check-app-users-present']);
    // The plan's inputs reach the lowered runbook (a scheduled run takes the default).
    expect(g.inputs.backup_dir).toMatchObject({ type: 'string', default: '/var/backups/app' });
    expect(node(g, 'backup-app').env.BACKUP_DIR).toBe('{{inputs.backup_dir}}');
    expect(node(g, 'notify').with.vars).toMatchObject({ snapshot_id: '{{steps.backup-app.outputs.path}}' });
  });

  it('without verify there is nothing to clean up; without notify nor verify there is no finally', () => {
    const noVerify = pgPlan('  notify: { template: backup-report }\n').replace(/ {2}verify:\n(?: {4}.*\n)+/, '');
    expect(
      compile(noVerify)
        .nodes.filter((n) => n.finally)
        .map((n) => n.id),
    ).toEqual(['notify']);
    const bare = pgPlan().replace(/ {2}verify:\n(?: {4}.*\n)+/, '');
    const g = compile(bare);
    expect(g.nodes.some((n) => n.finally)).toBe(false);
    expect(g.phases.map((p) => p.id)).toEqual(['backup', 'prune']);
  });

  it("a Template requiring a report variable the lowering supplies is satisfied; the plan's own vars win", () => {
    // `status` is required by the Template and supplied by the lowering, not by the plan.
    const g = compile(pgPlan('  notify: { template: backup-report, vars: { snapshot_id: nightly } }\n'));
    expect(node(g, 'notify').with.vars).toMatchObject({ status: '{{run.status}}', snapshot_id: 'nightly' });
  });
});

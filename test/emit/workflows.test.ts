import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileFiles, compileTree } from '../../compiler/compile.js';
import { generatedNotice } from '../../compiler/emit/emitter.js';
import { pinnedActions } from '../../compiler/emit/workflows/pinned-actions.js';
import { runSecrets } from '../../compiler/emit/workflows/run-secrets.js';
import { workflowEmitters } from '../../compiler/emit/workflows/index.js';
import { runRequestSecrets } from '../../compiler/emit/workflows/run-request-workflow.js';

/**
 * Generated GitHub workflows for test/fixtures/workflows/tree: snapshots (expected/<file>), the
 * shape every workflow must have, and what each emitter owns.
 */
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'workflows');
const result = compileTree(join(fixtures, 'tree'));
const files = workflowEmitters.flatMap((e) => e.emit(result));
const byPath = new Map(files.map((f) => [f.path, f.content]));

type Step = {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  if?: string;
};
type Workflow = {
  on: Record<string, any>;
  permissions: Record<string, string>;
  concurrency?: Record<string, unknown>;
  jobs: Record<string, { steps: Step[]; environment?: string; if?: string }>;
};
const workflow = (path: string) => parse(byPath.get(path) as string) as Workflow;
const runStep = (w: Workflow) =>
  Object.values(w.jobs)[0].steps.find(
    (s) => s.run?.startsWith('npx --no runbook') && s.run !== 'npx --no runbook compile --check',
  ) as Step;

describe('generated workflows (fixture tree)', () => {
  it('compiles the fixture cleanly', () => {
    expect(result.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  });

  it('writes one workflow per runbook and backup plan, the PR, the run-request, the resume, the approval and the wiki workflow', () => {
    expect(files.map((f) => f.path).sort()).toEqual([
      '.github/workflows/backup-orders-backups.yml',
      '.github/workflows/runbook-approve.yml',
      '.github/workflows/runbook-pr.yml',
      '.github/workflows/runbook-region-failover.yml',
      '.github/workflows/runbook-resume.yml',
      '.github/workflows/runbook-run-request.yml',
      '.github/workflows/runbook-smoke-check.yml',
      '.github/workflows/runbook-wiki.yml',
    ]);
  });

  it.each(files.map((f) => [basename(f.path), f.content]))('%s matches its snapshot', async (name, content) => {
    await expect(content).toMatchFileSnapshot(join(fixtures, 'expected', name));
  });

  it('starts every file with the generated notice', () => {
    for (const f of files) expect(f.content.split('\n')[0]).toBe(`# ${generatedNotice}`);
  });

  it('pins every action to a full commit SHA with its release in a comment', () => {
    for (const f of files) {
      for (const line of f.content.split('\n').filter((l) => /^\s*(- )?uses:/.test(l))) {
        expect(line).toMatch(/uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
        const [, repo, sha] = /uses: ([\w-]+\/[\w-]+)@([0-9a-f]{40})/.exec(line) ?? [];
        expect(pinnedActions.some((a) => a.repo === repo && a.sha === sha)).toBe(true);
      }
    }
  });

  it('maps every input type to workflow_dispatch and hands values over through env only', () => {
    const w = workflow('.github/workflows/runbook-region-failover.yml');
    const inputs = w.on.workflow_dispatch.inputs;
    expect(inputs.dr_region).toEqual({
      description: 'Region to fail over to',
      type: 'choice',
      required: false,
      default: 'us-west-2',
      options: ['us-west-2', 'eu-west-1'],
    });
    expect(inputs.reason).toEqual({ description: 'Why we fail over', type: 'string', required: true });
    expect(inputs.max_lag_seconds).toMatchObject({ type: 'string', default: '300' });
    expect(inputs.skip_dns).toMatchObject({ type: 'boolean', default: false });
    expect(inputs.dry_run).toMatchObject({ type: 'boolean', default: false });
    expect(inputs.drill).toMatchObject({ type: 'boolean', default: false });
    const step = runStep(w);
    expect(step.run).toBe('npx --no runbook run region-failover --inputs-from-env');
    expect(step.env).toEqual({
      RUNBOOK_INPUT_DR_REGION: '${{ inputs.dr_region }}',
      RUNBOOK_INPUT_REASON: '${{ inputs.reason }}',
      RUNBOOK_INPUT_MAX_LAG_SECONDS: '${{ inputs.max_lag_seconds }}',
      RUNBOOK_INPUT_SKIP_DNS: '${{ inputs.skip_dns }}',
      RUNBOOK_DRY_RUN: '${{ inputs.dry_run }}',
      RUNBOOK_DRILL: '${{ inputs.drill }}',
      DR_DATABASE_URL: '${{ secrets.DR_DATABASE_URL }}',
      // The run's lock: an audit database every runner shares, or an explicit local-lock override.
      RUNBOOK_AUDIT_DB: '${{ secrets.RUNBOOK_AUDIT_DB }}',
      RUNBOOK_ALLOW_LOCAL_LOCK: '${{ secrets.RUNBOOK_ALLOW_LOCAL_LOCK }}',
      RUNBOOK_GITHUB_MEMBERS_TOKEN: '${{ secrets.RUNBOOK_GITHUB_MEMBERS_TOKEN }}',
      GITHUB_TOKEN: '${{ github.token }}',
    });
  });

  it('uses least permissions, the environment, and never cancels a run in progress', () => {
    const w = workflow('.github/workflows/runbook-region-failover.yml');
    expect(w.permissions).toEqual({ contents: 'read', issues: 'write' });
    expect(w.concurrency).toEqual({ group: 'failover-production', 'cancel-in-progress': false });
    expect(w.jobs.run.environment).toBe('production-failover');
    expect(workflow('.github/workflows/runbook-smoke-check.yml').concurrency).toEqual({
      group: 'runbook-smoke-check',
      'cancel-in-progress': false,
    });
    expect(workflow('.github/workflows/runbook-smoke-check.yml').jobs.run.environment).toBeUndefined();
  });

  it('uploads the audit log even when the run fails', () => {
    const upload = workflow('.github/workflows/runbook-smoke-check.yml').jobs.run.steps.at(-1) as Step;
    expect(upload.if).toBe('always()');
    expect(upload.with).toMatchObject({ path: '.runbook/runs/', 'retention-days': 90, 'include-hidden-files': true });
    expect(String(upload.with?.name)).toMatch(/^audit-\$\{\{ github.run_id \}\}/);
  });

  it('schedules backup plans with their cron, runnable by hand as a dry run', () => {
    const w = workflow('.github/workflows/backup-orders-backups.yml');
    // Authored '0 3 * * *': moved off minute :00 (spread-cron.ts), the hour kept.
    expect(w.on.schedule).toEqual([{ cron: '12 3 * * *' }]);
    expect(Object.keys(w.on.workflow_dispatch.inputs)).toEqual(['dry_run']);
    expect(runStep(w).run).toBe('npx --no runbook run orders-backups --inputs-from-env');
    expect(runStep(w).env).toMatchObject({
      RUNBOOK_DRY_RUN: '${{ inputs.dry_run }}',
      ORDERS_DATABASE_URL: '${{ secrets.ORDERS_DATABASE_URL }}',
    });
  });

  it('checks pull requests: validate, compile --check, then the plan comment with values in env', () => {
    const w = workflow('.github/workflows/runbook-pr.yml');
    expect(w.on.pull_request.paths).toEqual(expect.arrayContaining(['runbooks/**', 'runs/**', 'schemas/**']));
    expect(w.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const steps = w.jobs.plan.steps;
    expect(steps[0].with).toMatchObject({ 'fetch-depth': 0 });
    expect(steps.filter((s) => s.run).map((s) => s.run)).toEqual([
      'npm ci',
      'npx --no runbook validate --format github',
      'npx --no runbook compile --check',
      'npx --no runbook pr-comment --base-ref "$BASE_SHA"',
    ]);
    expect(steps.at(-1)?.env).toEqual({
      BASE_SHA: '${{ github.event.pull_request.base.sha }}',
      HEAD_SHA: '${{ github.event.pull_request.head.sha }}',
      PR_NUMBER: '${{ github.event.pull_request.number }}',
      GITHUB_TOKEN: '${{ github.token }}',
    });
  });

  it('runs merged run requests on the default branch with the secrets their runbooks need', () => {
    const w = workflow('.github/workflows/runbook-run-request.yml');
    expect(w.on.push.paths).toEqual(['runs/**']);
    expect(w.permissions).toEqual({ contents: 'read', issues: 'write', 'pull-requests': 'write' });
    // One job per concurrency group of the requested runbooks: region-failover's.
    expect(Object.keys(w.jobs)).toEqual(['run-region-failover']);
    expect(w.jobs['run-region-failover'].if).toContain('github.event.repository.default_branch');
    const step = runStep(w);
    expect(step.run).toBe(
      'npx --no runbook run-request --changed "$BEFORE_SHA" "$AFTER_SHA" --runbook region-failover',
    );
    // region-failover is requested (DR_DATABASE_URL; GITHUB_TOKEN is the job token); orders-backups is not.
    expect(step.env).toEqual({
      BEFORE_SHA: '${{ github.event.before }}',
      AFTER_SHA: '${{ github.event.after }}',
      DR_DATABASE_URL: '${{ secrets.DR_DATABASE_URL }}',
      RUNBOOK_AUDIT_DB: '${{ secrets.RUNBOOK_AUDIT_DB }}',
      RUNBOOK_ALLOW_LOCAL_LOCK: '${{ secrets.RUNBOOK_ALLOW_LOCAL_LOCK }}',
      RUNBOOK_GITHUB_MEMBERS_TOKEN: '${{ secrets.RUNBOOK_GITHUB_MEMBERS_TOKEN }}',
      GITHUB_TOKEN: '${{ github.token }}',
    });
    expect(runRequestSecrets(result)).toEqual(['DR_DATABASE_URL', 'GITHUB_TOKEN']);
  });

  it('includes the secrets of runbooks run through runbook steps', () => {
    const doc = (name: string, body: string) => ({
      path: `runbooks/${name}.yaml`,
      text: `apiVersion: runbook/v1\nkind: Runbook\nmetadata: { name: ${name} }\nspec:\n${body}`,
    });
    const r = compileFiles([
      doc(
        'outer',
        '  secrets: [A]\n  phases:\n    - id: p\n      steps:\n        - { id: s, run: ./a.sh, env: { A: "{{secrets.A}}" } }\n        - { id: t, uses: runbook, with: { runbook: inner } }\n',
      ),
      doc(
        'inner',
        '  secrets: [B]\n  phases:\n    - id: p\n      steps:\n        - { id: s, run: ./b.sh, env: { B: "{{secrets.B}}" } }\n',
      ),
    ]);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const outer = r.graphs.find((g) => g.name === 'outer')!;
    expect(runSecrets(outer, r.graphs)).toEqual(['A', 'B']);
  });

  it('schedules a Runbook with `spec.schedule` off minute :00, still runnable by hand with its inputs', () => {
    const doc = (name: string, body: string) => ({
      path: `runbooks/${name}.yaml`,
      text: `apiVersion: runbook/v1\nkind: Runbook\nmetadata: { name: ${name} }\nspec:\n${body}`,
    });
    const steps =
      '  phases:\n    - id: p\n      steps:\n        - { id: s, run: ./verify.sh "$D", env: { D: "{{inputs.dir}}" } }\n';
    const inputs = '  inputs: { dir: { type: string, default: /var/backups } }\n';
    const r = compileFiles([
      doc('weekly-verify', `  schedule: "0 2 * * 0"\n${inputs}${steps}`),
      doc('by-hand', `${inputs}${steps}`),
    ]);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const out = new Map(workflowEmitters.flatMap((e) => e.emit(r)).map((f) => [f.path, f.content]));
    const weekly = out.get('.github/workflows/runbook-weekly-verify.yml')!;
    const w = parse(weekly) as Workflow;
    // The minute comes from the name (spread-cron.ts); hour and weekday are kept.
    expect(w.on.schedule).toEqual([{ cron: expect.stringMatching(/^([5-9]|1\d|2\d) 2 \* \* 0$/) }]);
    expect(Object.keys(w.on.workflow_dispatch.inputs)).toEqual(expect.arrayContaining(['dir', 'dry_run']));
    expect(weekly).toContain("schedule: authored '0 2 * * 0', emitted");
    expect(runStep(w).run).toBe('npx --no runbook run weekly-verify --inputs-from-env');
    expect((parse(out.get('.github/workflows/runbook-by-hand.yml')!) as Workflow).on.schedule).toBeUndefined();
    expect(r.graphs.find((g) => g.name === 'weekly-verify')?.schedule).toBe('0 2 * * 0');
  });

  it('owns exactly its own files, so workflows of deleted runbooks are removed and others kept', () => {
    const owner = (path: string) => workflowEmitters.filter((e) => e.owns(path)).map((e) => e.id);
    for (const f of files) expect(owner(f.path)).toHaveLength(1);
    expect(owner('.github/workflows/runbook-deleted-runbook.yml')).toEqual(['workflows-runbook']);
    expect(owner('.github/workflows/backup-deleted-plan.yml')).toEqual(['workflows-backup']);
    expect(owner('.github/workflows/runbook-pr.yml')).toEqual(['workflows-pr']);
    expect(owner('.github/workflows/runbook-resume.yml')).toEqual(['workflows-resume']);
    expect(owner('.github/workflows/ci.yml')).toEqual([]);
    expect(owner('.github/workflows/runbook-x.yaml')).toEqual([]);
  });

  it('is byte-identical across compiles', () => {
    const again = workflowEmitters.flatMap((e) => e.emit(compileTree(join(fixtures, 'tree'))));
    expect(again).toEqual(files);
  });
});

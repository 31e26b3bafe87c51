import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileTree } from '../../compiler/compile.js';
import { workflowEmitters } from '../../compiler/emit/workflows/index.js';
import { nodeVersion } from '../../compiler/emit/workflows/job-steps.js';
import { githubJobLimitMinutes, jobTimeoutMinutes } from '../../compiler/emit/workflows/job-timeout.js';
import { checkoutAction, setupNodeAction, uploadArtifactAction } from '../../compiler/emit/workflows/pinned-actions.js';
import { emittedCron, spreadMinute } from '../../compiler/emit/workflows/spread-cron.js';

/**
 * Issue 11's workflow findings, on this repository's own runbooks (the worked example) and the
 * workflow fixture tree: time limits, concurrency across workflows, schedules off :00, runtimes.
 */
const trees = {
  repo: join(import.meta.dirname, '..', '..'),
  fixture: join(import.meta.dirname, '..', 'fixtures', 'workflows', 'tree'),
};
type Job = {
  'timeout-minutes'?: number;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  env?: Record<string, string>;
  steps: { run?: string; with?: Record<string, unknown> }[];
};
type Workflow = { on: Record<string, any>; concurrency?: { group: string }; jobs: Record<string, Job> };

describe.each(Object.entries(trees))('generated workflows (%s)', (_name, root) => {
  const result = compileTree(root);
  const files = workflowEmitters
    .flatMap((e) => e.emit(result))
    .map((f) => ({ path: f.path, content: f.content, w: parse(f.content) as Workflow }));
  const graph = (name: string) => result.graphs.find((g) => g.name === name)!;

  it("gives every job a time limit within GitHub's 360 minutes, and the run the same number", () => {
    for (const f of files) {
      for (const [id, job] of Object.entries(f.w.jobs)) {
        expect(job['timeout-minutes'], `${f.path} ${id}`).toBeGreaterThan(0);
        expect(job['timeout-minutes']).toBeLessThanOrEqual(githubJobLimitMinutes);
        if (f.path.endsWith('runbook-pr.yml')) continue;
        expect(job.env?.RUNBOOK_JOB_TIMEOUT_MINUTES).toBe(String(job['timeout-minutes']));
      }
    }
  });

  it("derives the dispatch and backup jobs' limits from the worst case, with margin", () => {
    for (const f of files.filter(
      (x) => /\/(runbook|backup)-/.test(x.path) && x.w.on.workflow_dispatch && !x.path.endsWith('drills.yml'),
    )) {
      const name = /\/(?:runbook|backup)-(.+)\.yml$/.exec(f.path)![1];
      const g = graph(name);
      if (!g) continue;
      const minutes = f.w.jobs.run['timeout-minutes']!;
      expect(minutes).toBe(jobTimeoutMinutes(g.rto.worstCaseMs));
      expect(minutes).toBe(Math.min(githubJobLimitMinutes, Math.max(minutes, Math.ceil(g.rto.worstCaseMs / 60_000))));
    }
  });

  it('puts run-request jobs in the concurrency group of the dispatch workflow of their runbooks, never cancelling', () => {
    const rr = files.find((f) => f.path.endsWith('runbook-run-request.yml'))!.w;
    // With run requests in the tree, one job per group of their runbooks (not one job for all).
    if (result.runRequests.length) expect(Object.keys(rr.jobs)).not.toContain('run');
    for (const [id, job] of Object.entries(rr.jobs)) {
      if (id === 'run') continue; // no run request in the tree: nothing to serialise
      const names = [...job.steps.find((s) => s.run?.includes('run-request'))!.run!.matchAll(/--runbook (\S+)/g)].map(
        (m) => m[1],
      );
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        const dispatch = files.find((f) => f.path === `.github/workflows/runbook-${name}.yml`)!.w;
        expect(job.concurrency).toEqual({ group: dispatch.concurrency!.group, 'cancel-in-progress': false });
      }
    }
  });

  it("puts live drills in their runbook's group", () => {
    const drills = files.find((f) => f.path.endsWith('runbook-drills.yml'))?.w;
    for (const [id, job] of Object.entries(drills?.jobs ?? {})) {
      if (id === 'propose-records') continue; // the records' pull request, after the drills: no drill
      const runs = job.steps.filter((s) => s.run?.startsWith('npx --no runbook drill'));
      expect(runs, `${id}: one drill per job`).toHaveLength(1);
      const run = runs[0].run!;
      const name = /drill (\S+)/.exec(run)![1];
      const dispatch = files.find((f) => f.path === `.github/workflows/runbook-${name}.yml`)!.w;
      if (run.includes('--dry-run')) expect(job.concurrency, id).toBeUndefined();
      else expect(job.concurrency, id).toEqual({ group: dispatch.concurrency!.group, 'cancel-in-progress': false });
    }
  });

  it('schedules nothing at minute :00', () => {
    for (const f of files)
      for (const s of f.w.on.schedule ?? []) expect(String(s.cron).split(' ')[0], f.path).not.toMatch(/^0+$/);
  });

  it('runs Node 22 or later, with actions on Node 24', () => {
    expect(nodeVersion).toBeGreaterThanOrEqual(22);
    for (const f of files) expect(f.content).not.toMatch(/node-version: 20\b/);
    // The first majors that run on Node 24 (their action.yml: `using: node24`).
    const major = (v: string) => Number(/^v(\d+)/.exec(v)![1]);
    expect(major(checkoutAction.version)).toBeGreaterThanOrEqual(5);
    expect(major(setupNodeAction.version)).toBeGreaterThanOrEqual(5);
    expect(major(uploadArtifactAction.version)).toBeGreaterThanOrEqual(6);
  });
});

describe('schedules spread off minute :00', () => {
  it('moves minute 0 to a minute of the name, the same on every compile, and keeps the other fields', () => {
    expect(emittedCron('0 3 * * *', 'nightly-db')).toBe(`${spreadMinute('nightly-db')} 3 * * *`);
    expect(emittedCron('0 3 * * *', 'nightly-db')).toBe(emittedCron('0 3 * * *', 'nightly-db'));
    expect(emittedCron('0 14 15 1,4,7,10 *', 'x')).toMatch(/^\d+ 14 15 1,4,7,10 \*$/);
    const minutes = new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(spreadMinute));
    expect(minutes.size).toBeGreaterThan(3);
    for (const m of minutes) expect(m).toBeGreaterThanOrEqual(5);
  });

  it('leaves a minute the author chose, and lists, as written', () => {
    expect(emittedCron('30 6 * * 1', 'x')).toBe('30 6 * * 1');
    expect(emittedCron('0,30 * * * *', 'x')).toBe('0,30 * * * *');
  });
});

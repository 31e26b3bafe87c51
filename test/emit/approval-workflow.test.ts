import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileTree } from '../../compiler/compile.js';
import { approvalWorkflowEmitter, parkingRunbooks } from '../../compiler/emit/workflows/approval-workflow.js';
import { runbookGroup } from '../../compiler/emit/workflows/job-concurrency.js';

/**
 * Issue 13: the workflow that resumes a run parked at an approval gate when an `/approve` or
 * `/reject` comment is made (runbook-approve.yml), on this repository's runbooks.
 */
const result = compileTree(join(import.meta.dirname, '..', '..'));
const [file] = approvalWorkflowEmitter.emit(result);
type Job = {
  if?: string;
  needs?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  environment?: string;
  outputs?: Record<string, string>;
  steps: { id?: string; run?: string; env?: Record<string, string> }[];
};
const wf = parse(file.content) as { on: Record<string, unknown>; permissions: object; jobs: Record<string, Job> };
const command = (job: Job) => job.steps.find((s) => s.run?.startsWith('npx --no runbook gate-event'))!;

describe('the approval workflow (runbook-approve.yml)', () => {
  it('runs on new issue comments and submitted pull request reviews only, with no permissions at the workflow level', () => {
    expect(file.path).toBe('.github/workflows/runbook-approve.yml');
    expect(wf.on).toEqual({ issue_comment: { types: ['created'] }, pull_request_review: { types: ['submitted'] } });
    expect(wf.permissions).toEqual({});
  });

  it("routes /approve and /reject comments (never a bot's) with read-only permissions and the audit database only", () => {
    const route = wf.jobs.route;
    expect(route.if).toContain("contains(github.event.comment.body, '/approve')");
    expect(route.if).toContain("contains(github.event.comment.body, '/reject')");
    expect(route.if).toContain("github.event.comment.user.type != 'Bot'");
    expect(route.if).toContain(
      'contains(fromJSON(\'["OWNER", "MEMBER", "COLLABORATOR"]\'), github.event.comment.author_association)',
    );
    // The same filter for a review on the run request's pull request (issue 13 item 4).
    expect(route.if).toContain(
      "(github.event_name == 'pull_request_review' && (contains(github.event.review.body, '/approve') || contains(github.event.review.body, '/reject')) && github.event.review.user.type != 'Bot' && contains(fromJSON('[\"OWNER\", \"MEMBER\", \"COLLABORATOR\"]'), github.event.review.author_association))",
    );
    expect(route.permissions).toEqual({ contents: 'read' });
    expect(command(route)).toMatchObject({
      id: 'route',
      run: 'npx --no runbook gate-event --route',
      env: { RUNBOOK_AUDIT_DB: '${{ secrets.RUNBOOK_AUDIT_DB }}' },
    });
    expect(route.outputs).toEqual({ runbook: '${{ steps.route.outputs.runbook }}' });
  });

  it('resumes each runbook that can park in its own job: its group, environment and secrets', () => {
    const runbooks = parkingRunbooks(result);
    expect(runbooks.length).toBeGreaterThan(0);
    expect(Object.keys(wf.jobs).sort()).toEqual(['route', ...runbooks.map((g) => `resume-${g.name}`)].sort());
    for (const g of runbooks) {
      const job = wf.jobs[`resume-${g.name}`];
      expect(job.needs).toBe('route');
      expect(job.if).toBe(`needs.route.outputs.runbook == '${g.name}'`);
      expect(job.concurrency).toEqual({ group: runbookGroup(g), 'cancel-in-progress': false });
      expect(job.environment).toBe(g.environment);
      expect(job.permissions).toEqual({ contents: 'read', issues: 'write', 'pull-requests': 'write' });
      const step = command(job);
      expect(step.run).toBe(`npx --no runbook gate-event --runbook ${g.name}`);
      expect(step.env).toMatchObject({ RUNBOOK_AUDIT_DB: '${{ secrets.RUNBOOK_AUDIT_DB }}' });
      for (const s of g.secrets) expect(step.env?.[s]).toBe(`\${{ secrets.${s} }}`);
    }
  });
});

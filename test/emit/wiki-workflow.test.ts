import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileFiles, compileTree } from '../../compiler/compile.js';
import { workflowEmitters } from '../../compiler/emit/workflows/index.js';
import { runbookWorkflowEmitter } from '../../compiler/emit/workflows/runbook-workflow.js';
import { wikiWorkflowEmitter, wikiWorkflowPath } from '../../compiler/emit/workflows/wiki-workflow.js';
import { runbook, tree } from '../drills/drill-tree.js';

/**
 * The wiki-publishing workflow (issue 14, item 5): what it runs and with which token, where the
 * audit database secret may go, and the previous quarter's first day. Its steps run for real in
 * test/adopter/wiki-publish.test.ts; actionlint and the snapshot are in workflows(-lint).test.ts.
 */
type Step = { name: string; id?: string; if?: string; run?: string; env?: Record<string, string> };
const result = compileTree(join(import.meta.dirname, '..', 'fixtures', 'workflows', 'tree'));
const file = wikiWorkflowEmitter.emit(result)[0];
const workflow = parse(file.content) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: { publish: { if: string; env?: Record<string, string>; permissions?: unknown; steps: Step[] } };
};
const job = workflow.jobs.publish;
const step = (name: string) => job.steps.find((s) => s.name.startsWith(name))!;

describe('runbook-wiki.yml', () => {
  it('is one file, listed with the other workflows and owned by its emitter only', () => {
    expect(file.path).toBe(wikiWorkflowPath);
    expect(workflowEmitters).toContain(wikiWorkflowEmitter);
    expect(wikiWorkflowEmitter.owns(wikiWorkflowPath)).toBe(true);
    expect(runbookWorkflowEmitter.owns(wikiWorkflowPath)).toBe(false);
  });

  it('publishes pushes to the default branch only, with contents: write and nothing else', () => {
    expect(Object.keys(workflow.on)).toEqual(['push', 'workflow_dispatch']);
    expect(job.if).toBe('github.ref_name == github.event.repository.default_branch');
    expect(workflow.permissions).toEqual({ contents: 'write' });
    expect(job.permissions).toBeUndefined();
    expect(job.steps.map((s) => s.name)).toEqual([
      'Check out',
      'Set up Node.js',
      'Install',
      'Verify generated files',
      'Clone the wiki',
      // The Audit page first: wiki-export links it from Home and the sidebar when it is there.
      'Is there an audit database?',
      'Write the Audit page (since the start of the previous quarter)',
      'Write the wiki pages',
      'Publish',
    ]);
    expect(step('Write the wiki pages').run).toBe(
      'npx --no runbook wiki-export "$RUNNER_TEMP/wiki" --repository "$GITHUB_REPOSITORY" --branch "$GITHUB_REF_NAME"',
    );
  });

  it('hands the audit database secret to the two Audit steps only, and skips the page without it', () => {
    const holders = job.steps.filter((s) => JSON.stringify(s.env ?? {}).includes('RUNBOOK_AUDIT_DB'));
    expect(holders.map((s) => s.id ?? s.name)).toEqual([
      'audit-db',
      'Write the Audit page (since the start of the previous quarter)',
    ]);
    expect(JSON.stringify(job.env ?? {})).not.toContain('secrets.');
    expect(step('Write the Audit page').if).toBe("steps.audit-db.outputs.configured == 'true'");
    expect(step('Write the Audit page').run).toContain(
      'npx --no runbook audit export --since "$since" --format md --out "$RUNNER_TEMP/wiki/Audit.md"',
    );
  });

  it.each([
    ['2026-01-15', '2025-10-01'],
    ['2026-03-31', '2025-10-01'],
    ['2026-04-01', '2026-01-01'],
    ['2026-08-09', '2026-04-01'],
    ['2026-12-05', '2026-07-01'],
  ])('on %s the Audit page starts on %s (the previous quarter)', (today, since) => {
    const lines = step('Write the Audit page').run!.split('\n');
    // The script as written, with `date -u +%Y` / `+%m` answering for `today`, and `npx` replaced by an echo.
    const [y, m] = today.split('-');
    const fake = `date() { case "$2" in +%Y) echo ${y};; +%m) echo ${m};; esac; }\nnpx() { echo "$since"; }\n`;
    const r = spawnSync('bash', ['-e', '-c', fake + lines.join('\n')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(since);
  });

  it('reserves the runbook name wiki, whose workflow file this is', () => {
    const r = compileFiles([...tree, runbook('wiki', 'standard')]);
    expect(r.diagnostics.filter((d) => d.file === 'runbooks/wiki.yaml').map((d) => d.code)).toEqual([
      'workflow-reserved-name',
    ]);
  });
});

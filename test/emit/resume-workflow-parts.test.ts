import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { renderResumeWorkflow, resumeWorkflowOf } from '../../compiler/emit/workflows/resume-workflow.js';
import { renderJobsPart, renderWorkflow } from '../../compiler/emit/workflows/workflow-yaml.js';
// @ts-expect-error: plain JavaScript module without types
import { generateCorpus } from '../../bench/corpus.js';

/**
 * The resume workflow's jobs are printed one by one (on worker threads for a large tree) and
 * joined after the workflow's head. That is only right if the joined text is byte for byte the
 * whole document as `yaml` prints it, which these compare (test/compiler/parallel.test.ts then
 * checks the workers' parts against the calling thread's).
 */
const repo = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'runbook-resume-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectPartsEqualWhole(root: string): number {
  const result = compileTree(root);
  const { runbooks, targets, workflow } = resumeWorkflowOf(result);
  expect(runbooks.length).toBeGreaterThan(0);
  expect(renderResumeWorkflow(workflow, targets)).toBe(renderWorkflow(workflow));
  return runbooks.length;
}

describe('the resume workflow printed in parts', () => {
  it('is the whole document for the library (environments, secrets, nested runbooks)', () => {
    expect(expectPartsEqualWhole(repo)).toBeGreaterThan(30);
  });

  it('is the whole document for a generated tree', () => {
    generateCorpus(dir, { runbooks: 60, steps: 5 });
    expect(expectPartsEqualWhole(dir)).toBe(60);
  });

  it('prints a part exactly as the jobs of a whole workflow, whatever the values hold', () => {
    const jobs = {
      'resume-a': { 'runs-on': 'ubuntu-latest', env: { X: 'a: b # c', Y: "it's\n two lines", Z: '' } },
      'resume-b': { steps: [{ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } }, { run: '- not a list' }] },
    };
    const whole = renderWorkflow({ name: 'x', jobs });
    const joined =
      renderWorkflow({ name: 'x' }) +
      'jobs:\n' +
      Object.entries(jobs)
        .map(([id, job]) => renderJobsPart({ [id]: job }))
        .join('');
    expect(joined).toBe(whole);
  });
});

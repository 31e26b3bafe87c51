import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileTree } from '../../compiler/compile.js';
import { workflowEmitters } from '../../compiler/emit/workflows/index.js';
import { codeownersEmitter } from '../../compiler/emit/codeowners.js';
import { jobGrant } from '../support/job-api-calls.js';

/**
 * Least privilege per generated job: each job's `permissions:` (its own, else the workflow's) are
 * exactly what the API calls of the `runbook` commands it runs need (test/support/job-api-calls.ts,
 * mapped through test/support/github-permissions.ts): none missing, none extra.
 */
const root = join(import.meta.dirname, '..', '..');
const result = compileTree(root);
const files = [...workflowEmitters, codeownersEmitter].flatMap((e) => e.emit(result));
const workflows = files.filter((f) => f.path.startsWith('.github/workflows/'));

type Job = { permissions?: Record<string, string>; steps?: { run?: string }[] };
const commandsOf = (job: Job) =>
  [
    ...new Set(
      (job.steps ?? []).flatMap((s) =>
        [
          ...(s.run ?? '').matchAll(
            /npx --no runbook ([a-z-]+(?: --route)?)|\b(git push|gh run download|gh pr create)\b/g,
          ),
        ].map((m) => m[1] ?? m[2]),
      ),
    ),
  ].sort();

describe('generated workflows: least privilege', () => {
  it('emits workflows to check', () => expect(workflows.length).toBeGreaterThan(3));

  for (const file of workflows) {
    it(`${file.path}: each job's permissions are exactly what its commands' API calls need`, () => {
      const wf = parse(file.content) as { permissions?: Record<string, string>; jobs: Record<string, Job> };
      for (const [id, job] of Object.entries(wf.jobs)) {
        const granted = job.permissions ?? wf.permissions ?? {};
        expect({ job: id, commands: commandsOf(job), permissions: granted }).toEqual({
          job: id,
          commands: commandsOf(job),
          permissions: jobGrant(commandsOf(job)),
        });
      }
    });
  }

  it('the pull-request check has a stable name, the one setup makes required', async () => {
    const { prCheckName } = await import('../../common/pr-check.js');
    const pr = parse(workflows.find((f) => f.path.endsWith('runbook-pr.yml'))!.content) as {
      jobs: Record<string, { name?: string }>;
    };
    expect(prCheckName).toBe('runbook-plan');
    expect(Object.values(pr.jobs).map((j) => j.name)).toEqual([prCheckName]);
  });

  it('CODEOWNERS covers runbooks/, runs/, generated/, workflows, package.json and the lockfile, before per-document owners', () => {
    const lines = files
      .find((f) => f.path === '.github/CODEOWNERS')!
      .content.split('\n')
      .filter((l) => l && !l.startsWith('#'));
    const owner = (path: string) =>
      lines.filter((l) => l.split(' ')[0] === path).map((l) => l.split(' ').slice(1).join(' '));
    for (const path of [
      '/runbooks/',
      '/runs/',
      '/generated/',
      '/.github/workflows/',
      '/package.json',
      '/package-lock.json',
    ])
      expect(owner(path), path).toEqual(['@acme/sre']);
    // The last matching line wins: the catch-alls come first, so a runbook keeps its own owners.
    expect(lines.findIndex((l) => l.startsWith('/runbooks/backup/'))).toBeGreaterThan(
      lines.findIndex((l) => l.startsWith('/package.json')),
    );
  });
});

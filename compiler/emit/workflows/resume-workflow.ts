import type { IrGraph } from '../../../ir/types.js';
import type { CompileResult } from '../../compile.js';
import type { Emitter } from '../emitter.js';
import { renderWithMemo } from '../../cache/emit-memo.js';
import { runJob, secretsEnv } from './job-steps.js';
import { jobConcurrency, lockEnv, perJobArtifacts, runbookGroup } from './job-concurrency.js';
import { graphTimeoutMinutes, withJobLimits } from './job-timeout.js';
import { runSecrets } from './run-secrets.js';
import { data, expr, renderWorkflow } from './workflow-yaml.js';

/** Path of the workflow that resumes a run on a new runner. */
export const resumeWorkflowPath = '.github/workflows/runbook-resume.yml';

/**
 * Resumes a run whose runner was lost (`runbook runs --stale` lists them): `workflow_dispatch` with
 * the run's id and its runbook, then `runbook resume RUN_ID --runbook NAME` on a fresh runner,
 * which rebuilds the run from the audit database alone (the journal of record: a GitHub-hosted
 * runner keeps no `.runbook/`), so it needs the `RUNBOOK_AUDIT_DB` secret; without it the resume
 * is refused, naming the missing journal. Emitted whenever the tree has a runbook: the compiler
 * cannot know whether the repository has the secret, and the README says how to set it.
 *
 * One job per runbook, run only when it is the one chosen: each has that runbook's GitHub
 * environment (the same protection rules and environment secrets as its dispatch workflow), its
 * secrets only and its concurrency group; `--runbook` makes the CLI refuse a run of another
 * runbook, so one runbook's job never continues another's run. Values reach the script through
 * `env:` only; the CLI refuses a run id that is not one. No GitHub permission beyond reading the
 * repository: a resumed run makes no API call today (test/support/job-api-calls.ts).
 */
export const resumeWorkflowEmitter: Emitter = {
  id: 'workflows-resume',
  docs: 'The workflow that resumes a run from the audit database on a new runner (.github/workflows/runbook-resume.yml).',
  emit(result) {
    const runbooks = resumable(result);
    if (runbooks.length === 0) return [];
    // One file from every runbook: an incremental compile reuses its text while the workflow (the
    // render's whole input) is unchanged, as it is after most edits (compiler/cache/emit-memo.ts).
    const workflow = resumeWorkflow(result, runbooks);
    const render = () => renderWorkflow(workflow);
    return [
      {
        path: resumeWorkflowPath,
        content: renderWithMemo(result.memo, 'workflows-resume', resumeWorkflowPath, workflow, render),
      },
    ];
  },
  folders: ['.github/workflows'],
  owns: (path) => path === resumeWorkflowPath,
};

/** The Runbooks of the tree (a BackupPlan's lowered runbook is one too), by name. */
function resumable(result: CompileResult): IrGraph[] {
  return result.graphs.filter((g) => g.origin.kind === 'Runbook').sort((a, b) => a.name.localeCompare(b.name));
}

function resumeWorkflow(result: CompileResult, runbooks: readonly IrGraph[]): Record<string, unknown> {
  return {
    name: 'runbook resume',
    on: {
      workflow_dispatch: {
        inputs: {
          run_id: {
            description: data('Run id (runbook runs --stale --audit-db URL lists them)'),
            type: 'string',
            required: true,
          },
          runbook: {
            description: data("The run's runbook"),
            type: 'choice',
            required: true,
            options: runbooks.map((g) => data(g.name)),
          },
          decide: {
            description: data('Decisions on in-doubt steps that are not idempotent, e.g. "step-a=rerun step-b=skip"'),
            type: 'string',
            required: false,
            default: '',
          },
        },
      },
    },
    permissions: { contents: 'read' },
    jobs: Object.fromEntries(runbooks.map((g) => [`resume-${g.name}`, resumeJob(g, result.graphs)])),
  };
}

function resumeJob(graph: IrGraph, graphs: readonly IrGraph[]): Record<string, unknown> {
  const job = runJob({
    if: `inputs.runbook == '${graph.name}'`,
    stepName: `Resume a run of ${graph.name}`,
    // Runbook names are kebab-case (schema): safe as a word of the script.
    command: `npx --no runbook resume "$RUN_ID" --runbook ${graph.name}`,
    env: {
      RUN_ID: expr('inputs.run_id'),
      RUNBOOK_DECIDE: expr('inputs.decide'),
      ...secretsEnv(runSecrets(graph, graphs)),
      ...lockEnv(),
    },
    ...(graph.environment ? { environment: graph.environment } : {}),
    uploadAudit: true,
  });
  return perJobArtifacts(withJobLimits(job, graphTimeoutMinutes(graph), jobConcurrency(runbookGroup(graph))));
}

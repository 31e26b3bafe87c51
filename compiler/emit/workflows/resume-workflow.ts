import type { IrGraph } from '../../../ir/types.js';
import type { CompileResult } from '../../compile.js';
import type { Emitter } from '../emitter.js';
import { renderWithMemo } from '../../cache/emit-memo.js';
import { runJob, secretsEnv } from './job-steps.js';
import { jobConcurrency, lockEnv, perJobArtifacts, runbookGroup } from './job-concurrency.js';
import { graphTimeoutMinutes, withJobLimits } from './job-timeout.js';
import { runSecrets } from './run-secrets.js';
import { data, expr, renderJobsPart, renderWorkflow } from './workflow-yaml.js';
import { decodeText, startParallel } from '../../parallel/pool.js';

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
    const { runbooks, targets, workflow } = resumeWorkflowOf(result);
    if (runbooks.length === 0) return [];
    // One file from every runbook: an incremental compile reuses its text while the workflow (the
    // render's whole input) is unchanged, as it is after most edits (compiler/cache/emit-memo.ts).
    const render = () => renderResumeWorkflow(workflow, targets);
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

/** The workflow as data, with the runbooks it resumes and the secrets each one's run reads. */
export function resumeWorkflowOf(result: CompileResult): {
  runbooks: IrGraph[];
  targets: ResumeTarget[];
  workflow: ResumeWorkflow;
} {
  const runbooks = resumable(result);
  const targets = runbooks.map((g) => resumeTargetOf(g, runSecrets(g, result.graphs)));
  return { runbooks, targets, workflow: resumeWorkflow(runbooks, targets) };
}

/** The Runbooks of the tree (a BackupPlan's lowered runbook is one too), by name. */
function resumable(result: CompileResult): IrGraph[] {
  return result.graphs.filter((g) => g.origin.kind === 'Runbook').sort((a, b) => a.name.localeCompare(b.name));
}

/** The workflow as data; `jobs` is last, so its text can be printed in parts (`renderResumeWorkflow`). */
export interface ResumeWorkflow extends Record<string, unknown> {
  readonly jobs: Record<string, Record<string, unknown>>;
}

function resumeWorkflow(runbooks: readonly IrGraph[], targets: readonly ResumeTarget[]): ResumeWorkflow {
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
    jobs: Object.fromEntries(targets.map((t) => [jobId(t), resumeJob(t)])),
  };
}

/** What one runbook's job is made of: plain data, so a worker thread can make the job too. */
export interface ResumeTarget {
  readonly name: string;
  readonly environment?: string;
  readonly timeoutMinutes: number;
  readonly group: string;
  /** The secrets its run reads (`runSecrets`, which needs every graph). */
  readonly secrets: readonly string[];
}

function resumeTargetOf(graph: IrGraph, secrets: readonly string[]): ResumeTarget {
  return {
    name: graph.name,
    ...(graph.environment ? { environment: graph.environment } : {}),
    timeoutMinutes: graphTimeoutMinutes(graph),
    group: runbookGroup(graph),
    secrets,
  };
}

const jobId = (target: ResumeTarget) => `resume-${target.name}`;

/** Below this many jobs, printing them on worker threads does not pay for itself. */
const minParallelJobs = 48;

/**
 * `renderWorkflow(workflow)`, its jobs printed in parts: on worker threads when there are many
 * (compiler/parallel), from the same targets, so the same text. One YAML document of a
 * thousand jobs was most of this emitter's time, all of it on the calling thread.
 * test/emit/resume-workflow-parts.test.ts checks the joined parts are the whole document's bytes.
 */
export function renderResumeWorkflow(workflow: ResumeWorkflow, targets: readonly ResumeTarget[]): string {
  const { jobs, ...head } = workflow;
  const parts = startParallel<string>('resume-jobs', targets.length, {
    minItems: minParallelJobs,
    payload: (): ResumeJobsPayload => ({ targets }),
    decode: decodeText,
  }).finish((i) => renderJobsPart({ [jobId(targets[i])]: jobs[jobId(targets[i])] }));
  return renderWorkflow(head) + 'jobs:\n' + parts.join('');
}

/** One job's part of the workflow's text (what a worker prints for item `i`). */
export function resumeJobPart(target: ResumeTarget): string {
  return renderJobsPart({ [jobId(target)]: resumeJob(target) });
}

/** The `resume-jobs` job: item `i` is the job of `targets[i]` (a few fields each: cheap to copy). */
export interface ResumeJobsPayload {
  readonly targets: readonly ResumeTarget[];
}

function resumeJob(target: ResumeTarget): Record<string, unknown> {
  const job = runJob({
    if: `inputs.runbook == '${target.name}'`,
    stepName: `Resume a run of ${target.name}`,
    // Runbook names are kebab-case (schema): safe as a word of the script.
    command: `npx --no runbook resume "$RUN_ID" --runbook ${target.name}`,
    env: {
      RUN_ID: expr('inputs.run_id'),
      RUNBOOK_DECIDE: expr('inputs.decide'),
      ...secretsEnv(target.secrets),
      ...lockEnv(),
    },
    ...(target.environment ? { environment: target.environment } : {}),
    uploadAudit: true,
  });
  return perJobArtifacts(withJobLimits(job, target.timeoutMinutes, jobConcurrency(target.group)));
}

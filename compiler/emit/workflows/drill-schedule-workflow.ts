import type { IrGraph } from '../../../ir/types.js';
import type { CompileResult } from '../../compile.js';
import type { DrillSpec } from '../../model/specs.js';
import { cronProblem } from '../../rules/cron.js';
import type { Emitter } from '../emitter.js';
import { dryRunInput } from './dispatch-inputs.js';
import { drillRecordsJob } from './drill-records-job.js';
import {
  auditRetentionDays,
  githubIdentityEnv,
  secretsEnv,
  setupSteps,
  uploadAuditStep,
  verifyGeneratedStep,
} from './job-steps.js';
import { uploadArtifactAction, usesOf } from './pinned-actions.js';
import { runSecrets } from './run-secrets.js';
import { runPermissions } from './runbook-workflow.js';
import { jobConcurrency, lockEnv, perJobArtifacts, runbookGroup } from './job-concurrency.js';
import { graphTimeoutMinutes, withJobLimits } from './job-timeout.js';
import { cronNote, emittedCron } from './spread-cron.js';
import { data, expr, inputEnvName, literal, renderWorkflow } from './workflow-yaml.js';

/** Path of the drill calendar's workflow (the runbook name `drills` is reserved for it). */
export const drillsWorkflowPath = '.github/workflows/runbook-drills.yml';

/** Where `runbook drill` writes records and reports: an artifact per job, proposed by pull request (drill-records-job.ts). */
const drillsDir = 'drills/';

/** One calendar entry the workflow can run: its runbook has a graph and its cron is portable. */
interface CalendarDrill {
  readonly spec: DrillSpec;
  readonly graph: IrGraph;
}

/**
 * The Directory's drill calendar (`spec.drills`) as one scheduled workflow: a `schedule` trigger
 * per distinct cron (moved off minute :00, spread-cron.ts), and one job per calendar drill that runs
 * only when its cron is the one that fired (`github.event.schedule`) or when it is picked by hand
 * (`workflow_dispatch`). A drill is `runbook drill NAME --dry-run` unless the entry says
 * `live: true`; entry inputs travel as `RUNBOOK_INPUT_<NAME>` variables.
 *
 * The jobs have no GitHub environment (the calendar is one workflow), so secrets must be
 * repository secrets, as for the run-request workflow. A live drill's job is in its runbook's
 * concurrency group (job-concurrency.ts), and every job has a time limit (job-timeout.ts).
 */
export const drillScheduleWorkflowEmitter: Emitter = {
  id: 'workflows-drills',
  docs: "The drill calendar's scheduled workflow (.github/workflows/runbook-drills.yml), when the Directory lists drills.",
  emit(result) {
    const drills = calendarOf(result);
    const source = result.context.directory?.doc.file.path;
    if (!drills.length) return [];
    const notes = drills.flatMap((d) => cronNote(d.spec.schedule, d.graph.name).map((n) => `${d.graph.name} ${n}`));
    return [
      {
        path: drillsWorkflowPath,
        content: renderWorkflow(drillsWorkflow(drills, result.graphs), [
          `source: ${source}`,
          'the Directory drill calendar (spec.drills)',
          ...notes,
        ]),
      },
    ];
  },
  folders: ['.github/workflows'],
  owns: (path) => path === drillsWorkflowPath,
};

/** The entries that can run, in calendar order: others are compile errors (unknown runbook, bad cron). */
function calendarOf(result: CompileResult): CalendarDrill[] {
  const runbooks = new Map<string, IrGraph>();
  for (const g of result.graphs) if (g.origin.kind === 'Runbook' && !runbooks.has(g.name)) runbooks.set(g.name, g);
  const out: CalendarDrill[] = [];
  for (const spec of result.context.directory?.data.spec.drills ?? []) {
    const graph = runbooks.get(spec.runbook);
    if (graph && cronProblem(spec.schedule) === undefined) out.push({ spec, graph });
  }
  return out;
}

function drillsWorkflow(drills: readonly CalendarDrill[], graphs: readonly IrGraph[]): Record<string, unknown> {
  const crons = [...new Set(drills.map(cronOf))];
  const names = [...new Set(drills.map((d) => d.spec.runbook))];
  return {
    name: 'runbook drills',
    on: {
      schedule: crons.map((cron) => ({ cron: literal(cron) })),
      workflow_dispatch: {
        inputs: {
          runbook: {
            description: data('The calendar drill to run now (its live or dry-run setting applies)'),
            type: 'choice',
            required: true,
            options: names.map(data),
          },
          dry_run: dryRunInput(),
        },
      },
    },
    permissions: { ...runPermissions },
    jobs: {
      ...Object.fromEntries(drills.map((d, i) => [jobIdOf(drills, i), drillJob(d, graphs)])),
      // Never a drill job's id: those all start with `drill-`.
      'propose-records': drillRecordsJob(drills.map((_, i) => jobIdOf(drills, i))),
    },
  };
}

/** `drill-<runbook>`, numbered when the calendar lists a runbook more than once. */
function jobIdOf(drills: readonly CalendarDrill[], i: number): string {
  const name = drills[i].graph.name;
  const same = drills.filter((d) => d.graph.name === name);
  return same.length === 1 ? `drill-${name}` : `drill-${name}-${same.indexOf(drills[i]) + 1}`;
}

/**
 * One job per calendar drill: it runs when its cron fired (`github.event.schedule` is the cron as
 * the workflow wrote it) or when it was picked by hand, with a time limit from the runbook's
 * worst case. A live drill is in its runbook's concurrency group, as a dispatch or a run request of
 * that runbook is; a dry run changes nothing, and in the group it could displace a real run's
 * pending job (GitHub keeps one pending job per group), so it stays out.
 */
function drillJob(d: CalendarDrill, graphs: readonly IrGraph[]): Record<string, unknown> {
  const job = {
    if: `github.event.schedule == ${quoted(cronOf(d))} || inputs.runbook == ${quoted(d.graph.name)}`,
    'runs-on': 'ubuntu-latest',
    steps: [...setupSteps(), verifyGeneratedStep(), drillStep(d, graphs), uploadAuditStep(), uploadDrillsStep()],
  };
  return perJobArtifacts(
    withJobLimits(job, graphTimeoutMinutes(d.graph), d.spec.live ? jobConcurrency(runbookGroup(d.graph)) : {}),
  );
}

/** The cron the workflow schedules a drill at: the authored one moved off minute :00 by the runbook's name. */
const cronOf = ({ spec, graph }: CalendarDrill) => emittedCron(spec.schedule, graph.name);

/** A GitHub expression string literal (`'` doubled); names and crons never hold one, but be exact. */
const quoted = (value: string) => `'${value.replace(/'/g, "''")}'`;

function drillStep({ spec, graph }: CalendarDrill, graphs: readonly IrGraph[]): Record<string, unknown> {
  const inputs = Object.entries(spec.inputs ?? {});
  // The runbook name is kebab-case (schema), so it is safe as a word of the script.
  const command = `npx --no runbook drill ${graph.name}${spec.live ? '' : ' --dry-run'}${inputs.length ? ' --inputs-from-env' : ''}`;
  if (command.includes('${{')) throw new Error(`internal error: expression in a run: script (${command})`);
  const env: Record<string, unknown> = {};
  for (const [name, value] of inputs)
    env[inputEnvName(name)] = data(typeof value === 'string' ? value : JSON.stringify(value));
  return {
    name: `Drill ${graph.name} (${spec.live ? 'live' : 'dry run'}, ${cronOf({ spec, graph })})`,
    run: command,
    env: {
      ...env,
      // A hand-started run may ask for a dry run of a live drill; on a schedule this is empty.
      RUNBOOK_DRY_RUN: expr('inputs.dry_run'),
      ...secretsEnv(runSecrets(graph, graphs)),
      ...githubIdentityEnv(),
      ...lockEnv(),
      GITHUB_TOKEN: expr('github.token'),
    },
  };
}

/** The records and reports the drills wrote, for the `propose-records` job's pull request (this job cannot push). */
function uploadDrillsStep(): Record<string, unknown> {
  return {
    name: 'Upload drill records and reports',
    if: 'always()',
    uses: usesOf(uploadArtifactAction),
    with: {
      name: `drills-${expr('github.run_id')}-${expr('github.run_attempt')}`,
      path: literal(drillsDir),
      'if-no-files-found': 'warn',
      'retention-days': auditRetentionDays,
    },
  };
}

import type { IrGraph } from '../../../ir/types.js';
import type { CompileResult } from '../../compile.js';
import type { DrillSpec } from '../../model/specs.js';
import { cronProblem } from '../../rules/cron.js';
import type { Emitter } from '../emitter.js';
import { dryRunInput } from './dispatch-inputs.js';
import { auditRetentionDays, githubIdentityEnv, secretsEnv, setupSteps, uploadAuditStep, verifyGeneratedStep } from './job-steps.js';
import { uploadArtifactAction, usesOf } from './pinned-actions.js';
import { runSecrets } from './run-secrets.js';
import { runPermissions } from './runbook-workflow.js';
import { data, expr, inputEnvName, literal, renderWorkflow } from './workflow-yaml.js';

/** Path of the drill calendar's workflow (the runbook name `drills` is reserved for it). */
export const drillsWorkflowPath = '.github/workflows/runbook-drills.yml';

/** Where `runbook drill` writes records and reports, kept as an artifact to commit by pull request. */
const drillsDir = 'drills/';

/** One calendar entry the workflow can run: its runbook has a graph and its cron is portable. */
interface CalendarDrill {
  readonly spec: DrillSpec;
  readonly graph: IrGraph;
}

/**
 * The Directory's drill calendar (`spec.drills`) as one scheduled workflow: a `schedule` trigger
 * per distinct cron, and one job whose steps are the calendar's drills, each running only when
 * its cron is the one that fired (`github.event.schedule`, handed over through the job's `env`)
 * or when it is picked by hand (`workflow_dispatch`). A drill is `runbook drill NAME --dry-run`
 * unless the entry says `live: true`; entry inputs travel as `RUNBOOK_INPUT_<NAME>` variables.
 *
 * One job has no GitHub environment (drills of several runbooks share it), so secrets must be
 * repository secrets, as for the run-request workflow; and no concurrency group (GitHub would
 * cancel a pending drill): the executor's run lock keeps a drill from overlapping a real run.
 */
export const drillScheduleWorkflowEmitter: Emitter = {
  id: 'workflows-drills',
  docs: "The drill calendar's scheduled workflow (.github/workflows/runbook-drills.yml), when the Directory lists drills.",
  emit(result) {
    const drills = calendarOf(result);
    const source = result.context.directory?.doc.file.path;
    if (!drills.length) return [];
    return [{ path: drillsWorkflowPath, content: renderWorkflow(drillsWorkflow(drills, result.graphs), [`source: ${source}`, 'the Directory drill calendar (spec.drills)']) }];
  },
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
  const crons = [...new Set(drills.map((d) => d.spec.schedule.trim()))];
  const names = [...new Set(drills.map((d) => d.spec.runbook))];
  return {
    name: 'runbook drills',
    on: {
      schedule: crons.map((cron) => ({ cron: literal(cron) })),
      workflow_dispatch: {
        inputs: {
          runbook: { description: data('The calendar drill to run now (its live or dry-run setting applies)'), type: 'choice', required: true, options: names.map(data) },
          dry_run: dryRunInput(),
        },
      },
    },
    permissions: { ...runPermissions },
    jobs: {
      drills: {
        'runs-on': 'ubuntu-latest',
        // What fired, as variables: the steps' `if:` reads them, no script ever sees `${{ }}`.
        env: { RUNBOOK_SCHEDULE: expr('github.event.schedule'), RUNBOOK_DISPATCHED: expr('inputs.runbook') },
        steps: [...setupSteps(), verifyGeneratedStep(), ...drills.map((d) => drillStep(d, graphs)), uploadAuditStep(), uploadDrillsStep()],
      },
    },
  };
}

/** A GitHub expression string literal (`'` doubled); names and crons never hold one, but be exact. */
const quoted = (value: string) => `'${value.replace(/'/g, "''")}'`;

function drillStep({ spec, graph }: CalendarDrill, graphs: readonly IrGraph[]): Record<string, unknown> {
  const inputs = Object.entries(spec.inputs ?? {});
  // The runbook name is kebab-case (schema), so it is safe as a word of the script.
  const command = `npx runbook drill ${graph.name}${spec.live ? '' : ' --dry-run'}${inputs.length ? ' --inputs-from-env' : ''}`;
  if (command.includes('${{')) throw new Error(`internal error: expression in a run: script (${command})`);
  const env: Record<string, unknown> = {};
  for (const [name, value] of inputs) env[inputEnvName(name)] = data(typeof value === 'string' ? value : JSON.stringify(value));
  return {
    name: `Drill ${graph.name} (${spec.live ? 'live' : 'dry run'}, ${spec.schedule.trim()})`,
    // Every due drill runs even when an earlier one failed (the job still fails); not after a cancel.
    if: `!cancelled() && (env.RUNBOOK_SCHEDULE == ${quoted(spec.schedule.trim())} || env.RUNBOOK_DISPATCHED == ${quoted(graph.name)})`,
    run: command,
    env: {
      ...env,
      // A hand-started run may ask for a dry run of a live drill; on a schedule this is empty.
      RUNBOOK_DRY_RUN: expr('inputs.dry_run'),
      ...secretsEnv(runSecrets(graph, graphs)),
      ...githubIdentityEnv(),
      GITHUB_TOKEN: expr('github.token'),
    },
  };
}

/** The records and reports the drills wrote, to commit through a pull request (the job cannot push). */
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

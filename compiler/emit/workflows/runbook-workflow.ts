import type { IrGraph } from '../../../ir/types.js';
import type { Emitter } from '../emitter.js';
import { dispatchEnv, dispatchInputs } from './dispatch-inputs.js';
import { runJob, secretsEnv } from './job-steps.js';
import { lockEnv, runbookGroup } from './job-concurrency.js';
import { graphTimeoutMinutes, withJobLimits } from './job-timeout.js';
import { runSecrets } from './run-secrets.js';
import { data, literal, renderWorkflow } from './workflow-yaml.js';
import { cronNote, emittedCron } from './spread-cron.js';
import { decodeText, startParallel } from '../../parallel/pool.js';

/**
 * The least a run needs: read the repository, open and update its tracking issue (progress
 * table, `/approve` gates, notify messages, the audit chain head). No pull-request access (only
 * run requests read reviews and comment on their pull request: run-request-workflow.ts). No
 * `id-token`: cloud credentials come from the runbook's secrets or the runner, not from OIDC.
 * test/compiler/workflow-permissions.test.ts checks each job against the calls it makes.
 */
export const runPermissions = { contents: 'read', issues: 'write' } as const;

/** `.github/workflows/runbook-<name>.yml`, minus the compiler's own `runbook-pr`, `runbook-run-request`, `runbook-resume` and `runbook-approve`. */
const owned = /^\.github\/workflows\/runbook-(?!(?:pr|run-request|resume|approve|wiki)\.yml$)[a-z0-9-]+\.yml$/;

/** Path of the `workflow_dispatch` workflow of runbook `name`. */
export function runbookWorkflowPath(name: string): string {
  return `.github/workflows/runbook-${name}.yml`;
}

/**
 * One `workflow_dispatch` workflow per Runbook: its inputs (plus `dry_run` and `drill`), its GitHub
 * environment (run-level approval, environment secrets), one run per concurrency key at a time —
 * never cancelling a run in progress, which could stop a failover half-way.
 */
export const runbookWorkflowEmitter: Emitter = {
  id: 'workflows-runbook',
  docs: 'A workflow_dispatch workflow per Runbook (.github/workflows/runbook-<name>.yml).',
  emit(result) {
    const graphs = result.graphs.filter((g) => g.origin.kind === 'Runbook');
    // An incremental compile (compiler/cache/) hands back the workflows of unchanged graphs.
    const reused = graphs.map((g) => result.memo?.reuseFile('workflows-runbook', g, runbookWorkflowPath(g.name)));
    const todo = graphs.filter((_, i) => reused[i] === undefined);
    const secrets = todo.map((g) => runSecrets(g, result.graphs));
    // Many workflows: rendered on worker threads (compiler/parallel), the same code on the same
    // graph and secrets, so the same text; a worker's failure is rendered here instead.
    const rendered = startParallel<string>('runbook-workflows', todo.length, {
      minItems: minParallelWorkflows,
      payload: (): RunbookWorkflowsPayload => ({
        items: todo.map((graph, i) => ({ graph: workflowFieldsOf(graph), secrets: secrets[i] })),
      }),
      decode: decodeText,
    }).finish((i) => renderRunbookWorkflow(todo[i], secrets[i]));
    let next = 0;
    return graphs.map((graph, i) => {
      const file = reused[i];
      if (file) return file;
      const path = runbookWorkflowPath(graph.name);
      const content = rendered[next++];
      result.memo?.record('workflows-runbook', graph, path, content);
      return { path, content };
    });
  },
  folders: ['.github/workflows'],
  owns: (path) => owned.test(path),
};

/** Below this many workflows, rendering them on worker threads does not pay for itself. */
const minParallelWorkflows = 48;

/**
 * What a runbook's workflow reads of its graph: not its steps, which are most of a graph. Workers
 * get just this (a copy of every graph's steps would cost them more than the rendering).
 */
export type WorkflowFields = Pick<
  IrGraph,
  'name' | 'title' | 'origin' | 'schedule' | 'inputs' | 'environment' | 'concurrency'
> & { readonly rto: Pick<IrGraph['rto'], 'worstCaseMs'> };

export function workflowFieldsOf(graph: IrGraph): WorkflowFields {
  const { name, title, origin, schedule, inputs, environment, concurrency } = graph;
  return {
    name,
    title,
    origin,
    schedule,
    inputs,
    environment,
    concurrency,
    rto: { worstCaseMs: graph.rto.worstCaseMs },
  };
}

/** The text of one runbook's workflow; `secrets` are those its run reads (`runSecrets`). */
export function renderRunbookWorkflow(graph: WorkflowFields, secrets: readonly string[]): string {
  return renderWorkflow(runbookWorkflow(graph, secrets), [
    `source: ${graph.origin.file}`,
    `title: ${graph.title}`,
    ...(graph.schedule !== undefined ? cronNote(graph.schedule, graph.name) : []),
  ]);
}

function runbookWorkflow(graph: WorkflowFields, secrets: readonly string[]): Record<string, unknown> {
  return {
    name: `runbook ${graph.name}`,
    on: {
      // `spec.schedule`: off minute :00 (spread-cron.ts), as a BackupPlan's; a scheduled run has no
      // inputs, so each takes its default and `dry_run` / `drill` are empty (false).
      ...(graph.schedule !== undefined
        ? { schedule: [{ cron: literal(emittedCron(graph.schedule, graph.name)) }] }
        : {}),
      workflow_dispatch: { inputs: dispatchInputs(graph) },
    },
    permissions: { ...runPermissions },
    concurrency: { group: data(runbookGroup(graph)), 'cancel-in-progress': false },
    jobs: {
      run: withJobLimits(
        runJob({
          stepName: `Run ${graph.name}`,
          command: `npx --no runbook run ${graph.name} --inputs-from-env`,
          env: { ...dispatchEnv(graph), ...secretsEnv(secrets), ...lockEnv() },
          ...(graph.environment ? { environment: graph.environment } : {}),
          uploadAudit: true,
        }),
        graphTimeoutMinutes(graph),
      ),
    },
  };
}

/** The `runbook-workflows` job: item `i` is the workflow of `items[i].graph`, with its run's secrets. */
export interface RunbookWorkflowsPayload {
  readonly items: readonly { readonly graph: WorkflowFields; readonly secrets: readonly string[] }[];
}

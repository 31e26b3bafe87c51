import type { IrGraph } from '../../../ir/types.js';
import type { Emitter } from '../emitter.js';
import { dispatchEnv, dispatchInputs } from './dispatch-inputs.js';
import { runJob, secretsEnv } from './job-steps.js';
import { lockEnv } from './job-concurrency.js';
import { graphTimeoutMinutes, withJobLimits } from './job-timeout.js';
import { runSecrets } from './run-secrets.js';
import { runPermissions } from './runbook-workflow.js';
import { cronNote, emittedCron } from './spread-cron.js';
import { data, literal, renderWorkflow } from './workflow-yaml.js';

const owned = /^\.github\/workflows\/backup-[a-z0-9-]+\.yml$/;

/** Path of the scheduled workflow of BackupPlan `name`. */
export function backupWorkflowPath(name: string): string {
  return `.github/workflows/backup-${name}.yml`;
}

/**
 * One scheduled workflow per BackupPlan (its cron, UTC as in GitHub, moved off minute :00), runnable by hand too with
 * the plan's inputs and a `dry_run` input. A scheduled run has no inputs, so `RUNBOOK_DRY_RUN` is
 * empty there (not a dry run) and each plan input takes its default.
 */
export const backupWorkflowEmitter: Emitter = {
  id: 'workflows-backup',
  docs: 'A scheduled workflow per BackupPlan (.github/workflows/backup-<name>.yml).',
  emit(result) {
    return result.graphs
      .filter((g) => g.origin.kind === 'BackupPlan' && g.schedule !== undefined)
      .map((graph) => ({
        path: backupWorkflowPath(graph.name),
        content: renderWorkflow(backupWorkflow(graph, result.graphs), [
          `source: ${graph.origin.file}`,
          `title: ${graph.title}`,
          ...cronNote(graph.schedule ?? '', graph.name),
        ]),
      }));
  },
  folders: ['.github/workflows'],
  owns: (path) => owned.test(path),
};

function backupWorkflow(graph: IrGraph, graphs: readonly IrGraph[]): Record<string, unknown> {
  return {
    name: `backup ${graph.name}`,
    on: {
      // Off minute :00 (spread-cron.ts); the header shows the authored schedule next to this one.
      schedule: [{ cron: literal(emittedCron(graph.schedule ?? '', graph.name)) }],
      // A backup is never a drill: no `drill` input.
      workflow_dispatch: {
        inputs: Object.fromEntries(Object.entries(dispatchInputs(graph)).filter(([name]) => name !== 'drill')),
      },
    },
    permissions: { ...runPermissions },
    concurrency: { group: data(graph.concurrency ?? `backup-${graph.name}`), 'cancel-in-progress': false },
    jobs: {
      run: withJobLimits(
        runJob({
          stepName: `Run ${graph.name}`,
          command: `npx --no runbook run ${graph.name} --inputs-from-env`,
          env: { ...dispatchEnv(graph, ['dry_run']), ...secretsEnv(runSecrets(graph, graphs)), ...lockEnv() },
          ...(graph.environment ? { environment: graph.environment } : {}),
          uploadAudit: true,
        }),
        graphTimeoutMinutes(graph),
      ),
    },
  };
}

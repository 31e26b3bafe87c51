import type { BackupPlanDocData } from '../model/specs.js';
import type { Lowered } from './backup-plan-lowered.js';

/**
 * The report, last in `finally`: it runs whatever the outcome, after the cleanup (so a failed
 * cleanup is reported too). Besides the plan's own `vars` it gets the report variables below.
 */
export function notifyStep(plan: BackupPlanDocData): Lowered {
  const n = plan.spec.notify!;
  return {
    origin: '/spec/notify',
    fields: { '/with/template': '/spec/notify/template' },
    step: {
      id: 'notify',
      title: 'Send the backup report',
      uses: 'notify',
      with: { ...n, vars: { ...reportVars(plan), ...(n.vars ?? {}) } },
      timeout: '5m',
      estimate: '10s',
    },
  };
}

/**
 * The variables every BackupPlan report gets (a plan's own `notify.vars` override them): `status`
 * (run.status), `failed` (run.failed), `results` (every step that ran so far, by id, with its
 * `status` and `error`: the Template says which step or check failed and why), what was taken
 * and where it was copied.
 */
export function reportVars(plan: BackupPlanDocData): Record<string, unknown> {
  const { targets, copyTo } = plan.spec;
  const made = targets.map((t) =>
    t.type === 'postgres' ? `{{steps.backup-${t.id}.outputs.path}}` : `{{steps.snapshot-${t.id}.outputs.snapshot}}`,
  );
  return {
    status: '{{run.status}}',
    failed: '{{run.failed}}',
    results: '{{steps}}',
    snapshot_id: made.join(', '),
    ...(copyTo?.length ? { copied_to: copyTo.map((c) => c.region).join(', ') } : {}),
  };
}

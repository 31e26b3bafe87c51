import { joinPointer } from '../load/source-map.js';
import type { Rule, RuleContext, RunbookUnit } from './rule.js';

/**
 * Workflow files the compiler writes besides `runbook-<name>.yml` (compiler/emit/workflows/);
 * `drills` is the drill calendar's workflow (drill-schedule-workflow.ts), `resume` the resume workflow
 * (resume-workflow.ts), `approve` the one that resumes parked runs (approval-workflow.ts), `wiki`
 * the one that publishes the docs (wiki-workflow.ts).
 */
const reservedRunbookNames = ['pr', 'run-request', 'drills', 'resume', 'approve', 'wiki'];
/** Inputs every generated `workflow_dispatch` adds itself. */
const reservedInputs = ['dry_run', 'drill'];
/** GitHub's documented limit of `workflow_dispatch` inputs. */
const maxDispatchInputs = 25;

/**
 * What the generated GitHub workflows need from a runbook: names that do not collide with the
 * workflows' own files, inputs and environment variables; values GitHub would not evaluate as
 * expressions; no more inputs than `workflow_dispatch` accepts. Found here rather than as a broken
 * workflow after the merge.
 */
export const workflowNamesRule: Rule = {
  id: 'workflow-names',
  codes: ['workflow-reserved-name', 'workflow-expression', 'workflow-too-many-inputs'],
  docs: 'Runbook names, inputs, secrets, environment and concurrency fit the generated GitHub workflows.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      checkSecrets(ctx, unit);
      if (unit.loweredFrom) continue; // a BackupPlan's workflow is backup-<name>.yml, with no inputs
      const { metadata, spec } = unit.data;
      if (reservedRunbookNames.includes(metadata.name)) {
        ctx.report(
          unit.doc,
          '/metadata/name',
          'workflow-reserved-name',
          `a runbook may not be named "${metadata.name}": .github/workflows/runbook-${metadata.name}.yml is the compiler's own workflow`,
        );
      }
      const inputs = Object.keys(spec.inputs ?? {});
      for (const name of inputs.filter((n) => reservedInputs.includes(n))) {
        ctx.report(
          unit.doc,
          joinPointer('/spec/inputs', name),
          'workflow-reserved-name',
          `input "${name}" is reserved: the generated workflow adds its own ${name} input`,
          { key: true, hint: 'rename the input' },
        );
      }
      if (inputs.length + reservedInputs.length > maxDispatchInputs) {
        ctx.report(
          unit.doc,
          '/spec/inputs',
          'workflow-too-many-inputs',
          `${inputs.length} inputs: workflow_dispatch accepts ${maxDispatchInputs}, including the workflow's ${reservedInputs.join(' and ')}`,
          { key: true },
        );
      }
      for (const field of ['environment', 'concurrency'] as const) {
        const value = spec[field];
        if (typeof value === 'string' && value.includes('${{')) {
          ctx.report(
            unit.doc,
            `/spec/${field}`,
            'workflow-expression',
            `spec.${field} contains "\${{", which GitHub would evaluate in the generated workflow`,
            { hint: 'use a plain name' },
          );
        }
      }
    }
  },
};

function checkSecrets(ctx: RuleContext, unit: RunbookUnit): void {
  const doc = unit.loweredFrom ?? unit.doc;
  (unit.data.spec.secrets ?? []).forEach((name, i) => {
    const github = name.startsWith('GITHUB_') && name !== 'GITHUB_TOKEN';
    if (!github && !name.startsWith('RUNBOOK_')) return;
    ctx.report(
      doc,
      joinPointer('/spec/secrets', i),
      'workflow-reserved-name',
      github
        ? `secret "${name}": GitHub does not allow secret names starting with GITHUB_`
        : `secret "${name}": RUNBOOK_ variables are the runner's own (inputs, dry run, drill)`,
      { hint: 'rename the secret' },
    );
  });
}

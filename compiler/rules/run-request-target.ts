import { docName, type LoadedDoc } from '../load/loaded-doc.js';
import type { RunRequestDocData } from '../load/run-request.js';
import { resolveRequestInputs, type InputProblemKind } from '../load/run-request-inputs.js';
import { joinPointer } from '../load/source-map.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import { didYouMean } from '../validate/did-you-mean.js';
import type { Rule, RuleContext } from './rule.js';

const codeOf: Record<InputProblemKind, DiagnosticCode> = {
  unknown: 'run-request-unknown-input',
  missing: 'run-request-missing-input',
  invalid: 'run-request-invalid-input',
};

/**
 * A RunRequest names a runbook of the tree and gives it inputs the executor will accept — checked
 * in the pull request, so a request that would be refused after the merge is never approved.
 */
export const runRequestTargetRule: Rule = {
  id: 'run-request-target',
  codes: [
    'run-request-unknown-runbook',
    'run-request-unknown-input',
    'run-request-missing-input',
    'run-request-invalid-input',
  ],
  docs: "A RunRequest's runbook exists and its inputs match the runbook's inputs (names, required, types, choice options).",
  check(ctx) {
    for (const doc of ctx.valid('RunRequest')) {
      const data = doc.data as unknown as RunRequestDocData;
      const target = data.spec.runbook;
      const unit = ctx.runbooks.find((u) => u.data.metadata.name === target);
      if (!unit) {
        // Existence, not validity: a runbook with schema errors is reported in its own file.
        if (!ctx.project.byName('Runbook', target) && !ctx.project.byName('BackupPlan', target))
          reportUnknown(ctx, doc, target);
        continue;
      }
      const given = data.spec.inputs ?? {};
      const { problems } = resolveRequestInputs(unit.data.spec.inputs ?? {}, given);
      for (const p of problems) {
        const at =
          p.kind === 'missing'
            ? doc.map.has('/spec/inputs')
              ? '/spec/inputs'
              : '/spec/runbook'
            : joinPointer('/spec/inputs', p.input);
        ctx.report(doc, at, codeOf[p.kind], p.message, {
          key: p.kind !== 'invalid',
          ...(p.kind === 'unknown' ? hintFor(p.input, Object.keys(unit.data.spec.inputs ?? {})) : {}),
        });
      }
    }
  },
};

function reportUnknown(ctx: RuleContext, doc: LoadedDoc, name: string): void {
  const names = [...ctx.project.ofKind('Runbook'), ...ctx.project.ofKind('BackupPlan')]
    .map(docName)
    .filter((n): n is string => n !== undefined);
  const suggestion = didYouMean(name, names);
  ctx.report(
    doc,
    '/spec/runbook',
    'run-request-unknown-runbook',
    `no Runbook or BackupPlan named "${name}"`,
    suggestion ? { hint: `did you mean "${suggestion}"?` } : {},
  );
}

function hintFor(input: string, known: readonly string[]): { hint?: string } {
  const suggestion = didYouMean(input, known);
  return suggestion ? { hint: `did you mean "${suggestion}"?` } : {};
}

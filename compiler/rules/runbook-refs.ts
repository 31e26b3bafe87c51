import { hasTemplate } from '../expressions/parse-template.js';
import { docName, type LoadedDoc } from '../load/loaded-doc.js';
import { joinPointer } from '../load/source-map.js';
import { didYouMean } from '../validate/did-you-mean.js';
import type { Rule, RuleContext } from './rule.js';
import { referenceParam } from '../../common/actions-catalog/index.js';

/** `runbook` steps and Directory drills name a Runbook that exists in the tree. */
export const runbookRefsRule: Rule = {
  id: 'runbook-refs',
  codes: ['unknown-runbook'],
  docs: 'A `runbook` step (with.runbook) or a Directory drill (spec.drills[].runbook) names a Runbook defined in the tree.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      if (unit.loweredFrom) continue;
      for (const ref of unit.deps.steps) {
        const param = referenceParam(ref.step.uses, 'Runbook');
        if (param === undefined) continue;
        expectRunbook(ctx, unit.doc, joinPointer(ref.pointer, 'with', param), ref.step.with?.[param]);
      }
    }
    const dir = ctx.directory;
    (dir?.data.spec.drills ?? []).forEach((drill, i) => {
      expectRunbook(ctx, dir!.doc, joinPointer('/spec/drills', i, 'runbook'), drill.runbook);
    });
  },
};

function expectRunbook(ctx: RuleContext, doc: LoadedDoc, pointer: string, name: unknown): void {
  // Existence, not validity: a Runbook with schema errors is reported in its own file.
  if (typeof name !== 'string' || hasTemplate(name) || ctx.project.byName('Runbook', name)) return;
  const names = ctx.project
    .ofKind('Runbook')
    .map(docName)
    .filter((n): n is string => n !== undefined);
  const suggestion = didYouMean(name, names);
  ctx.report(
    doc,
    pointer,
    'unknown-runbook',
    `no Runbook named "${name}"`,
    suggestion ? { hint: `did you mean "${suggestion}"?` } : {},
  );
}

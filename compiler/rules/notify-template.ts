import { hasTemplate } from '../expressions/parse-template.js';
import { reportVars } from '../graph/backup-plan-report.js';
import type { LoadedDoc } from '../load/loaded-doc.js';
import { joinPointer } from '../load/source-map.js';
import type { TemplateDocData } from '../model/specs.js';
import { didYouMean } from '../validate/did-you-mean.js';
import type { Rule, RuleContext } from './rule.js';
import { automaticRoots } from './template-variables.js';
import { referenceParam } from '../../common/actions-catalog/index.js';

/** What a `notify` step (or a BackupPlan's `spec.notify`) says, as far as this rule reads it. */
interface NotifyWith {
  template?: unknown;
  audience?: unknown;
  vars?: unknown;
}

/**
 * `notify` steps and BackupPlan notifications name an existing Template, supply its required
 * variables (and only declared ones) and address audiences the Directory defines.
 */
export const notifyTemplateRule: Rule = {
  id: 'notify-template',
  codes: ['unknown-template', 'missing-template-variable', 'unknown-template-variable', 'unknown-audience'],
  docs: 'A notify step names an existing Template, supplies every required variable in `vars`, supplies no undeclared ones, and addresses audiences defined in the Directory.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      // Lowered BackupPlans are checked once, on the plan's own `spec.notify`, below.
      if (unit.loweredFrom) continue;
      for (const ref of unit.deps.steps) {
        if (referenceParam(ref.step.uses, 'Template') === undefined || !isObject(ref.step.with)) continue;
        checkNotify(ctx, unit.doc, joinPointer(ref.pointer, 'with'), ref.step.with);
      }
    }
    for (const plan of ctx.backupPlans) {
      const notify = plan.data.spec.notify;
      // The lowered notify step passes `spec.notify` through as its `with`, vars included, plus
      // the report variables the lowering supplies (status, failed, results…).
      if (notify) checkNotify(ctx, plan.doc, '/spec/notify', notify, Object.keys(reportVars(plan.data)));
    }
    for (const { doc, data } of ctx.templates.values()) checkAudiences(ctx, doc, '/audience', data.audience);
  },
};

export function checkNotify(
  ctx: RuleContext,
  doc: LoadedDoc,
  pointer: string,
  w: NotifyWith,
  provided: readonly string[] = [],
): void {
  checkAudiences(ctx, doc, joinPointer(pointer, 'audience'), w.audience);
  const name = w.template;
  if (typeof name !== 'string' || hasTemplate(name)) return;
  const found = ctx.templates.get(name);
  if (!found) {
    // A Template that exists but failed its schema is reported there; naming it is not an error.
    if (ctx.project.byName('Template', name)) return;
    const suggestion = didYouMean(name, [...ctx.templates.keys()]);
    ctx.report(
      doc,
      joinPointer(pointer, 'template'),
      'unknown-template',
      `no Template named "${name}"`,
      suggestion ? { hint: `did you mean "${suggestion}"?` } : {},
    );
    return;
  }
  checkVariables(ctx, doc, pointer, name, found.data, w.vars, provided);
}

function checkVariables(
  ctx: RuleContext,
  doc: LoadedDoc,
  pointer: string,
  name: string,
  tpl: TemplateDocData,
  vars: unknown,
  provided: readonly string[],
): void {
  const declared = tpl.variables ?? {};
  const supplied = isObject(vars) ? vars : {};
  const missing = Object.entries(declared)
    .filter(
      ([key, spec]) =>
        spec?.required === true &&
        !Object.hasOwn(supplied, key) &&
        !automaticRoots.includes(key) &&
        !provided.includes(key),
    )
    .map(([key]) => key);
  if (missing.length > 0) {
    // Point at `vars` when present, else at the template name that demands them.
    const at = isObject(vars) ? joinPointer(pointer, 'vars') : joinPointer(pointer, 'template');
    const list = missing.map((m) => `"${m}"`).join(', ');
    ctx.report(
      doc,
      at,
      'missing-template-variable',
      `Template "${name}" requires ${missing.length === 1 ? 'variable' : 'variables'} ${list}, not supplied in vars`,
      { key: isObject(vars), hint: `add ${missing.map((m) => `${m}: …`).join(', ')} under with.vars` },
    );
  }
  for (const key of Object.keys(supplied)) {
    if (Object.hasOwn(declared, key)) continue;
    const suggestion = didYouMean(key, Object.keys(declared));
    ctx.report(
      doc,
      joinPointer(pointer, 'vars', key),
      'unknown-template-variable',
      `Template "${name}" declares no variable "${key}"`,
      {
        key: true,
        hint: suggestion ? `did you mean "${suggestion}"?` : `declared: ${Object.keys(declared).join(', ') || 'none'}`,
      },
    );
  }
}

function checkAudiences(ctx: RuleContext, doc: LoadedDoc, pointer: string, audience: unknown): void {
  const dir = ctx.directory;
  if (!dir || !Array.isArray(audience)) return;
  const known = Object.keys(dir.data.spec.audiences ?? {});
  audience.forEach((id, i) => {
    if (typeof id !== 'string' || hasTemplate(id) || known.includes(id)) return;
    const suggestion = didYouMean(id, known);
    ctx.report(doc, joinPointer(pointer, i), 'unknown-audience', `the Directory defines no audience "${id}"`, {
      hint: suggestion ? `did you mean "${suggestion}"?` : `audiences: ${known.join(', ') || 'none'}`,
    });
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

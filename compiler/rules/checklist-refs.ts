import { hasTemplate } from '../expressions/parse-template.js';
import { docName } from '../load/loaded-doc.js';
import { joinPointer } from '../load/source-map.js';
import type { StepRef } from '../graph/dependencies.js';
import { didYouMean } from '../validate/did-you-mean.js';
import type { Rule, RuleContext, RunbookUnit } from './rule.js';
import { referenceParam } from '../../common/actions-catalog/index.js';

/**
 * `checklist` steps name an existing Checklist, and every item bound to a check step
 * (`<!-- check: id -->` in a Checklist, `{ text, check }` inline) names a step of the runbook
 * that runs the checklist — a Checklist is checked once per runbook using it, since the same
 * binding can hold in one runbook and not in another.
 */
export const checklistRefsRule: Rule = {
  id: 'checklist-refs',
  codes: ['unknown-checklist', 'unknown-check'],
  docs: 'A checklist step names an existing Checklist, and each item bound to a check step names a step of the runbook running the checklist.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      if (unit.loweredFrom) continue;
      for (const ref of unit.deps.steps) {
        const w = ref.step.with;
        if (referenceParam(ref.step.uses, 'Checklist') === undefined || typeof w !== 'object' || w === null) continue;
        if (typeof w.checklist === 'string')
          checkNamed(ctx, unit, ref, w.checklist, typeof w.section === 'string' ? w.section : undefined);
        if (Array.isArray(w.items)) checkInline(ctx, unit, ref, w.items);
      }
    }
  },
};

function checkNamed(ctx: RuleContext, unit: RunbookUnit, ref: StepRef, name: string, section?: string): void {
  if (hasTemplate(name)) return;
  const doc = ctx.project.byName('Checklist', name);
  if (!doc) {
    const names = ctx.project
      .ofKind('Checklist')
      .map(docName)
      .filter((n): n is string => n !== undefined);
    const suggestion = didYouMean(name, names);
    ctx.report(
      unit.doc,
      joinPointer(ref.pointer, 'with', 'checklist'),
      'unknown-checklist',
      `no Checklist named "${name}"`,
      suggestion ? { hint: `did you mean "${suggestion}"?` } : {},
    );
    return;
  }
  // An invalid Checklist already has its own errors; its items are not trusted.
  if (!ctx.valid('Checklist').includes(doc)) return;
  const titles = (doc.sections ?? []).map((s) => s.title);
  if (section !== undefined && !titles.includes(section)) {
    const suggestion = didYouMean(section, titles);
    ctx.report(
      unit.doc,
      joinPointer(ref.pointer, 'with', 'section'),
      'unknown-checklist',
      `Checklist "${name}" has no section "${section}"`,
      { hint: suggestion ? `did you mean "${suggestion}"?` : `sections: ${titles.join(', ')}` },
    );
    return;
  }
  (doc.sections ?? []).forEach((s, i) =>
    (section !== undefined && s.title !== section ? [] : s.items).forEach((item, k) => {
      if (item.check === undefined || unit.deps.byId.has(item.check)) return;
      // The Checklist loader maps each item (and its check id) under /sections/i/items/k.
      // No step id in the message: several checklist steps of one runbook yield one finding.
      ctx.report(
        doc,
        joinPointer('/sections', i, 'items', k, 'check'),
        'unknown-check',
        unknownCheck(item.check, unit),
        {
          hint: hint(item.check, unit),
        },
      );
    }),
  );
}

function checkInline(ctx: RuleContext, unit: RunbookUnit, ref: StepRef, items: unknown[]): void {
  items.forEach((item, i) => {
    const check = typeof item === 'object' && item !== null ? (item as { check?: unknown }).check : undefined;
    if (typeof check !== 'string' || hasTemplate(check) || unit.deps.byId.has(check)) return;
    ctx.report(
      unit.doc,
      joinPointer(ref.pointer, 'with', 'items', i, 'check'),
      'unknown-check',
      unknownCheck(check, unit),
      {
        hint: hint(check, unit),
      },
    );
  });
}

function unknownCheck(check: string, unit: RunbookUnit): string {
  const runbook = docName(unit.doc) ?? unit.doc.file.path;
  return `check "${check}" names no step of runbook "${runbook}", which runs this checklist`;
}

function hint(check: string, unit: RunbookUnit): string | undefined {
  const suggestion = didYouMean(check, [...unit.deps.byId.keys()]);
  return suggestion ? `did you mean "${suggestion}"?` : undefined;
}

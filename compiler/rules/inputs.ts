import { parseTemplate } from '../expressions/parse-template.js';
import { joinPointer } from '../load/source-map.js';
import type { InputSpec } from '../model/specs.js';
import type { Rule, RuleContext, RunbookUnit } from './rule.js';
import { renderedFields } from './template-references.js';
import { referencedValue } from '../../common/actions-catalog/index.js';

/**
 * `choice-default`, `unused-input`, `unused-secret`: declarations agree with their use. A
 * declared but unused secret still reaches the run's environment, so it is worth removing.
 */
export const inputsRule: Rule = {
  id: 'inputs',
  codes: ['choice-default', 'unused-input', 'unused-secret'],
  docs: 'Input defaults match their type and options; every declared input and secret is used.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      for (const [name, input] of Object.entries(unit.data.spec.inputs ?? {})) checkDefault(ctx, unit, name, input);
      checkUnused(ctx, unit);
    }
  },
};

function checkDefault(ctx: RuleContext, unit: RunbookUnit, name: string, input: InputSpec): void {
  const base = joinPointer('/spec/inputs', name);
  if (input.type === 'choice' && (input.options ?? []).length === 0) {
    ctx.report(unit.doc, joinPointer(base, 'type'), 'choice-default', `choice input "${name}" has no options`, {
      hint: 'list the allowed values under options:',
    });
    return;
  }
  if (input.default === undefined) return;
  const at = joinPointer(base, 'default');
  const shown = JSON.stringify(input.default);
  if (input.type === 'choice') {
    if (!(input.options ?? []).includes(input.default as string | number)) {
      ctx.report(unit.doc, at, 'choice-default', `default ${shown} of input "${name}" is not one of its options`, {
        hint: `options: ${(input.options ?? []).join(', ')}`,
      });
    }
  } else if (typeof input.default !== input.type) {
    ctx.report(unit.doc, at, 'choice-default', `default ${shown} of input "${name}" is not a ${input.type}`);
  }
}

/** Names read under `inputs.` and `secrets.`; `all` when the whole object is read (`{{json inputs}}`). */
interface Used {
  inputs: Set<string>;
  secrets: Set<string>;
  allInputs: boolean;
  allSecrets: boolean;
}

function checkUnused(ctx: RuleContext, unit: RunbookUnit): void {
  const used = usedNames(ctx, unit);
  if (!used.allInputs) {
    for (const name of Object.keys(unit.data.spec.inputs ?? {})) {
      if (used.inputs.has(name)) continue;
      ctx.report(unit.doc, joinPointer('/spec/inputs', name), 'unused-input', `input "${name}" is never used`, {
        key: true,
        hint: `refer to it as {{inputs.${name}}} (in env: for scripts), or remove it`,
      });
    }
  }
  if (used.allSecrets) return;
  // A lowered BackupPlan copies the plan's spec.secrets: report where the plan lists them.
  const doc = unit.loweredFrom ?? unit.doc;
  (unit.data.spec.secrets ?? []).forEach((name, i) => {
    if (used.secrets.has(name)) return;
    ctx.report(doc, joinPointer('/spec/secrets', i), 'unused-secret', `secret "${name}" is never used`, {
      hint: `refer to it as {{secrets.${name}}} (in env: for scripts), or remove it`,
    });
  });
}

function usedNames(ctx: RuleContext, unit: RunbookUnit): Used {
  const used: Used = { inputs: new Set(), secrets: new Set(), allInputs: false, allSecrets: false };
  const texts = renderedFields(unit).map((f) => f.field.text);
  // A notify step's Template is rendered with the run's inputs, so inputs may be read only there.
  for (const ref of unit.deps.steps) {
    const name = referencedValue(ref.step, 'Template');
    const template = typeof name === 'string' ? ctx.templates.get(name) : undefined;
    if (template?.doc.body) texts.push(template.doc.body.text);
    if (template?.data.subject) texts.push(template.data.subject);
  }
  for (const text of texts) {
    if (!text.includes('{{')) continue;
    const parsed = parseTemplate(text);
    if (!parsed.ok) continue;
    for (const path of parsed.template.paths) {
      // Scoped paths (inside each/with) are counted too: a false "unused" is worse than a miss.
      const [root, name] = path.parts;
      if (root === 'inputs' && name === undefined) used.allInputs = true;
      else if (root === 'inputs') used.inputs.add(name);
      else if (root === 'secrets' && name === undefined) used.allSecrets = true;
      else if (root === 'secrets') used.secrets.add(name);
    }
  }
  return used;
}

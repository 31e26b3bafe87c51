import { expressionHelpers, parseTemplate, type PathRef } from '../expressions/parse-template.js';
import { stepTemplateFields, type TemplateField } from '../expressions/template-fields.js';
import type { StepRef } from '../graph/dependencies.js';
import { joinPointer } from '../load/source-map.js';
import type { StepSpec } from '../model/specs.js';
import { didYouMean } from '../validate/did-you-mean.js';
import { outputFieldsOf } from './output-fields.js';
import type { Rule, RuleContext, RunbookUnit } from './rule.js';
import { isShell, isWait } from '../../common/actions-catalog/index.js';

/** A templated string of a step, with the step it belongs to. */
export interface StepField {
  readonly ref: StepRef;
  readonly field: TemplateField;
  /** True inside the step's own `rollback`, which runs after the step itself. */
  readonly inRollback: boolean;
}

/**
 * Every rendered template of a runbook. `with.script` of `uses: shell` is left out: scripts are
 * never rendered (template-in-run reports `{{` there), so their `{{` is not an expression.
 */
export function renderedFields(unit: RunbookUnit): readonly StepField[] {
  let fields = fieldsOf.get(unit);
  if (!fields) fieldsOf.set(unit, (fields = collectFields(unit)));
  return fields;
}

/** Per unit (so per compile): the inputs and template-references rules both walk every field. */
const fieldsOf = new WeakMap<RunbookUnit, readonly StepField[]>();

function collectFields(unit: RunbookUnit): StepField[] {
  const out: StepField[] = [];
  for (const ref of unit.deps.steps) {
    const rollback = joinPointer(ref.pointer, 'rollback');
    const scripts = new Set<string>();
    const conditions = new Set<string>();
    for (const [body, at] of [
      [ref.step, ref.pointer],
      [ref.step.rollback, rollback],
    ] as const) {
      if (isShell(body?.uses)) scripts.add(joinPointer(at, 'with', 'script'));
      // `wait.until` is evaluated against the polled action's result, like `assert`.
      if (isWait(body?.uses)) conditions.add(joinPointer(at, 'with', 'until'));
    }
    for (const field of stepTemplateFields(ref.step, ref.pointer)) {
      if (scripts.has(field.pointer)) continue;
      const scoped: TemplateField = conditions.has(field.pointer) ? { ...field, scope: 'result' } : field;
      out.push({ ref, field: scoped, inRollback: field.pointer.startsWith(rollback + '/') });
    }
  }
  return out;
}

/**
 * The needle and occurrence that make `SourceMap.rangeOf` land on `text[start, end)`: the same
 * expression may appear several times in one string, and each must get its own position.
 */
export function locateNeedle(text: string, start: number, end: number): { needle: string; occurrence: number } {
  const needle = text.slice(start, end);
  let occurrence = 0;
  // Count non-overlapping matches before `start`, the way rangeOf walks the source.
  for (let at = text.indexOf(needle); at >= 0 && at < start; at = text.indexOf(needle, at + needle.length))
    occurrence++;
  return { needle, occurrence };
}

const paramRoots = ['inputs', 'secrets', 'steps', 'run'];
const resultRoots = [...paramRoots, 'result', 'outputs'];
/**
 * `run.*` members (RUNBOOK_FORMAT.md, "Expressions"); `status` is `running` until `finally`,
 * `failed` the ids of the steps that failed or timed out so far (for a report in `finally`).
 */
export const runFields = ['id', 'initiator', 'startedAt', 'dryRun', 'url', 'status', 'failed'];

/**
 * `template-syntax`, `unknown-root`, `unknown-input`, `unknown-secret`, `unknown-step`,
 * `non-ancestor-ref`, `unknown-output`, `unknown-helper`: every expression of every step is parsed and each path it
 * reads is resolved against the runbook, at the exact position of the path in the file.
 */
export const templateReferencesRule: Rule = {
  id: 'template-references',
  codes: [
    'template-syntax',
    'unknown-root',
    'unknown-input',
    'unknown-secret',
    'unknown-step',
    'non-ancestor-ref',
    'unknown-output',
    'unknown-helper',
  ],
  docs: 'Expressions parse, and every path they read exists and is available when the step runs.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      for (const item of renderedFields(unit)) checkField(ctx, unit, item);
    }
  },
};

type At = (
  code: Parameters<RuleContext['report']>[2],
  message: string,
  start: number,
  end: number,
  hint?: string,
) => void;

function checkField(ctx: RuleContext, unit: RunbookUnit, item: StepField): void {
  const { text, pointer } = item.field;
  if (!text.includes('{{')) return;
  const at: At = (code, message, start, end, hint) =>
    ctx.report(unit.doc, pointer, code, message, { within: { text, start, end }, ...(hint ? { hint } : {}) });
  const parsed = parseTemplate(text);
  if (!parsed.ok) {
    const bad = badStatement(text, parsed.offset);
    const detail = parsed.message.replace(/^parse error:\s*/, '');
    at(
      'template-syntax',
      `expression does not parse${detail ? `: ${detail}` : ''}`,
      bad.start,
      bad.end,
      'close every {{ with }}; helpers are called as {{helper arg1 arg2}}',
    );
    return;
  }
  for (const path of parsed.template.paths) {
    // `{{.}}`, `{{this}}`, `{{../x}}`, `{{@root.x}}` outside a block: the whole context or a
    // Handlebars internal, never a value a runbook means to pass.
    if (path.contextual && !path.inBlock) {
      at(
        'unknown-root',
        `${path.original || '.'} is not a value: name a root such as inputs.NAME or steps.ID.outputs.NAME`,
        path.start,
        path.end,
        `roots here: ${(item.field.scope === 'result' ? resultRoots : paramRoots).join(', ')}`,
      );
    } else if (!path.scoped) checkPath(unit, item, path, at);
  }
  for (const helper of parsed.template.helpers) {
    if ((expressionHelpers as readonly string[]).includes(helper.name)) continue;
    const guess = didYouMean(helper.name, expressionHelpers);
    at(
      'unknown-helper',
      `unknown helper "${helper.name}"`,
      helper.start,
      helper.end,
      guess ? `did you mean "${guess}"?` : `helpers: ${expressionHelpers.join(' ')}`,
    );
  }
}

function checkPath(unit: RunbookUnit, item: StepField, path: PathRef, at: At): void {
  const { spec } = unit.data;
  const [root, name] = path.parts;
  const report = (code: Parameters<At>[0], message: string, hint?: string) =>
    at(code, message, path.start, path.end, hint);
  const roots = item.field.scope === 'result' ? resultRoots : paramRoots;
  if (!roots.includes(root)) {
    const guess = didYouMean(root, roots);
    report(
      'unknown-root',
      `unknown expression root "${root}" in ${path.original}`,
      guess ? `did you mean "${guess}"?` : `roots here: ${roots.join(', ')}`,
    );
    return;
  }
  if (name === undefined) return;
  if (root === 'inputs' && !Object.hasOwn(spec.inputs ?? {}, name)) {
    const guess = didYouMean(name, Object.keys(spec.inputs ?? {}));
    report(
      'unknown-input',
      `the runbook declares no input "${name}"`,
      guess ? `did you mean "${guess}"?` : 'declare it under spec.inputs',
    );
  } else if (root === 'secrets' && !(spec.secrets ?? []).includes(name)) {
    const guess = didYouMean(name, spec.secrets ?? []);
    report(
      'unknown-secret',
      `secret "${name}" is not listed in spec.secrets`,
      guess ? `did you mean "${guess}"?` : 'add it to spec.secrets',
    );
  } else if (root === 'run' && !runFields.includes(name)) {
    const guess = didYouMean(name, runFields);
    report(
      'unknown-root',
      `run has no field "${name}"`,
      guess ? `did you mean "run.${guess}"?` : `run fields: ${runFields.join(', ')}`,
    );
  } else if (root === 'steps') checkStepRef(unit, item, path, report);
}

type Report = (code: Parameters<At>[0], message: string, hint?: string) => void;

function checkStepRef(unit: RunbookUnit, item: StepField, path: PathRef, report: Report): void {
  const name = path.parts[1];
  const current = item.ref.step.id;
  const target = unit.deps.byId.get(name);
  if (!target) {
    const guess = didYouMean(name, [...unit.deps.byId.keys()]);
    report('unknown-step', `the runbook has no step "${name}"`, guess ? `did you mean "${guess}"?` : undefined);
    return;
  }
  if (path.parts[2] === 'outputs' && path.parts[3] !== undefined) checkOutputField(target.step, path.parts[3], report);
  if (unit.deps.isAncestor(name, current) || (item.inRollback && name === current)) return;
  const hint =
    name === current
      ? 'a step cannot read its own outputs before it ends; use result.* or outputs.* in its outputs and assert'
      : target.phaseIndex > item.ref.phaseIndex
        ? `"${name}" runs in a later phase; move it before "${current}"`
        : `add "${name}" to needs: of "${current}"`;
  report('non-ancestor-ref', `step "${current}" reads steps.${name}, which may not have run before it`, hint);
}

/**
 * An action's outputs are its result fields plus its declared `outputs:`; a name it never
 * produces would render empty at run time, usually deep into an incident (a DNS rollback to "").
 */
function checkOutputField(target: StepSpec, field: string, report: Report): void {
  const known = outputFieldsOf(target);
  if (known.open || known.fields.includes(field)) return;
  const guess = didYouMean(field, known.fields);
  const uses = target.uses ?? 'shell';
  report(
    'unknown-output',
    `step "${target.id}" (${uses}) has no output "${field}"`,
    guess
      ? `did you mean "${guess}"?`
      : known.fields.length
        ? `its outputs: ${known.fields.join(', ')}`
        : 'declare it under outputs: of that step',
  );
}

/**
 * Handlebars reports only the line of a parse error; the first `{{ … }}` that does not parse on
 * its own from there (or an unclosed `{{`) is what the author needs to look at.
 */
function badStatement(text: string, from: number): { start: number; end: number } {
  let fallback: { start: number; end: number } | undefined;
  for (let i = text.indexOf('{{', from); i >= 0; i = text.indexOf('{{', i + 2)) {
    const close = text.indexOf('}}', i + 2);
    if (close < 0) {
      const eol = text.indexOf('\n', i);
      return { start: i, end: eol < 0 ? text.length : eol };
    }
    const end = text[close + 2] === '}' ? close + 3 : close + 2;
    // Block openers and closers never parse alone; only blame them when nothing else is wrong.
    if (/^\{\{~?\s*[#/^]|^\{\{~?\s*else\b/.test(text.slice(i))) fallback ??= { start: i, end };
    else if (!parseTemplate(text.slice(i, end)).ok) return { start: i, end };
    i = end - 2;
  }
  return fallback ?? (from > 0 ? badStatement(text, 0) : { start: 0, end: text.length });
}

import { joinPointer } from '../load/source-map.js';
import type { StepBodySpec, StepSpec } from '../model/specs.js';

/** Which roots an expression may use, depending on where it is written. */
export type TemplateScope = 'params' | 'result';

export interface TemplateField {
  readonly pointer: string;
  readonly text: string;
  readonly scope: TemplateScope;
}

/** Every string of a step that is rendered as a template, with its JSON Pointer. */
export function stepTemplateFields(step: StepSpec, stepPointer: string): TemplateField[] {
  const out: TemplateField[] = [];
  bodyFields(step, stepPointer, out);
  if (step.if !== undefined) out.push({ pointer: joinPointer(stepPointer, 'if'), text: step.if, scope: 'params' });
  if (step.title !== undefined)
    out.push({ pointer: joinPointer(stepPointer, 'title'), text: step.title, scope: 'params' });
  for (const [k, v] of Object.entries(step.outputs ?? {})) {
    if (typeof v === 'string') out.push({ pointer: joinPointer(stepPointer, 'outputs', k), text: v, scope: 'result' });
  }
  (step.assert ?? []).forEach((v, i) => {
    if (typeof v === 'string') out.push({ pointer: joinPointer(stepPointer, 'assert', i), text: v, scope: 'result' });
  });
  if (step.approval?.message !== undefined) {
    out.push({
      pointer: joinPointer(stepPointer, 'approval', 'message'),
      text: step.approval.message,
      scope: 'params',
    });
  }
  if (step.rollback) bodyFields(step.rollback, joinPointer(stepPointer, 'rollback'), out);
  return out;
}

function bodyFields(body: StepBodySpec, pointer: string, out: TemplateField[]): void {
  if (body.with !== undefined) deepStrings(body.with, joinPointer(pointer, 'with'), out);
  for (const [k, v] of Object.entries(body.env ?? {})) {
    if (typeof v === 'string') out.push({ pointer: joinPointer(pointer, 'env', k), text: v, scope: 'params' });
  }
}

function deepStrings(value: unknown, pointer: string, out: TemplateField[], depth = 0): void {
  if (depth > 32) return;
  if (typeof value === 'string') out.push({ pointer, text: value, scope: 'params' });
  else if (Array.isArray(value)) value.forEach((v, i) => deepStrings(v, joinPointer(pointer, i), out, depth + 1));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) deepStrings(v, joinPointer(pointer, k), out, depth + 1);
  }
}

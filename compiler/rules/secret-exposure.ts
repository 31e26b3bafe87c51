import { parseTemplate } from '../expressions/parse-template.js';
import { joinPointer } from '../load/source-map.js';
import type { Rule } from './rule.js';

/**
 * Fields whose rendered value is shown to people or stored as data: a secret there will be
 * masked in logs, but it also ends up in step outputs, approval requests and notifications,
 * which is nearly always a mistake.
 */
const exposedWith: Record<string, readonly string[]> = {
  approval: ['message'],
  manual: ['instruction'],
  notify: ['vars'],
};

export const secretExposureRule: Rule = {
  id: 'secret-exposure',
  codes: ['secret-in-output'],
  docs: 'Warns when a secret is rendered into a title, an output, an approval message, a manual instruction or notification variables.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      for (const ref of unit.deps.steps) {
        const { step, pointer } = ref;
        const fields: [string, unknown][] = [];
        if (step.title !== undefined) fields.push([joinPointer(pointer, 'title'), step.title]);
        for (const [k, v] of Object.entries(step.outputs ?? {})) fields.push([joinPointer(pointer, 'outputs', k), v]);
        if (step.approval?.message !== undefined)
          fields.push([joinPointer(pointer, 'approval', 'message'), step.approval.message]);
        // Own keys only: `uses` is user text, and `constructor` must not find Object.prototype's.
        const keys = Object.hasOwn(exposedWith, step.uses ?? '') ? exposedWith[step.uses!] : [];
        for (const key of keys) collect(step.with?.[key], joinPointer(pointer, 'with', key), fields);
        for (const [at, text] of fields) {
          if (typeof text !== 'string' || !text.includes('secrets.')) continue;
          const parsed = parseTemplate(text);
          if (!parsed.ok) continue;
          for (const path of parsed.template.paths) {
            if (path.scoped || path.parts[0] !== 'secrets') continue;
            ctx.report(
              unit.doc,
              at,
              'secret-in-output',
              `secret ${path.parts[1] ?? ''} is rendered into ${describeField(at)}, which is shown to people and stored`,
              {
                needle: path.original,
                hint: 'pass secrets only to action parameters and env:',
              },
            );
          }
        }
      }
    }
  },
};

function collect(value: unknown, pointer: string, out: [string, unknown][]): void {
  if (typeof value === 'string') out.push([pointer, value]);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collect(v, joinPointer(pointer, k), out);
  }
}

function describeField(pointer: string): string {
  const parts = pointer.split('/');
  const i = parts.findIndex((p) => ['title', 'outputs', 'approval', 'with'].includes(p));
  return parts.slice(i).join('.');
}

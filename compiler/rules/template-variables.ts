import { parseTemplate, type PathRef } from '../expressions/parse-template.js';
import type { LoadedDoc } from '../load/loaded-doc.js';
import type { TemplateDocData } from '../model/specs.js';
import { didYouMean } from '../validate/did-you-mean.js';
import type { Rule, RuleContext } from './rule.js';

/**
 * Roots every Template body can read without declaring them: the run's context, provided by the
 * `notify` action when it renders (docs/format-reference.md, "Template front matter").
 */
export const automaticRoots: readonly string[] = ['inputs', 'run', 'runbook', 'directory', 'drill', 'severity'];

/** One Handlebars text of a Template (body or subject) and how to point into it. */
export interface TemplateText {
  readonly text: string;
  /** Where a path of `text` sits in the file, as `report` options (an exact range or a needle). */
  readonly locate: (path: PathRef) => {
    pointer: string;
    range?: { start: number; end: number };
    needle?: string;
    occurrence?: number;
  };
}

/**
 * The Handlebars texts of a Template: its body (offsets shifted to the file) and its `subject`
 * (located by searching the YAML value, which is exact for scalars without escapes).
 */
export function templateTexts(doc: LoadedDoc, data: TemplateDocData): TemplateText[] {
  const out: TemplateText[] = [];
  if (typeof data.subject === 'string') {
    const subject = data.subject;
    out.push({
      text: subject,
      locate: (path) => ({
        pointer: '/subject',
        needle: path.original,
        occurrence: occurrenceBefore(subject, path.original, path.start),
      }),
    });
  }
  if (doc.body) {
    const base = doc.body.range.start;
    out.push({
      text: doc.body.text,
      locate: (path) => ({ pointer: '', range: { start: base + path.start, end: base + path.end } }),
    });
  }
  return out;
}

/** Non-scoped paths of a text; unparsable texts yield nothing (syntax is another rule's finding). */
export function unscopedPaths(text: string): PathRef[] {
  const parsed = parseTemplate(text);
  return parsed.ok ? parsed.template.paths.filter((p) => !p.scoped && p.parts.length > 0) : [];
}

/** Every root a Template's body or subject reads is a declared variable or an automatic root. */
export const templateVariablesRule: Rule = {
  id: 'template-variables',
  codes: ['undeclared-template-variable'],
  docs: 'Every variable a Template reads in its body or subject is declared under `variables`, unless it is one of the automatic roots (inputs, run, runbook, directory, drill, severity).',
  check(ctx) {
    for (const doc of ctx.valid('Template')) checkTemplate(ctx, doc, doc.data as unknown as TemplateDocData);
  },
};

function checkTemplate(ctx: RuleContext, doc: LoadedDoc, data: TemplateDocData): void {
  const declared = Object.keys(data.variables ?? {});
  const known = [...declared, ...automaticRoots];
  for (const { text, locate } of templateTexts(doc, data)) {
    for (const path of unscopedPaths(text)) {
      const root = path.parts[0];
      if (known.includes(root)) continue;
      const { pointer, ...where } = locate(path);
      const suggestion = didYouMean(root, known);
      ctx.report(
        doc,
        pointer,
        'undeclared-template-variable',
        `"${root}" is not a declared variable of this Template`,
        {
          ...where,
          hint: suggestion
            ? `did you mean "${suggestion}"?`
            : `declare it under variables: { ${root}: { required: true } }`,
        },
      );
    }
  }
}

/** How many times `needle` occurs in `text` before `offset`: the occurrence index of the one at it. */
function occurrenceBefore(text: string, needle: string, offset: number): number {
  let count = 0;
  for (let at = text.indexOf(needle); at >= 0 && at < offset; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

import { blockHelpers, expressionHelpers, parseTemplate } from '../expressions/parse-template.js';
import type { TemplateDocData } from '../model/specs.js';
import { didYouMean } from '../validate/did-you-mean.js';
import type { Rule } from './rule.js';
import { templateTexts } from './template-variables.js';

const allowed: readonly string[] = [...expressionHelpers, ...blockHelpers];

/**
 * Template bodies and subjects are Handlebars too: a syntax error or an unknown helper would only
 * surface when the notification is sent, in the middle of an incident.
 */
export const templateBodySyntaxRule: Rule = {
  id: 'template-body-syntax',
  codes: ['template-syntax', 'unknown-helper'],
  docs: 'Parses every Template body and subject; reports syntax errors and helpers outside the catalogue.',
  check(ctx) {
    for (const doc of ctx.valid('Template')) {
      for (const { text, locate } of templateTexts(doc, doc.data as unknown as TemplateDocData)) {
        const parsed = parseTemplate(text);
        if (!parsed.ok) {
          const probe = {
            parts: [],
            original: text.slice(parsed.offset, parsed.offset + 2),
            start: parsed.offset,
            end: parsed.offset + 2,
            scoped: false,
          };
          const { pointer, ...where } = locate(probe);
          ctx.report(doc, pointer, 'template-syntax', parsed.message, where);
          continue;
        }
        for (const helper of parsed.template.helpers) {
          if (allowed.includes(helper.name)) continue;
          const probe = {
            parts: [helper.name],
            original: helper.name,
            start: helper.start,
            end: helper.end,
            scoped: false,
          };
          const { pointer, ...where } = locate(probe);
          const guess = didYouMean(helper.name, allowed);
          ctx.report(doc, pointer, 'unknown-helper', `unknown helper "${helper.name}"`, {
            ...where,
            hint: guess ? `did you mean "${guess}"?` : `helpers: ${allowed.join(' ')}`,
          });
        }
      }
    }
  },
};

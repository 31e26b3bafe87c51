import type { Root } from 'mdast';
import { describe, expect, it } from 'vitest';
import { serialise } from '../../common/markdown/mdast-builders.js';
import { parseExpression } from '../../compiler/emit/docs/expression-parse.js';
import { conditionInWords, templateInWords, templatePlain } from '../../compiler/emit/docs/expression-words.js';
import type { StepIndex } from '../../compiler/emit/docs/step-index.js';

/** Expressions said in words on the wiki pages (expression-words.ts). */
const steps: StepIndex = {
  number: (id) => ({ 'promote-db': '2.1', lag: '1.4' })[id],
  anchor: (id) => `step-${id}`,
  node: () => undefined,
};
const md = (inline: unknown): string =>
  serialise({ type: 'root', children: [{ type: 'paragraph', children: [inline].flat(9) }] } as Root).trim();
const words = (template: string) =>
  md(templateInWords(template, steps).map((i) => (typeof i === 'string' ? { type: 'text', value: i } : i)));

describe('expressions in words', () => {
  it('parses paths, literals, helpers and sub-expressions; leaves blocks alone', () => {
    expect(parseExpression('steps.x.outputs.y')).toEqual({ kind: 'path', path: 'steps.x.outputs.y' });
    expect(parseExpression('and (gt a 1) (lt a "5")')).toEqual({
      kind: 'call',
      helper: 'and',
      args: [
        {
          kind: 'call',
          helper: 'gt',
          args: [
            { kind: 'path', path: 'a' },
            { kind: 'literal', value: 1 },
          ],
        },
        {
          kind: 'call',
          helper: 'lt',
          args: [
            { kind: 'path', path: 'a' },
            { kind: 'literal', value: '5' },
          ],
        },
      ],
    });
    expect(parseExpression('#if x')).toBeUndefined();
    expect(parseExpression('(unclosed')).toBeUndefined();
  });

  it('says step outputs, inputs and secrets in words, in italics, the text around as written', () => {
    expect(words('Endpoint {{steps.promote-db.outputs.endpoint}} for {{ inputs.reason }}')).toBe(
      'Endpoint *the `endpoint` output of step 2.1 (promote-db)* for *the `reason` input*',
    );
    expect(words('{{secrets.DB_URL}}')).toBe('*the secret `DB_URL`*');
    expect(words('{{steps.other.status}}')).toBe('*the status of step other*');
  });

  it('says conditions with their helpers, and keeps what it cannot read as written', () => {
    const cond = (t: string) =>
      md([conditionInWords(t, steps)].flat(9).map((i) => (typeof i === 'string' ? { type: 'text', value: i } : i)));
    expect(cond('{{lt outputs.lag 300}}')).toBe("this step's `lag` output is less than 300");
    expect(cond('{{and (ge steps.lag.outputs.lag 1) (not run.dryRun)}}')).toBe(
      "(the `lag` output of step 1.4 (lag) is at least 1) and (not (the run's `dryRun`))",
    );
    expect(words('{{#each x}}')).toBe('`{{#each x}}`');
  });

  it('gives code blocks short placeholders', () => {
    expect(templatePlain('{{steps.promote-db.outputs.endpoint}}:{{inputs.port}}', steps)).toBe(
      '<output endpoint of step 2.1>:<input port>',
    );
  });
});

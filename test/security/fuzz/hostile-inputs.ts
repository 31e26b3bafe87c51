import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Random } from './prng.js';

/** One generated file: where it goes under the project root, and its text. */
export interface FuzzInput {
  readonly name: string;
  readonly path: string;
  readonly text: string;
}

const header = (name: string) =>
  `apiVersion: runbook/v1\nkind: Runbook\nmetadata: { name: ${name}, owner: "@acme/sre" }\n`;
const step = (withBlock: string) =>
  `spec:\n  inputs: { x: { type: string } }\n  secrets: [TOKEN]\n  phases:\n    - id: one\n      steps:\n        - id: a\n${withBlock}`;

/** Template edge cases the expression parser and rules must answer with a finding, never a crash. */
export const templateEdges = [
  '{{',
  '}}',
  '{{}}',
  '{{.}}',
  '{{this}}',
  '{{../x}}',
  '{{@root.x}}',
  '{{@index}}',
  '{{inputs.x',
  '{{inputs.}}',
  '{{#each inputs}}{{.}}{{/each}}',
  '{{#if}}',
  '{{/if}}',
  '{{else}}',
  '{{{inputs.x}}}',
  '{{!-- open',
  '{{> partial}}',
  '{{inputs.[x]}}',
  '{{lookup inputs "x"}}',
  '{{steps.a.outputs.}}',
  '{{secrets.TOKEN}}',
  '\\{{inputs.x}}',
  '{{#with inputs}}{{x}}{{/with}}',
  '{{inputs.x.y.z.w}}',
  '{{eq}}',
  '{{json (json (json inputs.x))}}',
  '{{~inputs.x~}}',
  '{{"\\u0000"}}',
  '{{inputs.__proto__}}',
  '{{constructor}}',
  '{{#each}}',
  '{{^}}',
  '{{&inputs.x}}',
];

const controls = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\u0008',
  '\u000b',
  '\u000c',
  '\u001b[2J',
  '\u007f',
  '\u0085',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\uffff',
  '\ufffd',
  '\t',
  '\r',
  '\r\n',
];

const tokens = [
  ...templateEdges,
  ...controls,
  '&a ',
  '*a',
  '<<: *a',
  '!!binary ',
  '!tag ',
  '? ',
  ': ',
  '- ',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '|',
  '>',
  '#',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '\n',
  '  ',
  '```',
  '~~~',
  '> ',
  '## ',
  '### ',
  '{#id}',
  '<!-- check: a -->',
  'null',
  '~',
  '__proto__',
  'constructor',
  '1e999',
  '0x',
  '-.inf',
  '9'.repeat(400),
];

/** Every library file under runbooks/, as mutation seeds. */
export function librarySeeds(repo: string): FuzzInput[] {
  const out: FuzzInput[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else if (/\.(ya?ml|md|hbs)$/.test(name))
        out.push({ name, path: relative(repo, abs), text: readFileSync(abs, 'utf8') });
    }
  };
  walk(join(repo, 'runbooks'));
  return out;
}

/** A library file with a few random edits: cut, repeat, insert a hostile token, swap, truncate. */
export function mutate(r: Random, seed: FuzzInput, index: number): FuzzInput {
  let text = seed.text;
  const edits = 1 + r.int(6);
  for (let i = 0; i < edits; i++) {
    const at = r.int(text.length + 1);
    const len = r.int(Math.min(200, text.length - at) + 1);
    switch (r.int(6)) {
      case 0:
        text = text.slice(0, at) + text.slice(at + len);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at, at + len).repeat(2 + r.int(20)) + text.slice(at);
        break;
      case 2:
        text = text.slice(0, at) + r.pick(tokens) + text.slice(at);
        break;
      case 3:
        text = text.slice(0, at) + r.pick(tokens).repeat(1 + r.int(500)) + text.slice(at);
        break;
      case 4:
        text = text.slice(0, at);
        break;
      default:
        text =
          text.slice(0, at) + text.slice(at + len, at + 2 * len) + text.slice(at, at + len) + text.slice(at + 2 * len);
    }
  }
  return { name: `mutant ${index} of ${seed.path}`, path: seed.path, text };
}

/** An alias bomb of random fan-out and depth (most cross the limits, a few stay under). */
export function aliasBomb(r: Random, index: number): FuzzInput {
  const fan = 2 + r.int(12);
  const depth = 2 + r.int(9);
  const lines = [`x-0: &a0 ["${'lol'.repeat(1 + r.int(2000))}"]`];
  for (let d = 1; d < depth; d++)
    lines.push(
      `x-${d}: &a${d} [${Array(fan)
        .fill(`*a${d - 1}`)
        .join(', ')}]`,
    );
  const flat = r.int(2)
    ? `x-flat: [${Array(r.int(40_000))
        .fill(`*a${r.int(depth)}`)
        .join(',')}]\n`
    : '';
  return {
    name: `alias bomb ${index} (${fan}^${depth})`,
    path: `runbooks/bomb-${index}.yaml`,
    text: `${header('bomb')}${lines.join('\n')}\n${flat}${step(`          run: echo\n          x-use: *a${depth - 1}\n`)}`,
  };
}

/** Deep flow or block nesting, or a deep Markdown container. */
export function deepNesting(r: Random, index: number): FuzzInput {
  const n = r.pick([10, 63, 65, 200, 5000, 40_000]);
  switch (r.int(4)) {
    case 0:
      return {
        name: `deep flow ${index} (${n})`,
        path: `runbooks/deep-${index}.yaml`,
        text: `${header('deep')}x: ${'['.repeat(n)}${']'.repeat(r.int(n + 1))}\n`,
      };
    case 1:
      return {
        name: `deep flow map ${index} (${n})`,
        path: `runbooks/deep-${index}.yaml`,
        text: `${header('deep')}x: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`,
      };
    case 2: {
      const depth = Math.min(n, 400);
      return {
        name: `deep block ${index} (${depth})`,
        path: `runbooks/deep-${index}.yaml`,
        text: `${header('deep')}${Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`,
      };
    }
    default: {
      const marker = r.pick(['>', '> ', '- ', '* ', '1. ', '  - ']);
      return {
        name: `deep markdown ${index} (${marker.trim()} × ${n})`,
        path: `runbooks/deep-${index}.md`,
        text: `---\n${header('deep')}---\n# T\n\n## P\n\n### S\n\n${marker.repeat(Math.min(n, 20_000))}x\n`,
      };
    }
  }
}

/** Huge scalars, long lines, many keys, many documents, many headings: size without structure. */
export function hugeInput(r: Random, index: number): FuzzInput {
  const n = r.pick([1000, 20_000, 100_000, 300_000]);
  switch (r.int(6)) {
    case 0:
      return {
        name: `long line ${index} (${n})`,
        path: `runbooks/huge-${index}.yaml`,
        text: `${header('huge')}${step(`          run: "${'x'.repeat(n)}"\n`)}`,
      };
    case 1:
      return {
        name: `many templates ${index}`,
        path: `runbooks/huge-${index}.yaml`,
        text: `${header('huge')}${step(`          uses: http.check\n          with: { url: "${r.pick(templateEdges).repeat(Math.ceil(n / 40))}" }\n`)}`,
      };
    case 2:
      return {
        name: `many keys ${index}`,
        path: `runbooks/huge-${index}.yaml`,
        text: `${header('huge')}x-keys:\n${Array.from({ length: Math.ceil(n / 10) }, (_, i) => `  k${i % (1 + r.int(n))}: ${i}`).join('\n')}\n`,
      };
    case 3:
      return {
        name: `many documents ${index}`,
        path: `runbooks/huge-${index}.yaml`,
        text: `${header('huge')}spec: {}\n---\n`.repeat(Math.ceil(n / 100)),
      };
    case 4:
      return {
        name: `many headings ${index}`,
        path: `runbooks/huge-${index}.md`,
        text: `---\n${header('huge')}---\n# T\n\n${Array.from({ length: Math.ceil(n / 20) }, (_, i) => `${'#'.repeat(1 + r.int(6))} h${i}\n`).join('\n')}`,
      };
    default:
      return {
        name: `many steps ${index}`,
        path: `runbooks/huge-${index}.yaml`,
        text: `${header('huge')}spec:\n  phases:\n    - id: p\n      steps:\n${Array.from({ length: Math.ceil(n / 200) }, (_, i) => `        - { id: s${i}, run: echo, needs: [s${r.int(i + 1)}] }`).join('\n')}\n`,
      };
  }
}

/** A template edge case (or several) in a random parameter position. */
export function templateCase(r: Random, index: number): FuzzInput {
  const expr = Array.from({ length: 1 + r.int(3) }, () => r.pick(templateEdges)).join(r.pick(['', ' ', '\n']));
  const json = JSON.stringify(expr);
  const body = r.pick([
    `          uses: http.check\n          with: { url: ${json} }\n`,
    `          run: ${json}\n`,
    `          uses: postgres.query\n          with: { url: "{{secrets.TOKEN}}", sql: ${json} }\n`,
    `          uses: wait\n          with: { until: ${json}, check: { uses: http.check, with: { url: ${json} } } }\n`,
    `          run: echo\n          env: { V: ${json} }\n          if: ${json}\n`,
    `          run: echo\n          outputs: { o: ${json} }\n          assert: ${json}\n`,
  ]);
  return {
    name: `template ${index}: ${expr.slice(0, 40)}`,
    path: `runbooks/tpl-${index}.yaml`,
    text: `${header('tpl')}${step(body)}`,
  };
}

/** Control characters, lone surrogates and replacement characters in random places. */
export function controlCase(r: Random, seed: FuzzInput, index: number): FuzzInput {
  let text = seed.text;
  for (let i = 0, n = 1 + r.int(10); i < n; i++) {
    const at = r.int(text.length + 1);
    text = text.slice(0, at) + r.pick(controls) + text.slice(at);
  }
  return { name: `controls ${index} in ${seed.path}`, path: seed.path, text };
}

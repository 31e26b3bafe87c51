import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/** One malformed input: a file written to `runbooks/<file>`, alone or beside valid companions. */
export interface MalformedCase {
  readonly name: string;
  /** Path under runbooks/; its extension picks the loader (yaml, Markdown, Handlebars). */
  readonly file: string;
  /** Text is written as UTF-8; bytes are written as they are (binary junk, other encodings). */
  readonly content: string | Uint8Array;
  /** Valid companion files (path under runbooks/ → text), so cross-file rules have work to do. */
  readonly others?: Readonly<Record<string, string>>;
}

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'malformed');

/** A test/fixtures/malformed file, as text. */
export function fixture(name: string): string {
  return readFileSync(join(fixtures, name), 'utf8');
}

/** A valid YAML runbook whose every proper prefix is invalid (its `apiVersion` comes last). */
export const validYaml = fixture('valid-runbook.yaml');
/** A valid Markdown runbook; its prefixes may be valid too (a cut after a complete step). */
export const validMarkdown = fixture('valid-runbook.md');

/**
 * `text` cut at every `stride`-th offset, from empty to one character short. Each cut is a case;
 * the full text is not.
 */
export function truncations(text: string, file: string, stride = 1): MalformedCase[] {
  const out: MalformedCase[] = [];
  for (let at = 0; at < text.length - 1; at += stride)
    out.push({ name: `cut at ${at}`, file, content: text.slice(0, at) });
  return out;
}

type Path = readonly (string | number)[];

/** The valid YAML runbook with the value at `path` replaced, re-serialised with `yaml`. */
function patched(path: Path, value: unknown): string {
  const data = parse(validYaml) as Record<string, unknown>;
  let at: Record<string | number, unknown> = data;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1]] = value;
  return stringify(data);
}

const step0 = ['spec', 'phases', 0, 'steps', 0] as const;
const shellStep = ['spec', 'phases', 1, 'steps', 0] as const;
const verifyStep = ['spec', 'phases', 1, 'steps', 1] as const;

/** A value of the wrong type (or shape) at each place of the runbook model. */
const wrongTypes: [string, Path, unknown][] = [
  ['document is a list', [], null],
  ['apiVersion is a number', ['apiVersion'], 1],
  ['kind is a list', ['kind'], ['Runbook']],
  ['metadata is a list', ['metadata'], ['truncation-base']],
  ['name is not kebab-case', ['metadata', 'name'], 'Not Kebab'],
  ['tags is a string', ['metadata', 'tags'], 'a,b'],
  ['spec is a number', ['spec'], 42],
  ['objectives is a string', ['spec', 'objectives'], '1h'],
  ['inputs is a list', ['spec', 'inputs'], ['dr_region']],
  ['an input is a string', ['spec', 'inputs', 'dr_region'], 'choice'],
  ['options is a string', ['spec', 'inputs', 'dr_region', 'options'], 'us-west-2'],
  ['secrets is a string', ['spec', 'secrets'], 'DR_DATABASE_URL'],
  ['onFailure is a list', ['spec', 'onFailure'], ['rollback']],
  ['phases is a string', ['spec', 'phases'], 'assess, failover'],
  ['phases is empty', ['spec', 'phases'], []],
  ['a phase is null', ['spec', 'phases', 0], null],
  ['a phase is a string', ['spec', 'phases', 0], 'assess'],
  ['budget is a list', ['spec', 'phases', 0, 'budget'], [15, 'm']],
  ['parallel is a string', ['spec', 'phases', 1, 'parallel'], 'yes'],
  ['steps is a map', ['spec', 'phases', 0, 'steps'], { 'replica-lag': { uses: 'postgres.query' } }],
  ['a step is a string', step0, 'echo hi'],
  ['a step is null', step0, null],
  ['step id is a number', [...step0, 'id'], 123],
  ['step id is null', [...step0, 'id'], null],
  ['uses is a number', [...step0, 'uses'], 42],
  ['with is a string', [...step0, 'with'], 'url=x'],
  ['with.sql is a number', [...step0, 'with', 'sql'], 123],
  ['outputs is a list', [...step0, 'outputs'], ['lag']],
  ['an output is a map', [...step0, 'outputs', 'lag'], { from: 'rows' }],
  ['assert is a string', [...step0, 'assert'], '{{lt outputs.lag 300}}'],
  ['estimate is a boolean', [...step0, 'estimate'], true],
  ['run is a list', [...shellStep, 'run'], ['echo', 'hi']],
  ['env is a list', [...shellStep, 'env'], ['REGION=x']],
  ['an env value is a map', [...shellStep, 'env', 'REGION'], { nested: 1 }],
  ['retry is a number', [...shellStep, 'retry'], 3],
  ['retry.attempts is a string', [...shellStep, 'retry', 'attempts'], 'three'],
  ['retry.attempts is infinite', [...shellStep, 'retry', 'attempts'], Infinity],
  ['timeout is a number', [...shellStep, 'timeout'], 300],
  ['rollback is a string', [...shellStep, 'rollback'], 'undo.sh'],
  ['if is a map', [...shellStep, 'if'], { a: 1 }],
  ['needs is a number', [...verifyStep, 'needs'], 3],
  ['needs is a map', [...verifyStep, 'needs'], { promote: true }],
  ['needs holds a list', [...verifyStep, 'needs'], [['promote']]],
  ['needs holds null', [...verifyStep, 'needs'], [null]],
  ['idempotent is a string', [...verifyStep, 'idempotent'], 'true'],
  ['approval is a boolean', [...verifyStep, 'approval'], true],
];

/** Phases as a string, steps as a map, needs as a number… each on its own. */
export function wrongTypeCases(): MalformedCase[] {
  return wrongTypes.map(([name, path, value]) => ({
    name,
    file: 'wrong-type.yaml',
    content: path.length ? patched(path, value) : stringify([parse(validYaml)]),
  }));
}

/** Seeded bytes, so a failure can be replayed. */
function junk(length: number, seed: number, max = 256): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = (x >>> 16) % max;
  }
  return out;
}

const mb = 1024 * 1024;
const listOf = (n: number, item: (i: number) => string) =>
  `[${Array.from({ length: n }, (_, i) => item(i)).join(', ')}]`;
const withLine = (line: string) =>
  validYaml.replace('          estimate: 10s\n', `          estimate: 10s\n          ${line}\n`);

/** Values far larger than any real runbook holds. */
export function hugeCases(): MalformedCase[] {
  return [
    {
      name: '1 MB duration',
      file: 'huge.yaml',
      content: validYaml.replace('timeout: 5m', `timeout: ${'9'.repeat(mb)}m`),
    },
    {
      name: '1 MB name with a space',
      file: 'huge.yaml',
      content: validYaml.replace('name: truncation-base', `name: "${'a'.repeat(mb)} b"`),
    },
    {
      name: '1 MB run script ending in {{',
      file: 'huge.yaml',
      content: validYaml.replace('./promote.sh', `${'x'.repeat(mb)} {{inputs.dr_region}}`),
    },
    { name: '1 MB key', file: 'huge.yaml', content: `${'k'.repeat(mb)}: 1\n${validYaml}` },
    {
      name: '100k-element needs list',
      file: 'huge.yaml',
      content: withLine(`needs: ${listOf(100_000, (i) => `s${i}`)}`),
    },
    {
      name: '30k unknown needs (under the node limit)',
      file: 'huge.yaml',
      content: withLine(`needs: ${listOf(30_000, (i) => `s${i}`)}`),
    },
    {
      name: '100k-element tags list',
      file: 'huge.yaml',
      content: validYaml.replace('tags: [failover, postgres]', `tags: ${listOf(100_000, () => 'x')}`),
    },
    {
      name: '20k steps in one phase',
      file: 'huge.yaml',
      content: validYaml.replace(
        '      steps:\n        - id: promote',
        `      steps:\n${Array.from({ length: 20_000 }, (_, i) => `        - { id: s${i}, run: x }\n`).join('')}        - id: promote`,
      ),
    },
    { name: 'file over the size limit', file: 'huge.yaml', content: `# ${'x'.repeat(5 * mb)}\n${validYaml}` },
  ];
}

/** Bytes that are not a runbook at all, under each extension. */
export function binaryCases(): MalformedCase[] {
  const nul = validYaml.replace('kind: Runbook', 'kind: Run\u0000book');
  return [
    { name: 'random bytes (.yaml)', file: 'junk.yaml', content: junk(64 * 1024, 1) },
    { name: 'random bytes (.md)', file: 'junk.md', content: junk(64 * 1024, 2) },
    { name: 'random bytes (.hbs)', file: 'junk.md.hbs', content: junk(64 * 1024, 3) },
    { name: 'random 7-bit bytes, valid UTF-8 (.yaml)', file: 'junk.yaml', content: junk(64 * 1024, 4, 128) },
    {
      name: 'random 7-bit bytes after front matter (.md)',
      file: 'junk.md',
      content: new Uint8Array([...Buffer.from('---\nkind: Runbook\n---\n'), ...junk(16 * 1024, 5, 128)]),
    },
    { name: 'NUL bytes in a runbook', file: 'nul.yaml', content: nul },
    { name: 'only NUL bytes', file: 'nul.yaml', content: new Uint8Array(1024) },
    { name: 'UTF-16 with BOM', file: 'utf16.yaml', content: Buffer.from(`\uFEFF${validYaml}`, 'utf16le') },
  ];
}

/** The same key twice, at each level. */
export function duplicateKeyCases(): MalformedCase[] {
  return [
    { name: 'kind twice', file: 'dup.yaml', content: `kind: Runbook\n${validYaml}` },
    {
      name: 'step id twice',
      file: 'dup.yaml',
      content: validYaml.replace('        - id: promote\n', '        - id: promote\n          id: promote-2\n'),
    },
    {
      name: 'flow map key twice',
      file: 'dup.yaml',
      content: validYaml.replace('{ rto: 1h, rpo: 15m }', '{ rto: 1h, rto: 2h }'),
    },
    {
      name: 'front matter key twice',
      file: 'dup.md',
      content: validMarkdown.replace('kind: Runbook\n', 'kind: Runbook\nkind: Runbook\n'),
    },
  ];
}

/** Billion laughs and friends: small files that expand enormously if aliases are followed. */
export function aliasBombCases(): MalformedCase[] {
  const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    levels.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]`,
    );
  }
  const laughs = levels.map((l) => `  ${l}`).join('\n');
  return [
    { name: 'billion laughs at the top', file: 'bomb.yaml', content: `${levels.join('\n')}\n` },
    {
      name: 'billion laughs under an x- extension',
      file: 'bomb.yaml',
      content: validYaml.replace('spec:\n', `spec:\n  x-bomb:\n${laughs}\n`),
    },
    {
      name: 'billion laughs in front matter',
      file: 'bomb.md',
      content: validMarkdown.replace('---\n#', `x-bomb:\n${laughs}\n---\n#`),
    },
    {
      name: 'billion laughs through merge keys',
      file: 'bomb.yaml',
      content: `${levels[0]}\n${Array.from(
        { length: 8 },
        (_, i) =>
          `m${i}: &m${i}\n  <<: ${i ? `*m${i - 1}` : '{}'}\n  k${i}: ${
            i
              ? `[${Array(9)
                  .fill(`*m${i - 1}`)
                  .join(', ')}]`
              : '*a'
          }`,
      ).join('\n')}\n`,
    },
    { name: 'alias to its own node', file: 'bomb.yaml', content: 'a: &a [*a]\n' },
    { name: 'undefined alias', file: 'bomb.yaml', content: validYaml.replace('budget: 15m', 'budget: *nope') },
  ];
}

/** 10k levels of nesting, in YAML, Markdown and Handlebars. */
export function deepCases(depth = 10_000): MalformedCase[] {
  const open = (s: string) => s.repeat(depth);
  const hbs = (body: string) =>
    `---\napiVersion: runbook/v1\nkind: Template\nmetadata: { name: deep }\nchannel: slack\nvariables: { phase: { required: true } }\n---\n${body}\n`;
  return [
    { name: `${depth} unclosed [`, file: 'deep.yaml', content: open('[') },
    { name: `${depth} balanced [ ]`, file: 'deep.yaml', content: `${open('[')}1${open(']')}\n` },
    { name: `${depth} nested flow maps`, file: 'deep.yaml', content: `${open('{a: ')}1${open('}')}\n` },
    { name: `${depth} nested block sequences`, file: 'deep.yaml', content: `${open('- ')}x\n` },
    {
      name: '1000 nested block maps',
      file: 'deep.yaml',
      content: Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n',
    },
    {
      name: `${depth} nested flow maps in front matter`,
      file: 'deep.md',
      content: `---\nx: ${open('{a: ')}1${open('}')}\n---\n# T\n`,
    },
    { name: `${depth} nested block quotes`, file: 'deep.md', content: validMarkdown + open('>') + ' deep\n' },
    {
      name: `${depth} nested list items`,
      file: 'deep.md',
      content:
        validMarkdown + Array.from({ length: depth }, (_, i) => `${'  '.repeat(i % 500)}- item`).join('\n') + '\n',
    },
    {
      name: `${depth} nested {{#if}} in a Template`,
      file: 'deep.md.hbs',
      content: hbs(`${open('{{#if phase}}')}{{oops}}${open('{{/if}}')}`),
    },
    {
      name: `${depth} nested sub-expressions in an if:`,
      file: 'deep.yaml',
      content: withLine(`if: "{{${open('not (')}inputs.dr_region${open(')')}}}"`),
    },
  ];
}

/** Nothing, or next to nothing. */
export function emptyCases(): MalformedCase[] {
  return [
    { name: 'empty .yaml', file: 'empty.yaml', content: '' },
    { name: 'only ---', file: 'empty.yaml', content: '---\n' },
    { name: 'only --- twice', file: 'empty.yaml', content: '---\n---\n' },
    { name: 'only whitespace', file: 'empty.yaml', content: '  \n\t\n' },
    { name: 'only a comment', file: 'empty.yaml', content: '# nothing here\n' },
    { name: 'empty .md', file: 'empty.md', content: '' },
    { name: 'empty front matter (.md)', file: 'empty.md', content: '---\n---\n# Title\n' },
    { name: 'empty .hbs', file: 'empty.md.hbs', content: '' },
  ];
}

/** Broken Markdown and Handlebars files, from the fixtures folder and inline. */
export function markupCases(): MalformedCase[] {
  const alert = fixture('unclosed-if.md.hbs');
  return [
    { name: 'broken front matter', file: 'broken-front-matter.md', content: fixture('broken-front-matter.md') },
    { name: 'unclosed front matter', file: 'unclosed-front-matter.md', content: fixture('unclosed-front-matter.md') },
    { name: 'unclosed code fence', file: 'unclosed-fence.md', content: fixture('unclosed-fence.md') },
    { name: 'unclosed {{#if in a Template body', file: 'unclosed-if.md.hbs', content: alert },
    {
      name: 'unclosed {{ in a Template subject',
      file: 'unclosed-if.md.hbs',
      content: alert
        .replace('channel: slack', 'channel: slack\nsubject: "DR {{phase"')
        .replace('{{#if next_update}}', '{{#if next_update}}{{/if}}'),
    },
    {
      name: 'unclosed {{#if in a step field',
      file: 'unclosed-if.yaml',
      content: withLine('if: "{{#if inputs.dr_region}}yes"'),
    },
    {
      name: 'tabs for indentation',
      file: 'tabs.yaml',
      content: validYaml.replace(/^( +)/gm, (s) => '\t'.repeat(s.length / 2)),
    },
    {
      name: 'a tab inside the indentation',
      file: 'tabs.yaml',
      content: validYaml.replace('  name: truncation-base', '\tname: truncation-base'),
    },
    {
      name: '__proto__ keys',
      file: 'proto.yaml',
      content: validYaml.replace(
        'spec:\n',
        'spec:\n  __proto__: { polluted: true }\n  constructor: { prototype: 1 }\n',
      ),
    },
    { name: 'a complex mapping key', file: 'complex-key.yaml', content: `? [a, b]\n: c\n${validYaml}` },
    {
      name: 'unknown and binary tags',
      file: 'tags.yaml',
      content: validYaml
        .replace('budget: 15m', 'budget: !!binary aGVsbG8=')
        .replace('budget: 30m', 'budget: !js/function "x"'),
    },
    {
      name: 'a second broken document',
      file: 'multi.yaml',
      content: `${validYaml}---\n${validYaml.replace('{ rto: 1h, rpo: 15m }', '{ rto: 1h')}`,
    },
  ];
}

const backupPlan = (schedule: string) => `apiVersion: runbook/v1
kind: BackupPlan
metadata: { name: nightly }
spec:
  schedule: "${schedule}"
  targets: [{ id: db, type: rds, region: us-east-1, dbInstanceIdentifier: db }]
  retention: { hot: 30d }
`;

/**
 * Schema-valid text that trips naive code: names that are also Object.prototype members (a
 * lookup in a plain object finds them), a cron that never fires, durations that overflow.
 */
export function trapCases(): MalformedCase[] {
  const step = (line: string) => ({ file: 'trap.yaml', content: withLine(line) });
  return [
    { name: 'reference to a step named constructor', ...step('env: { X: "{{steps.constructor.outputs.x}}" }') },
    { name: 'reference to an input named constructor', ...step('env: { X: "{{inputs.constructor}}" }') },
    { name: 'reference to a secret named constructor', ...step('env: { X: "{{secrets.constructor}}" }') },
    {
      name: 'needs a step named constructor',
      file: 'trap.yaml',
      content: validYaml.replace('needs: [promote]', 'needs: [constructor]'),
    },
    {
      name: 'uses an action named constructor',
      file: 'trap.yaml',
      content: validYaml.replace('uses: http.check', 'uses: constructor'),
    },
    {
      name: 'notify a template named constructor',
      file: 'trap.yaml',
      content: validYaml.replace(
        'uses: http.check\n          with: { url: "https://api.example.com/health", expectStatus: 200 }',
        'uses: notify\n          with: { template: constructor, vars: { __proto__: x } }',
      ),
    },
    {
      name: 'checklist named constructor',
      file: 'trap.yaml',
      content: validYaml.replace(
        'uses: http.check\n          with: { url: "https://api.example.com/health", expectStatus: 200 }',
        'uses: checklist\n          with: { checklist: constructor }',
      ),
    },
    {
      name: 'sub-runbook named constructor',
      file: 'trap.yaml',
      content: validYaml.replace(
        'uses: http.check\n          with: { url: "https://api.example.com/health", expectStatus: 200 }',
        'uses: runbook\n          with: { runbook: constructor }',
      ),
    },
    {
      name: 'an output named __proto__',
      file: 'trap.yaml',
      content: validYaml
        .replace('outputs: { lag: ', 'outputs: { __proto__: "{{result.rows}}", lag: ')
        .replace(
          '{{steps.replica-lag.outputs.lag}}',
          '{{steps.replica-lag.outputs.__proto__}}{{steps.__proto__.outputs.lag}}',
        ),
    },
    {
      name: 'a step id that is a prototype name and a duplicate',
      file: 'trap.yaml',
      content: validYaml
        .replace('id: promote\n', 'id: constructor\n')
        .replace('id: verify\n', 'id: constructor\n')
        .replace('needs: [promote]', 'needs: [constructor]')
        .replace('id: replica-lag', 'id: has-own-property'),
    },
    {
      name: 'undeclared template variable named constructor',
      file: 'trap.md.hbs',
      content: `---\napiVersion: runbook/v1\nkind: Template\nmetadata: { name: trap }\nchannel: slack\n---\n{{constructor}} {{__proto__}} {{toString}}\n`,
    },
    { name: 'a cron that never fires (31 February)', file: 'trap.yaml', content: backupPlan('0 0 31 2 *') },
    { name: 'a cron with absurd ranges', file: 'trap.yaml', content: backupPlan('*/0 99999999999 * * *') },
    {
      name: 'a 400-digit duration',
      file: 'trap.yaml',
      content: validYaml.replace('timeout: 5m', `timeout: ${'9'.repeat(400)}d`),
    },
    {
      name: 'an estimate over the RTO by 10^20',
      file: 'trap.yaml',
      content: validYaml.replace('estimate: 10s', 'estimate: 99999999999999999999d'),
    },
    {
      name: 'an attempts count of 1e308',
      file: 'trap.yaml',
      content: validYaml.replace('attempts: 3', 'attempts: 1e308'),
    },
  ];
}

import Handlebars from 'handlebars';
import { formatDuration, parseDuration } from './duration.js';

/**
 * The Handlebars environment of the format: expressions in steps and Template bodies are rendered
 * with these helpers (RUNBOOK_FORMAT.md, "Expressions"). Lives in `ir/` because the compiler (docs
 * previews) and the executor (plans, notifications) must render identically.
 *
 * Escaping is the caller's choice, made per output: Templates for Markdown, Slack and plain text,
 * and step parameters, are compiled with `{ noEscape: true, strict: false }` (HTML escaping would
 * turn `&` into `&amp;` in a Slack message; a missing optional variable renders as empty). Only
 * HTML e-mail bodies keep Handlebars' default escaping.
 */
export function createHandlebars(): typeof Handlebars {
  const hbs = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) hbs.registerHelper(name, fn);
  return hbs;
}

/** Options Templates are compiled with, except HTML e-mail (see `createHandlebars`). */
export const textCompileOptions = { noEscape: true, strict: false } as const;

/** Handlebars passes an options object as the last argument of every helper call. */
function args(all: unknown[]): unknown[] {
  return all.slice(0, -1);
}

/** Numeric strings compare as numbers, so `{{lt outputs.lag 300}}` works on a string output. */
function num(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

function compare(test: (a: number | string, b: number | string) => boolean) {
  return (...all: unknown[]): boolean => {
    const [a, b] = args(all).map(num);
    if ((typeof a === 'number' || typeof a === 'string') && typeof a === typeof b) return test(a, b as number | string);
    return false;
  };
}

/** Handlebars' own notion of "falsy" for `if`, used by `and`/`or`/`not`. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return !!value;
}

/** A step's `if:` is false when it renders to one of these (RUNBOOK_FORMAT.md, "Expressions"). */
export function isFalseRendering(rendered: string): boolean {
  return ['', 'false', '0', 'null', 'undefined'].includes(rendered.trim());
}

const helpers: Record<string, Handlebars.HelperDelegate> = {
  eq: (...all: unknown[]) => {
    const [a, b] = args(all).map(num);
    return a === b;
  },
  ne: (...all: unknown[]) => {
    const [a, b] = args(all).map(num);
    return a !== b;
  },
  lt: compare((a, b) => a < b),
  le: compare((a, b) => a <= b),
  gt: compare((a, b) => a > b),
  ge: compare((a, b) => a >= b),
  and: (...all: unknown[]) => args(all).every(truthy),
  or: (...all: unknown[]) => args(all).some(truthy),
  not: (...all: unknown[]) => !truthy(args(all)[0]),
  default: (...all: unknown[]) => {
    const values = args(all);
    return values.find((v) => v !== undefined && v !== null && v !== '') ?? values[values.length - 1];
  },
  json: (...all: unknown[]) => JSON.stringify(args(all)[0] ?? null),
  /** Milliseconds → `1h30m`; a duration string → milliseconds. Anything else passes through. */
  duration: (...all: unknown[]) => {
    const value = args(all)[0];
    if (typeof value === 'number') return formatDuration(value);
    if (typeof value === 'string')
      return num(value) !== value ? formatDuration(Number(value)) : (parseDuration(value) ?? value);
    return value;
  },
};

/** Names of the registered helpers, in the order the format lists them. */
export const helperNames = Object.keys(helpers);

/** What `{{run.*}}` holds. */
export interface RunContext {
  readonly id: string;
  readonly initiator: string;
  readonly startedAt: string;
  readonly dryRun: boolean;
  readonly url: string;
}

/** The `run` of previews and docs examples: fixed, so generated docs are byte-identical. */
export const exampleRun: RunContext = {
  id: 'run-example',
  initiator: '@example',
  startedAt: '2026-01-01T00:00:00Z',
  dryRun: false,
  url: '',
};

/** The parts of a Directory spec the render context reads (structural: the executor has no compiler types). */
export interface DirectoryData {
  readonly people?: Readonly<Record<string, object>>;
  readonly teams?: Readonly<Record<string, object>>;
  readonly roles?: Readonly<Record<string, { readonly primary: string; readonly backup?: string }>>;
  readonly tiers?: Readonly<Record<string, object>>;
  readonly audiences?: Readonly<Record<string, object>>;
  readonly severities?: Readonly<Record<string, object>>;
}

/**
 * `{{directory.*}}`: the Directory with each role's `primary`/`backup` person id replaced by the
 * person (with its `id`), so `{{directory.roles.incident-commander.primary.name}}` works.
 */
export function directoryContext(dir: DirectoryData | undefined): Record<string, unknown> {
  if (!dir) return { people: {}, teams: {}, roles: {}, tiers: {}, audiences: {}, severities: {} };
  const person = (id: string | undefined) =>
    id === undefined ? undefined : { id, ...(dir.people?.[id] ?? { name: id }) };
  const roles = Object.fromEntries(
    Object.entries(dir.roles ?? {}).map(([id, role]) => [
      id,
      {
        ...role,
        id,
        primary: person(role.primary),
        ...(role.backup !== undefined ? { backup: person(role.backup) } : {}),
      },
    ]),
  );
  return {
    people: dir.people ?? {},
    teams: dir.teams ?? {},
    roles,
    tiers: dir.tiers ?? {},
    audiences: dir.audiences ?? {},
    severities: dir.severities ?? {},
  };
}

/** A runbook input as far as examples go. */
export interface InputExample {
  readonly default?: unknown;
}

export interface TemplateContextOptions {
  /** The Template's declared variables; their `example` values fill the context. */
  readonly variables?: Readonly<Record<string, { readonly example?: unknown }>>;
  /** Values that override the examples (e.g. a `notify` step's `vars`, already rendered). */
  readonly vars?: Readonly<Record<string, unknown>>;
  readonly runbook?: { readonly name: string; readonly title: string };
  /** The runbook's inputs: defaults become values; inputs without a default show as `<name>`. */
  readonly inputs?: Readonly<Record<string, InputExample>>;
  /** Actual input values (a run); win over the examples. */
  readonly inputValues?: Readonly<Record<string, unknown>>;
  readonly directory?: DirectoryData;
  readonly run?: RunContext;
  readonly drill?: boolean;
  readonly severity?: unknown;
}

/**
 * The context a Template body is rendered with: declared variables, `inputs`, `run`, `runbook`,
 * `directory`, `drill` (docs/format-reference.md, "Template front matter"). With no options it is
 * the docs example: example values, the fixed `exampleRun`, `drill: false`.
 */
export function templateContext(options: TemplateContextOptions = {}): Record<string, unknown> {
  const examples = Object.fromEntries(
    Object.entries(options.variables ?? {})
      .filter(([, v]) => v?.example !== undefined)
      .map(([k, v]) => [k, v.example]),
  );
  const inputs = {
    ...Object.fromEntries(Object.entries(options.inputs ?? {}).map(([k, v]) => [k, v?.default ?? `<${k}>`])),
    ...(options.inputValues ?? {}),
  };
  return {
    ...examples,
    ...(options.vars ?? {}),
    inputs,
    run: options.run ?? exampleRun,
    runbook: options.runbook ?? { name: 'example', title: 'Example runbook' },
    directory: directoryContext(options.directory),
    drill: options.drill ?? false,
    ...(options.severity !== undefined ? { severity: options.severity } : {}),
  };
}

import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { LoadedDoc } from '../load/loaded-doc.js';
import type { Range } from '../source/source-file.js';
import { didYouMean } from './did-you-mean.js';

const friendlyPatterns: Record<string, string> = {
  '^[a-z0-9]+(-[a-z0-9]+)*$': 'must be kebab-case (lowercase letters, digits and single dashes)',
  '^[A-Z][A-Z0-9_]*$': 'must be UPPER_SNAKE_CASE',
  '^[a-z][a-z0-9_]*$': 'must be snake_case starting with a letter',
};

/**
 * Turns ajv errors into diagnostics pointing at the offending node. `base` is the pointer of the
 * validated value inside the document (e.g. a step's `with`), so positions land in the file.
 */
export function schemaDiagnostics(
  errors: readonly ErrorObject[],
  doc: LoadedDoc,
  base = '',
  codeOverride?: DiagnosticCode,
): Diagnostic[] {
  const compound = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    if (err.keyword === 'if') continue;
    // Branch errors of an anyOf/oneOf are noise; the compound error says it once. Branches may be
    // `$ref`s into other files, so match by the value they concern, not by schema path.
    if (
      compound.some(
        (c) => c !== err && (err.instancePath === c.instancePath || err.instancePath.startsWith(c.instancePath + '/')),
      )
    )
      continue;
    const d = toDiagnostic(err, doc, base);
    const key = `${d.range.start}:${d.code}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(codeOverride && d.code !== 'invalid-duration' ? { ...d, code: codeOverride } : d);
  }
  return out;
}

/** What each keyword's message needs: the error, where it points, and how to build the diagnostic. */
interface ErrorSite {
  readonly err: ErrorObject;
  readonly doc: LoadedDoc;
  readonly pointer: string;
  /** The pointer as users read it. */
  readonly where: string;
  at(code: DiagnosticCode, message: string, range: Range, hint?: string): Diagnostic;
}

function toDiagnostic(err: ErrorObject, doc: LoadedDoc, base: string): Diagnostic {
  const pointer = base + err.instancePath;
  const site: ErrorSite = {
    err,
    doc,
    pointer,
    where: describe(pointer),
    at: (code, message, range, hint) => ({
      code,
      severity: 'error',
      message,
      file: doc.file.path,
      range,
      ...(hint ? { hint } : {}),
    }),
  };
  return (Object.hasOwn(byKeyword, err.keyword) ? byKeyword[err.keyword] : otherError)(site);
}

/** One message per ajv keyword; any other keyword gets ajv's own message. */
const byKeyword: Record<string, (s: ErrorSite) => Diagnostic> = {
  required: missingField,
  additionalProperties: unknownField,
  'false schema': forbiddenField,
  type: wrongType,
  format: badFormat,
  enum: notInEnum,
  pattern: patternMismatch,
  anyOf: noBranchMatches,
  oneOf: noBranchMatches,
  maxItems: tooManyItems,
  minLength: (s) =>
    s.at('invalid-value', `${s.where}: must not be empty`, firstLine(s.doc, s.doc.map.range(s.pointer))),
  minItems: tooFewItems,
};

function otherError({ err, doc, pointer, where, at }: ErrorSite): Diagnostic {
  return at('invalid-value', `${where}: ${err.message ?? 'invalid'}`, firstLine(doc, doc.map.range(pointer)));
}

function missingField({ err, doc, pointer, where, at }: ErrorSite): Diagnostic {
  const field = String((err.params as { missingProperty: string }).missingProperty);
  return at('missing-field', `${where}: missing required field "${field}"`, firstLine(doc, doc.map.keyRange(pointer)));
}

function unknownField({ err, doc, pointer, where, at }: ErrorSite): Diagnostic {
  const field = String((err.params as { additionalProperty: string }).additionalProperty);
  const allowed = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
  const guess = didYouMean(field, allowed);
  return at(
    'unknown-field',
    `${where}: unknown field "${field}"`,
    doc.map.keyRange(`${pointer}/${escape(field)}`),
    guess ? `did you mean "${guess}"?` : allowed.length ? `allowed: ${allowed.join(', ')}` : undefined,
  );
}

/** A field a schema forbids in one place (a finally step's `rollback` or `onFailure`). */
function forbiddenField({ doc, pointer, at }: ErrorSite): Diagnostic {
  const field = pointer.slice(pointer.lastIndexOf('/') + 1);
  const parent = describe(pointer.slice(0, pointer.lastIndexOf('/')));
  const finallyStep = /^\/spec\/finally\/\d+\/[^/]+$/.test(pointer);
  return at(
    'unknown-field',
    `${parent}: field "${field}" is not allowed here`,
    doc.map.keyRange(pointer),
    finallyStep
      ? 'finally steps are never rolled back, and a failing one never stops the others: remove it'
      : undefined,
  );
}

function wrongType({ err, doc, pointer, where, at }: ErrorSite): Diagnostic {
  return at(
    'wrong-type',
    `${where}: expected ${String((err.params as { type: string }).type).replace(',', ' or ')}, got ${typeName(err.data)}`,
    firstLine(doc, doc.map.range(pointer)),
  );
}

function badFormat({ err, doc, pointer, where, at }: ErrorSite): Diagnostic {
  const format = (err.params as { format: string }).format;
  if (format === 'duration') {
    return at(
      'invalid-duration',
      `${where}: ${JSON.stringify(err.data)} is not a duration`,
      doc.map.range(pointer),
      'write durations like 500ms, 30s, 15m, 1h30m, 2d',
    );
  }
  return at('invalid-value', `${where}: ${JSON.stringify(err.data)} is not a valid ${format}`, doc.map.range(pointer));
}

function notInEnum({ err, doc, pointer, where, at }: ErrorSite): Diagnostic {
  const allowed = ((err.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
  const guess = typeof err.data === 'string' ? didYouMean(err.data, allowed) : undefined;
  return at(
    'invalid-value',
    `${where}: ${JSON.stringify(err.data)} is not one of ${allowed.join(', ')}`,
    doc.map.range(pointer),
    guess ? `did you mean "${guess}"?` : undefined,
  );
}

function patternMismatch({ err, doc, pointer, where, at }: ErrorSite): Diagnostic {
  const pattern = (err.params as { pattern: string }).pattern;
  return at(
    'invalid-value',
    `${where}: ${JSON.stringify(err.data)} ${friendlyPatterns[pattern] ?? `does not match ${pattern}`}`,
    doc.map.range(pointer),
  );
}

function noBranchMatches({ err, doc, pointer, where, at }: ErrorSite): Diagnostic {
  return at(
    'wrong-type',
    `${where}: ${JSON.stringify(truncate(err.data))} is not ${describeBranches(err.schema)}`,
    firstLine(doc, doc.map.range(pointer)),
  );
}

function tooManyItems({ err, doc, pointer, where, at }: ErrorSite): Diagnostic {
  return at(
    'invalid-value',
    `${where}: more than ${(err.params as { limit: number }).limit} entries (a runbook this large cannot be reviewed; split it into runbooks run by \`runbook\` steps)`,
    firstLine(doc, doc.map.keyRange(pointer)),
  );
}

/** An empty phase is its own diagnostic; any other short list gets ajv's message. */
function tooFewItems(s: ErrorSite): Diagnostic {
  if (!/^\/spec\/phases\/\d+\/steps$/.test(s.pointer)) return otherError(s);
  const phase = s.pointer.replace(/\/steps$/, '');
  return s.at('empty-phase', `${describe(phase)} has no steps`, firstLine(s.doc, s.doc.map.keyRange(phase)));
}

function escape(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `/spec/phases/0/steps/2/timeout` → `spec.phases[0].steps[2].timeout`, as users read it. */
export function describe(pointer: string): string {
  if (pointer === '') return 'document';
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, t) => (/^\d+$/.test(t) ? `${acc}[${t}]` : acc ? `${acc}.${t}` : t), '');
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(truncate(v))}`;
}

function truncate(v: unknown): unknown {
  if (typeof v === 'string' && v.length > 60) return v.slice(0, 57) + '...';
  if (v && typeof v === 'object') return Array.isArray(v) ? '[…]' : '{…}';
  return v;
}

function describeBranches(branches: unknown): string {
  if (!Array.isArray(branches)) return 'an allowed value';
  const names = branches.map((b: Record<string, unknown>) => {
    if (typeof b.$ref === 'string' && b.$ref.endsWith('/template')) return 'a {{ template }}';
    if (typeof b.$ref === 'string') return b.$ref.split('/').pop() ?? 'a value';
    if (b.type) return `a ${[b.type].flat().join(' or ')}`;
    if (b.const !== undefined) return JSON.stringify(b.const);
    return 'an allowed form';
  });
  return [...new Set(names)].join(' or ');
}

/** Container values span many lines; their first line is what a reader needs to see. */
function firstLine(doc: LoadedDoc, range: Range): Range {
  const nl = doc.file.text.indexOf('\n', range.start);
  return nl >= 0 && nl < range.end ? { start: range.start, end: nl } : range;
}

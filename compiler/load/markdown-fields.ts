import type { Range } from '../source/source-file.js';
import { parseAttributes, type Attribute } from './markdown-attributes.js';
import { put, structureError, type Draft, type LoadContext } from './markdown-draft.js';
import { slice } from './markdown-tree.js';

type FieldKind = 'string' | 'boolean' | 'retry' | 'list';

/** Attributes a `##` phase heading may carry. */
export const phaseAttributes: Readonly<Record<string, FieldKind>> = {
  id: 'string',
  title: 'string',
  budget: 'string',
  parallel: 'boolean',
};

/**
 * Attributes a step may carry — on its `###` heading, a command block's info string or an
 * `[!APPROVAL]` line. Only scalar step fields: anything structured belongs in a ```` ```yaml step ```` block.
 */
export const stepAttributes: Readonly<Record<string, FieldKind>> = {
  id: 'string',
  title: 'string',
  timeout: 'string',
  estimate: 'string',
  retry: 'retry',
  onFailure: 'string',
  needs: 'list',
  if: 'string',
  idempotent: 'boolean',
  irreversible: 'boolean',
  recovery: 'boolean',
};

/**
 * Parses the attribute block at `block` (file offsets, braces included) and puts each attribute
 * into `draft` as a field, with the value's range. Bad syntax and unknown keys are reported.
 * Values are passed as written (durations stay strings): the schema validates them with positions.
 */
export function applyAttributes(
  ctx: LoadContext,
  draft: Draft,
  block: Range,
  allowed: Readonly<Record<string, FieldKind>>,
): void {
  const { attributes, errors } = parseAttributes(slice(ctx.file, block));
  const at = (r: Range): Range => ({ start: block.start + r.start, end: block.start + r.end });
  for (const e of errors) structureError(ctx, at(e.range), `bad attribute block: ${e.message}`);
  for (const a of attributes) {
    const kind = allowed[a.key] ?? (a.key.startsWith('x-') ? 'string' : undefined);
    if (!kind) {
      structureError(
        ctx,
        at(a.keyRange),
        `unknown attribute "${a.key}"`,
        `allowed here: ${Object.keys(allowed).join(', ')}, x-*`,
      );
      continue;
    }
    const value = convert(ctx, a, kind, at);
    if (value === undefined) continue;
    put(draft, a.key, value, at(a.valueRange), at(a.keyRange));
    if (kind === 'retry') draft.map.set(`/${a.key}/attempts`, at(a.valueRange));
    if (kind === 'list') listRanges(a, at).forEach((r, i) => draft.map.set(`/${a.key}/${i}`, r));
  }
}

function convert(ctx: LoadContext, a: Attribute, kind: FieldKind, at: (r: Range) => Range): unknown {
  const fail = (message: string): undefined => {
    structureError(ctx, at(a.range), message);
    return undefined;
  };
  if (kind === 'boolean') {
    if (a.value === true || a.value === 'true') return true;
    return a.value === 'false'
      ? false
      : fail(`attribute "${a.key}" is a flag: write ${a.key}, ${a.key}=true or ${a.key}=false`);
  }
  if (a.value === true) {
    // A bare x-foo is a flag; a bare known key is a missing value.
    return a.key.startsWith('x-') ? true : fail(`attribute "${a.key}" needs a value: ${a.key}=…`);
  }
  if (kind === 'retry') {
    return /^[0-9]+$/.test(a.value)
      ? { attempts: Number(a.value) }
      : fail('retry=N takes a number of attempts; write delay and backoff in a ```yaml step block');
  }
  if (kind === 'list')
    return a.value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  return a.value;
}

/** Ranges of each comma-separated element of a list value, for `needs=a,b` diagnostics. */
function listRanges(a: Attribute, at: (r: Range) => Range): Range[] {
  const out: Range[] = [];
  const text = String(a.value);
  const re = /[^,\s][^,]*/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = a.valueRange.start + m.index;
    out.push(at({ start, end: start + m[0].trimEnd().length }));
  }
  return out;
}

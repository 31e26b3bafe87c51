import { createHandlebars, isFalseRendering, textCompileOptions } from '../../ir/handlebars.js';

/** The read-only context expressions see (RUNBOOK_FORMAT.md, "Expressions"). */
export interface ExpressionContext {
  readonly inputs: Record<string, unknown>;
  readonly secrets: Record<string, string>;
  readonly steps: Record<string, { outputs: Record<string, unknown>; status: string; error?: string }>;
  readonly run: Record<string, unknown>;
  readonly [extra: string]: unknown;
}

const hbs = createHandlebars();
const cache = new Map<string, HandlebarsTemplateDelegate>();
const single = /^\{\{\s*([A-Za-z_@][\w@-]*(?:\.[\w@-]+)*)\s*\}\}$/;

/** Renders one template string; compiled templates are cached (the same text recurs a lot). */
export function renderText(text: string, context: object): string {
  if (!text.includes('{{')) return text;
  let compiled = cache.get(text);
  if (!compiled) {
    compiled = hbs.compile(text, textCompileOptions);
    if (cache.size > 5000) cache.clear();
    cache.set(text, compiled);
  }
  return compiled(context, { allowProtoPropertiesByDefault: false });
}

/**
 * Renders every string inside a parameter value. A string that is exactly one path (`"{{inputs.ttl}}"`)
 * keeps the type of what it points at, so a number input stays a number for the action.
 */
export function renderValue(value: unknown, context: object): unknown {
  if (typeof value === 'string') {
    const m = single.exec(value);
    if (m) {
      const found = lookup(context, m[1].split('.'));
      if (found !== undefined && typeof found !== 'string') return found;
    }
    return renderText(value, context);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, context));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, context);
    return out;
  }
  return value;
}

/** `if:` and `assert` semantics: true unless it renders to "", false, 0, null or undefined. */
export function isTruthy(text: string, context: object): boolean {
  return !isFalseRendering(renderText(text, context));
}

function lookup(root: object, parts: string[]): unknown {
  let at: unknown = root;
  for (const p of parts) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, p)) return undefined;
    at = (at as Record<string, unknown>)[p];
  }
  return at;
}

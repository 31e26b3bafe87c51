import type { ActionDefinition } from '../actions/action.js';
import { renderValue } from './expressions.js';

/** What renderParams needs to know of an action: which parameters it renders itself, or not at all. */
export type RenderRules = Pick<ActionDefinition, 'rawParams' | 'actionParams' | 'formatParams'>;

/** Where renderParams finds an action's rules (a Map, or the action registry once the action is resolved). */
export interface RenderRulesSource {
  get(uses: string): RenderRules | undefined;
}

/**
 * Renders an action's `with` exactly once. Parameters the action keeps raw (`rawParams`: a
 * script, a per-poll condition) are passed as written, and a nested action call (`actionParams`:
 * wait's `check`) is rendered by the nested action's own rules, at any depth. The result is
 * final: nothing downstream renders it again, so a value that holds `{{secrets.X}}` stays text.
 */
export function renderParams(
  actions: RenderRulesSource,
  uses: string,
  params: Readonly<Record<string, unknown>>,
  context: object,
): Record<string, unknown> {
  const rules = actions.get(uses);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    // Format parameters are rendered by the action itself, once per output format (still once each).
    if (rules?.rawParams?.includes(key) || rules?.formatParams?.includes(key)) out[key] = value;
    else if (rules?.actionParams?.includes(key) && isCall(value)) out[key] = renderCall(actions, value, context);
    else out[key] = renderValue(value, context);
  }
  return out;
}

/** A nested call `{ uses, with }`: `uses` names an action and is never a template. */
export function isCall(value: unknown): value is { uses: string; with?: Record<string, unknown> } {
  return (
    !!value &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof (value as { uses?: unknown }).uses === 'string'
  );
}

function renderCall(
  actions: RenderRulesSource,
  call: { uses: string; with?: Record<string, unknown> },
  context: object,
) {
  const { uses, with: params, ...rest } = call;
  return {
    ...(renderValue(rest, context) as Record<string, unknown>),
    uses,
    ...(params && typeof params === 'object' ? { with: renderParams(actions, uses, params, context) } : {}),
  };
}

import { actionCatalog, type ActionFlags } from './catalog.js';
import type { ReferenceKind } from './keywords.js';

/**
 * Whether the action `uses` has a behaviour flag (`x-gate`, `x-wait`, `x-shell`, …): the one way
 * compiler and executor ask "is this an approval / a wait / a shell step", instead of comparing
 * ids. An unknown or absent `uses` has no flag (the unknown-action rule reports it).
 */
export function hasFlag(uses: unknown, flag: 'gate' | 'wait' | 'shell' | 'confirm'): boolean {
  return typeof uses === 'string' && actionCatalog().get(uses)?.[flag satisfies keyof ActionFlags] === true;
}

/** Whether `uses` is an approval gate (`x-gate`). */
export const isGate = (uses: unknown): boolean => hasFlag(uses, 'gate');
/** Whether `uses` is a wait (`x-wait`): a nested `check` call and an `until` condition. */
export const isWait = (uses: unknown): boolean => hasFlag(uses, 'wait');
/** Whether `uses` is a shell command (`x-shell`): `with.script` and free-form outputs. */
export const isShell = (uses: unknown): boolean => hasFlag(uses, 'shell');

/** Whether `uses` asks a person to confirm (`x-confirm`): manual steps, checklists. */
export const asksConfirmation = (uses: unknown): boolean => hasFlag(uses, 'confirm');

/** The param of `uses` that names a `kind` (`x-references`), e.g. notify's `template`. */
export function referenceParam(uses: unknown, kind: ReferenceKind): string | undefined {
  const refs = typeof uses === 'string' ? actionCatalog().get(uses)?.references : undefined;
  return refs ? Object.keys(refs).find((param) => refs[param] === kind) : undefined;
}

/** What a step (`{ uses, with }`) names as a `kind`: the value of its referencing param, if any. */
export function referencedValue(
  step: { readonly uses?: unknown; readonly with?: unknown },
  kind: ReferenceKind,
): unknown {
  const param = referenceParam(step.uses, kind);
  const w = step.with;
  return param !== undefined && typeof w === 'object' && w !== null ? (w as Record<string, unknown>)[param] : undefined;
}

/** The params of `uses` holding SQL (`x-sql-params`). */
export function sqlParams(uses: unknown): readonly string[] {
  return (typeof uses === 'string' ? actionCatalog().get(uses)?.sqlParams : undefined) ?? [];
}

import type { CompileResult } from '../../compile.js';
import type { IrGraph } from '../../../ir/types.js';
import type { DirectorySpec } from '../../model/specs.js';
import type { Linker } from './links.js';

/** What every page builder reads: the compile result, the linker of the chosen style, the Directory. */
export interface DocsContext {
  readonly result: CompileResult;
  readonly links: Linker;
  /** The Directory's spec, when the tree has a valid one. */
  readonly directory?: DirectorySpec;
}

/** Graphs with a step using `action` whose `with[key]` is `name` (who uses a Checklist or Template). */
export function usersOf(ctx: DocsContext, action: 'checklist' | 'notify', key: 'checklist' | 'template', name: string): IrGraph[] {
  return ctx.result.graphs.filter((g) => g.nodes.some((n) => n.uses === action && n.with[key] === name));
}

import type { Heading, RootContent } from 'mdast';
import type { Range } from '../source/source-file.js';
import { structureError, type LoadContext } from './markdown-draft.js';
import { nodeRange } from './markdown-tree.js';

/** A `###` heading and the blocks up to the next heading of depth ≤ 3. */
export interface StepSection {
  readonly heading: Heading;
  readonly nodes: RootContent[];
  range: Range;
}

/** A `##` heading, the blocks before its first `###`, and its steps. */
export interface PhaseSection {
  readonly heading: Heading;
  readonly nodes: RootContent[];
  readonly steps: StepSection[];
  range: Range;
}

/** A Markdown body cut at its `#`, `##` and `###` headings. */
export interface Outline {
  /** The first `#` heading before any phase. */
  title?: Heading;
  /** Blocks before the first `##` (other than the title). */
  readonly intro: RootContent[];
  readonly phases: PhaseSection[];
}

/**
 * Cuts the top-level blocks at headings. `####` and deeper stay inside the current section (they
 * are part of a description). Misplaced headings are reported once, and the blocks under a
 * misplaced `###` are dropped so one mistake does not cascade into many diagnostics.
 */
export function outline(ctx: LoadContext, nodes: readonly RootContent[]): Outline {
  const out: Outline = { intro: [], phases: [] };
  let phase: PhaseSection | undefined;
  let step: StepSection | undefined;
  let skipping = false;
  for (const node of nodes) {
    const depth = node.type === 'heading' ? node.depth : 0;
    if (depth === 1) {
      if (!out.title && !phase) out.title = node as Heading;
      else
        structureError(
          ctx,
          nodeRange(node),
          'only one # title is allowed, before the first ## phase',
          'use ## for a phase and ### for a step',
        );
      skipping = false;
      continue;
    }
    if (depth === 2) {
      phase = { heading: node as Heading, nodes: [], steps: [], range: nodeRange(node) };
      out.phases.push(phase);
      step = undefined;
      skipping = false;
      continue;
    }
    if (depth === 3) {
      skipping = !phase;
      if (!phase) {
        structureError(ctx, nodeRange(node), 'a ### step must be inside a ## phase', 'add a ## phase heading above it');
        continue;
      }
      step = { heading: node as Heading, nodes: [], range: nodeRange(node) };
      phase.steps.push(step);
      extend(phase, step.range);
      continue;
    }
    if (skipping) continue;
    if (step) step.nodes.push(node);
    else if (phase) phase.nodes.push(node);
    else out.intro.push(node);
    if (step) extend(step, nodeRange(node));
    if (phase) extend(phase, nodeRange(node));
  }
  return out;
}

function extend(section: { range: Range }, range: Range): void {
  section.range = { start: section.range.start, end: Math.max(section.range.end, range.end) };
}

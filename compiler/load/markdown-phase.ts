import type { RootContent } from 'mdast';
import { applyHeading, blockHead, classify, describeBlock } from './markdown-blocks.js';
import { MapDraft, ordered, put, structureError, uniqueId, type Draft, type LoadContext } from './markdown-draft.js';
import { phaseAttributes } from './markdown-fields.js';
import type { PhaseSection } from './markdown-outline.js';
import { approvalStep, buildSteps } from './markdown-step.js';
import { nodeRange, proseText, slugify, spanRange } from './markdown-tree.js';

/**
 * Builds one phase from a `##` section: prose before the first `###` is the phase's description; an
 * `[!APPROVAL]` block there is a step of its own (`approve`, `approve-2`…); a command block, yaml
 * step block or task list there has no step to belong to and is reported.
 */
export function buildPhase(ctx: LoadContext, section: PhaseSection): Draft {
  const draft: Draft = { data: {}, map: new MapDraft(), range: section.range };
  const heading = applyHeading(ctx, draft, section.heading, phaseAttributes);
  const steps: Draft[] = [];
  const prose: RootContent[] = [];
  for (const block of section.nodes.map((node) => classify(ctx.file, node))) {
    if (block.kind === 'prose') prose.push(block.node);
    else if (block.kind === 'approval') steps.push(approvalStep(ctx, block, 'approve'));
    else
      structureError(
        ctx,
        blockHead(ctx.file, block),
        `${describeBlock(block)} outside a step`,
        'put it under a ### step heading',
      );
  }
  if (prose.length > 0) put(draft, 'description', proseText(ctx.file, prose), spanRange(prose));
  for (const step of section.steps) steps.push(...buildSteps(ctx, step));
  put(
    draft,
    'steps',
    steps.map((s) => s.data),
    steps.length > 0 ? { start: steps[0].range.start, end: section.range.end } : nodeRange(section.heading),
  );
  steps.forEach((s, i) => draft.map.include(`/steps/${i}`, s.map));
  const id = draft.data.id;
  if (typeof id === 'string') ctx.phaseIds.add(id);
  else if (id === undefined) {
    const slug = slugify(heading.title);
    if (slug === '')
      structureError(
        ctx,
        heading.title ? heading.content : heading.range,
        'cannot derive a phase id from this heading',
        'add an id: ## Title {#phase-id}',
      );
    put(draft, 'id', uniqueId(ctx.phaseIds, slug || `phase-${ctx.phaseIds.size + 1}`), heading.content);
  }
  draft.map.set('', draft.range);
  return { data: ordered(draft.data), map: draft.map, range: draft.range };
}

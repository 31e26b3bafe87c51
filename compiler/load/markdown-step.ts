import type { Code, List } from 'mdast';
import type { Range } from '../source/source-file.js';
import { readApproval } from './markdown-approval.js';
import {
  applyHeading,
  blockHead,
  classify,
  describeBlock,
  infoAttributes,
  type Block,
  type HeadingInfo,
} from './markdown-blocks.js';
import {
  define,
  MapDraft,
  ordered,
  put,
  structureError,
  uniqueId,
  type Draft,
  type LoadContext,
} from './markdown-draft.js';
import { applyAttributes, stepAttributes } from './markdown-fields.js';
import type { StepSection } from './markdown-outline.js';
import { readTaskItems } from './markdown-tasks.js';
import { nodeRange, proseText, slice, slugify, spanRange, type Fence } from './markdown-tree.js';
import { loadYaml } from './load-yaml.js';
import type { SourceMap } from './source-map.js';

interface YamlStep {
  readonly block: Block;
  readonly data: Record<string, unknown>;
  readonly map: SourceMap;
}

/**
 * Builds the step(s) of one `###` section. Usually one; an `[!APPROVAL]` block next to the section's
 * command, yaml action or task list becomes its own approval step `<id>-approval`, placed before or
 * after the step as written — the contract's example writes the gate right under the step it follows.
 */
export function buildSteps(ctx: LoadContext, section: StepSection): Draft[] {
  const draft: Draft = { data: {}, map: new MapDraft(), range: section.range };
  const heading = applyHeading(ctx, draft, section.heading, stepAttributes);
  const blocks = section.nodes.map((node) => classify(ctx.file, node));
  const prose = blocks.filter((b) => b.kind === 'prose').map((b) => b.node);
  const description = prose.length > 0 ? { text: proseText(ctx.file, prose), range: spanRange(prose) } : undefined;
  const yaml = readYamlStep(ctx, blocks);
  const main = mainAction(ctx, blocks, yaml);
  let approvals = blocks.filter((b) => b.kind === 'approval');
  if (main?.kind === 'run') applyRun(ctx, draft, main.node, main.fence);
  else if (main?.kind === 'tasks') applyTasks(ctx, draft, main.node);
  else if (!main && approvals.length > 0) {
    applyApproval(ctx, draft, approvals[0]);
    for (const extra of approvals.slice(1))
      structureError(
        ctx,
        blockHead(ctx.file, extra),
        'one approval per step',
        'give the second gate its own ### heading',
      );
    approvals = [];
  }
  if (!main && !draft.data.uses) applyManual(draft, heading, description);
  else if (description) put(draft, 'description', description.text, description.range);
  if (yaml) mergeYaml(draft, yaml);
  const step = seal(ctx, draft, heading);
  if (!main) return [step];
  const at = nodeRange(main.node).start;
  const gate = (b: Block): Draft => approvalStep(ctx, b, `${String(step.data.id)}-approval`);
  return [
    ...approvals.filter((b) => nodeRange(b.node).start < at).map(gate),
    step,
    ...approvals.filter((b) => nodeRange(b.node).start > at).map(gate),
  ];
}

/** An `[!APPROVAL]` block that is a step of its own (under a `##`, or next to another action). */
export function approvalStep(ctx: LoadContext, block: Block, defaultId: string): Draft {
  const draft: Draft = { data: {}, map: new MapDraft(), range: nodeRange(block.node) };
  applyApproval(ctx, draft, block);
  return seal(ctx, draft, undefined, defaultId);
}

/** The first ```` ```yaml step ```` block as a mapping; later ones are reported. */
function readYamlStep(ctx: LoadContext, blocks: Block[]): YamlStep | undefined {
  const found = blocks.filter((b) => b.kind === 'yaml');
  for (const extra of found.slice(1))
    structureError(ctx, blockHead(ctx.file, extra), 'one ```yaml step block per step');
  const block = found[0];
  if (block?.kind !== 'yaml') return undefined;
  if (slice(ctx.file, block.fence.info) !== 'step')
    structureError(ctx, block.fence.info, '```yaml step takes no attributes', 'write the fields in the YAML');
  const { documents, diagnostics } = loadYaml(ctx.file, block.fence.content.start, block.fence.content.end);
  ctx.diagnostics.push(...diagnostics);
  if (documents.length > 1) structureError(ctx, documents[1].range, 'a ```yaml step block holds one YAML document');
  const doc = documents[0];
  if (!doc) return undefined;
  if (!isRecord(doc.data)) {
    structureError(ctx, doc.range, 'a ```yaml step block must be a mapping of step fields (id, uses, with, …)');
    return undefined;
  }
  return { block, data: doc.data, map: doc.map };
}

/**
 * One action per step: a command block, a task list, or a yaml block with `uses`/`run`. The first
 * one wins; any other is reported where it is written. Approvals are handled by the caller.
 */
function mainAction(ctx: LoadContext, blocks: Block[], yaml: YamlStep | undefined): Block | undefined {
  const yamlAction =
    yaml && (Object.hasOwn(yaml.data, 'uses') || Object.hasOwn(yaml.data, 'run')) ? yaml.block : undefined;
  const actions = blocks.filter((b) => b.kind === 'run' || b.kind === 'tasks');
  const main = yamlAction ?? actions[0];
  for (const extra of actions) {
    if (extra === main) continue;
    structureError(
      ctx,
      blockHead(ctx.file, extra),
      `one action per step: ${describeBlock(extra)} next to ${describeBlock(main!)}`,
      'split it into its own ### step',
    );
  }
  return main;
}

function applyRun(ctx: LoadContext, draft: Draft, code: Code, fence: Fence): void {
  const attrs = infoAttributes(ctx, fence);
  if (attrs) applyAttributes(ctx, draft, attrs, stepAttributes);
  // CRLF files must not hand `\r` to bash; the range still covers the exact source.
  put(draft, 'run', code.value.replace(/\r\n?/g, '\n'), fence.content);
}

function applyTasks(ctx: LoadContext, draft: Draft, list: List): void {
  const range = nodeRange(list);
  const items = readTaskItems(ctx.file, list, ctx.diagnostics);
  put(draft, 'uses', 'checklist', range);
  put(
    draft,
    'with',
    { items: items.map((i) => (i.check ? { text: i.text, check: i.check } : { text: i.text })) },
    range,
  );
  draft.map.set('/with/items', range);
  items.forEach((item, k) => {
    draft.map.set(`/with/items/${k}`, item.range);
    draft.map.set(`/with/items/${k}/text`, item.textRange);
    if (item.checkRange) draft.map.set(`/with/items/${k}/check`, item.checkRange);
  });
}

function applyApproval(ctx: LoadContext, draft: Draft, block: Block): void {
  if (block.kind !== 'approval') return;
  const approval = readApproval(ctx.file, block.node);
  if (approval.attributes) applyAttributes(ctx, draft, approval.attributes, stepAttributes);
  put(draft, 'uses', 'approval', approval.marker);
  put(draft, 'with', approval.message ? { message: approval.message } : {}, nodeRange(block.node));
  if (approval.message) draft.map.set('/with/message', approval.messageRange);
}

/** No action: a person does what the prose says. The prose moves to the instruction, not copied. */
function applyManual(draft: Draft, heading: HeadingInfo, prose: { text: string; range: Range } | undefined): void {
  const instruction = prose?.text ?? heading.title;
  const range = prose?.range ?? heading.titleRange;
  put(draft, 'uses', 'manual', heading.content);
  put(draft, 'with', { instruction }, range);
  draft.map.set('/with/instruction', range);
}

/** Fields of the yaml block win over the heading's; `with` is merged key by key. */
function mergeYaml(draft: Draft, yaml: YamlStep): void {
  for (const [key, value] of Object.entries(yaml.data)) {
    const current = draft.data[key];
    define(draft.data, key, key === 'with' && isRecord(current) && isRecord(value) ? { ...current, ...value } : value);
  }
  draft.map.mount('', yaml.map);
}

/** Gives the step an id if none was written, and records the section's range last so it wins. */
function seal(ctx: LoadContext, draft: Draft, heading: HeadingInfo | undefined, fallback?: string): Draft {
  const id = draft.data.id;
  if (typeof id === 'string') ctx.stepIds.add(id);
  else if (id === undefined) {
    const slug = heading ? slugify(heading.title) : fallback!;
    if (heading && slug === '')
      structureError(
        ctx,
        heading.title ? heading.content : heading.range,
        'cannot derive a step id from this heading',
        'add an id: ### Title {#step-id}',
      );
    put(draft, 'id', uniqueId(ctx.stepIds, slug || `step-${ctx.stepIds.size + 1}`), heading?.content ?? draft.range);
  }
  draft.map.set('', draft.range);
  return { data: ordered(draft.data), map: draft.map, range: draft.range };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

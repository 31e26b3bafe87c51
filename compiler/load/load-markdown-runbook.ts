import type { RootContent } from 'mdast';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Range, SourceFile } from '../source/source-file.js';
import type { LoadedDoc } from './loaded-doc.js';
import { blockHead, classify, describeBlock } from './markdown-blocks.js';
import { define, structureError, type Draft, type LoadContext } from './markdown-draft.js';
import { outline, type Outline } from './markdown-outline.js';
import { buildPhase } from './markdown-phase.js';
import {
  headingContent,
  nodeRange,
  normaliseNewlines,
  parseBody,
  proseText,
  slice,
  spanRange,
  trimRange,
} from './markdown-tree.js';
import type { YamlValue } from './load-yaml.js';
import { SourceMap } from './source-map.js';

/**
 * Builds a Runbook from a Markdown file: the front matter's data with `spec.phases` read from the
 * body (`##` phases, `###` steps) and `metadata.title` / `metadata.description` from the `#` title
 * and the prose under it when the front matter has none. Every created value gets a source range,
 * so schema errors and rules point into the Markdown — inside code blocks too.
 */
export function loadMarkdownRunbook(
  file: SourceFile,
  frontMatter: YamlValue,
  body: Range,
): { doc?: LoadedDoc; diagnostics: Diagnostic[] } {
  const ctx: LoadContext = { file, diagnostics: [], stepIds: new Set(), phaseIds: new Set() };
  const tree = outline(ctx, parseBody(file, body));
  const phases = tree.phases.map((section) => buildPhase(ctx, section));
  const map = new SourceMap(file);
  map.mount('', frontMatter.map);
  const data: Record<string, unknown> = isRecord(frontMatter.data) ? { ...frontMatter.data } : {};
  applyMetadata(ctx, data, map, tree, frontMatter);
  if (phases.length > 0) applyPhases(ctx, data, map, phases, frontMatter, body);
  return { doc: { file, format: 'markdown', kind: 'Runbook', data, map }, diagnostics: ctx.diagnostics };
}

/** `#` heading → metadata.title; prose before the first `##` → metadata.description. */
function applyMetadata(
  ctx: LoadContext,
  data: Record<string, unknown>,
  map: SourceMap,
  tree: Outline,
  fm: YamlValue,
): void {
  if (data.metadata !== undefined && !isRecord(data.metadata)) return; // the schema reports the wrong type
  const metadata: Record<string, unknown> = { ...(data.metadata as Record<string, unknown> | undefined) };
  const intro = introProse(ctx, tree.intro);
  if (tree.title && metadata.title === undefined) {
    const range = trimRange(ctx.file, headingContent(tree.title));
    define(metadata, 'title', normaliseNewlines(slice(ctx.file, range)).replace(/\s*\n\s*/g, ' '));
    map.set('/metadata/title', range);
  }
  if (intro.length > 0) {
    if (metadata.description === undefined) {
      define(metadata, 'description', proseText(ctx.file, intro));
      map.set('/metadata/description', spanRange(intro));
    } else {
      // Keeping one and dropping the other silently would lose text from the generated docs.
      structureError(
        ctx,
        spanRange(intro),
        'introduction text under the title, but metadata.description is set in the front matter',
        'keep one: remove metadata.description or move the text into it',
      );
    }
  }
  if (data.metadata === undefined && Object.keys(metadata).length === 0) return; // let the schema say it is missing
  if (!map.has('/metadata')) map.set('/metadata', tree.title ? nodeRange(tree.title) : fm.range);
  define(data, 'metadata', metadata);
}

/** Only prose may come before the first phase: anything a step does needs a `##` and `###`. */
function introProse(ctx: LoadContext, nodes: RootContent[]): RootContent[] {
  const prose: RootContent[] = [];
  for (const block of nodes.map((node) => classify(ctx.file, node))) {
    if (block.kind === 'prose') prose.push(block.node);
    else
      structureError(
        ctx,
        blockHead(ctx.file, block),
        `${describeBlock(block)} before the first ## phase`,
        'put it under a ## phase and a ### step heading',
      );
  }
  return prose;
}

/**
 * Body phases replace, never merge with, front matter `spec.phases`: two sources for one list
 * would make "which step comes first" a guess. Writing both is reported on the front matter.
 */
function applyPhases(
  ctx: LoadContext,
  data: Record<string, unknown>,
  map: SourceMap,
  phases: Draft[],
  fm: YamlValue,
  body: Range,
): void {
  if (data.spec !== undefined && !isRecord(data.spec)) return; // the schema reports the wrong type
  const spec: Record<string, unknown> = { ...(data.spec as Record<string, unknown> | undefined) };
  if (spec.phases !== undefined) {
    structureError(
      ctx,
      fm.map.keyRange('/spec/phases'),
      'phases are written both in the front matter and as ## headings',
      'remove spec.phases from the front matter',
    );
  }
  define(
    spec,
    'phases',
    phases.map((p) => p.data),
  );
  if (!map.has('/spec')) map.set('/spec', body);
  map.set('/spec/phases', { start: phases[0].range.start, end: phases[phases.length - 1].range.end });
  phases.forEach((p, i) => p.map.writeTo(map, `/spec/phases/${i}`));
  define(data, 'spec', spec);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

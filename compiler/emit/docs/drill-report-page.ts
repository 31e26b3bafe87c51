import type { Root, RootContent } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type { DrillRecord } from '../../../ir/drill-record.js';
import { graphPage, homePage, type GraphRef, type Linker } from './links.js';
import {
  heading,
  inlineCode,
  link,
  page,
  paragraph,
  strip,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';
import { environmentOf, kindOf, objectiveText, outcomeOf } from './drill-docs.js';
import type { DrillReport } from '../../load/drill-records.js';

const parser = unified().use(remarkParse).use(remarkFrontmatter, ['yaml', 'toml']).use(remarkGfm);

/**
 * `Drill-<run-id>.md`: a drill report from `drills/reports/`, copied into the wiki so the history
 * and runbook pages can link it and `compile --check` notices a report that changed. The report
 * is parsed and serialised like every page (never pasted), under the generated notice and a line
 * that says which runbook and drill it belongs to.
 */
export function drillReportPage(
  report: DrillReport,
  lookups: { links: Linker; record?: DrillRecord; runbook?: GraphRef },
): Root {
  const blocks = reportBlocks(report.file.text);
  const title =
    blocks[0]?.type === 'heading' && blocks[0].depth === 1 ? [blocks.shift()!] : [heading(1, `Drill ${report.runId}`)];
  return page([...title, paragraph(...context(report, lookups)), ...blocks]);
}

function context(report: DrillReport, o: { links: Linker; record?: DrillRecord; runbook?: GraphRef }): Inline[] {
  const r = o.record;
  const runbook: Inline = o.runbook
    ? o.links.to(graphPage(o.runbook), o.runbook.title)
    : r
      ? inlineCode(r.runbook)
      : 'an unknown runbook';
  const facts: Inline[] = r
    ? [`: ${kindOf(r)} of ${environmentOf(r)}, ${outcomeOf(r)}, ${objectiveText('RTO', r.rto, r.mode)}`]
    : [' (no drill record names this report)'];
  return [
    'Drill report of ',
    runbook,
    ...facts,
    '. Source: ',
    inlineCode(report.file.path),
    ' · ',
    link(o.links.href(homePage, 'drill-history'), 'Drill history'),
  ];
}

/** The report's blocks, without front matter and source positions (they point into another file). */
function reportBlocks(markdown: string): RootContent[] {
  const tree = parser.parse(markdown);
  return strip(tree).children.filter((n) => (n.type as string) !== 'yaml' && (n.type as string) !== 'toml');
}

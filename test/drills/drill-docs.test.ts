import { join } from 'node:path';
import type { Code, Heading, Link, Nodes, Root, Table } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { createDocsContext, graphPageContext, graphPageSnapshot } from '../../compiler/emit/docs/docs-context.js';
import { docsEmitter } from '../../compiler/emit/docs/index.js';
import { serialise } from '../../common/markdown/mdast-builders.js';
import { runbookPage } from '../../compiler/emit/docs/runbook-page.js';
import { compileWith } from './drill-tree.js';

/**
 * The wiki shows drills: "Last drilled" (or "Never drilled") on every runbook page, the runbook's
 * drills, a history table on Home, and each report as a `Drill-<run-id>` page. Pages are parsed
 * back with remark and checked by structure; golden copies are in test/fixtures/drills/expected/docs/.
 */
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'drills');
const result = compileTree(join(fixtures, 'tree'));
const files = docsEmitter.emit(result);
const pages = new Map(files.map((f) => [f.path.replace(/^generated\/docs\//, '').replace(/\.md$/, ''), f.content]));
const parser = unified().use(remarkParse).use(remarkGfm);
const tree = (page: string): Root => parser.parse(pages.get(page) ?? '');

function all<T extends Nodes>(node: Nodes, type: T['type']): T[] {
  const out: T[] = [];
  const walk = (n: Nodes): void => {
    if (n.type === type) out.push(n as T);
    if ('children' in n) for (const c of n.children as Nodes[]) walk(c);
  };
  walk(node);
  return out;
}
function textOf(node: Nodes): string {
  if ('value' in node && typeof node.value === 'string' && node.type !== 'html') return node.value;
  return 'children' in node ? (node.children as Nodes[]).map(textOf).join('') : '';
}
function tableOf(root: Root, firstHeader: string): string[][] {
  const t = all<Table>(root, 'table').find((x) => textOf(x.children[0].children[0]) === firstHeader);
  expect(t, firstHeader).toBeDefined();
  return t!.children.map((row) => row.children.map(textOf));
}
const facts = (page: string) => Object.fromEntries(tableOf(tree(page), 'Fact').slice(1)) as Record<string, string>;
const headings = (root: Root, depth: number) =>
  all<Heading>(root, 'heading')
    .filter((h) => h.depth === depth)
    .map(textOf);
const links = (root: Nodes) => all<Link>(root, 'link').map((l) => l.url);

const failover = 'Drill-20260115-140000-region-failover-a1b2';
const rollback = 'Drill-20251001-090000-region-failover-c3d4';

describe('drills in the wiki', () => {
  it('copies every report into a Drill page the docs emitter owns', () => {
    expect([...pages.keys()].filter((p) => p.startsWith('Drill-'))).toEqual([rollback, failover]);
    expect(files.every((f) => docsEmitter.owns(f.path))).toBe(true);
  });

  it('shows the last drill on the runbook page, with its outcome, RTO and report', () => {
    const f = facts('Runbook-region-failover');
    expect(f['Last drilled']).toBe(
      '2026-01-15 (✅ succeeded, live drill of production-drill, RTO 25m43s measured vs 1h objective ✅) — report',
    );
    expect(f['Drill freshness']).toMatch(
      /^every 90d \(tier critical\); last successful live drill 2026-01-15 \(production-drill\) \(report\), next due by 2026-04-15; ⚠️ changed/,
    );
    expect(links(tree('Runbook-region-failover'))).toContain(`${failover}.md`);
    const drills = tableOf(tree('Runbook-region-failover'), 'Date');
    expect(drills.slice(1).map((r) => [r[1], r[2], r[3], r[6], r[7]])).toEqual([
      ['live drill', 'production-drill', '✅ succeeded', 'promote=flaky=2', 'report'],
      ['live drill', 'production-drill', '↩️ rolled back', 'promote=fail', 'report'],
    ]);
  });

  it('says "Never drilled" where there is no record, and when a drill is due', () => {
    expect(facts('Runbook-smoke-check')['Last drilled']).toBe('Never drilled');
    expect(facts('Runbook-smoke-check')['Drill freshness']).toBeUndefined();
    expect(headings(tree('Runbook-smoke-check'), 2)).not.toContain('Drills');
    const restore = facts('Runbook-restore-orders');
    expect(restore['Last drilled']).toBe(
      '2026-01-20 (✅ succeeded, dry-run drill of production-drill, RTO not measured (dry run))',
    );
    expect(restore['Drill freshness']).toBe(
      'every 30d (tier important); due: no successful live drill against a declared environment yet',
    );
  });

  it('tabulates the drill history on Home, newest first, linking runbooks and reports', () => {
    const home = tree('Home');
    expect(headings(home, 2)).toContain('Drill history');
    const rows = tableOf(home, 'Date');
    expect(rows[0]).toEqual([
      'Date',
      'Runbook',
      'Kind',
      'Environment',
      'Outcome',
      'RTO measured vs objective',
      'Report',
    ]);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[3], r[4], r[5]])).toEqual([
      [
        '2026-01-20 08:00 UTC',
        'Restore the orders table',
        'dry-run drill',
        'production-drill',
        '✅ succeeded',
        'RTO not measured (dry run)',
      ],
      [
        '2026-01-15 14:25 UTC',
        'Region failover',
        'live drill',
        'production-drill',
        '✅ succeeded',
        'RTO 25m43s measured vs 1h objective ✅',
      ],
      [
        '2025-10-01 10:12 UTC',
        'Region failover',
        'live drill',
        'production-drill',
        '↩️ rolled back',
        'RTO 1h12m measured vs 1h objective ❌',
      ],
    ]);
    // Every link of Home and the Drill pages leads to a page of the wiki.
    for (const page of ['Home', failover, rollback]) {
      for (const url of links(tree(page)).filter((u) => !u.startsWith('../')))
        expect(pages.has(url.replace(/\.md(#.*)?$/, '')), `${page} → ${url}`).toBe(true);
    }
  });

  it('builds the report pages from the reports: one title, the Gantt chart, no front matter', () => {
    const report = tree(failover);
    expect(headings(report, 1)).toEqual(['Drill report: region-failover']);
    expect(all<Code>(report, 'code').map((c) => c.lang)).toEqual(['mermaid']);
    expect(links(report)).toEqual(['Runbook-region-failover.md', 'Home.md#drill-history']);
    const rolled = tree(rollback);
    expect(headings(rolled, 1)).toEqual(['Drill 20251001-090000-region-failover-c3d4']);
    expect(pages.get(rollback)).not.toContain('runId:');
    expect(tableOf(rolled, 'Step').slice(1)).toEqual([['promote', '❌ failed (injected)']]);
  });

  it('is deterministic, and the same from a worker-thread snapshot', () => {
    expect(docsEmitter.emit(compileTree(join(fixtures, 'tree')))).toEqual(files);
    const ctx = createDocsContext(result, 'wiki');
    const snapshot = structuredClone(graphPageSnapshot(ctx, 'wiki', result.graphs));
    for (const g of result.graphs)
      expect(serialise(runbookPage(graphPageContext(snapshot), g))).toBe(serialise(runbookPage(ctx, g)));
  });

  it('adds nothing but "Never drilled" to a tree without records', () => {
    const plain = docsEmitter.emit(compileWith([]));
    const home = plain.find((f) => f.path.endsWith('/Home.md'))!.content;
    expect(home).not.toContain('Drill history');
    expect(plain.some((f) => f.path.includes('/Drill-'))).toBe(false);
    expect(plain.find((f) => f.path.endsWith('/Runbook-failover.md'))!.content).toContain(
      '| Last drilled    | Never drilled',
    );
  });

  it.each(['Home', 'Runbook-region-failover', failover, rollback])('matches the golden page %s', async (page) => {
    await expect(pages.get(page)).toMatchFileSnapshot(join(fixtures, 'expected', 'docs', `${page}.md`));
  });
});

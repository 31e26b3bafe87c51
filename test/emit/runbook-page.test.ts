import { join } from 'node:path';
import type { Code, Heading, Nodes, Root, RootContent } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { createDocsEmitter, docsEmitter } from '../../compiler/emit/docs/index.js';

/**
 * A runbook page's first screen answers "when, how to start, who approves, what cannot be undone,
 * how long" (issue 14): checked on the docs fixture (test/fixtures/docs) and on the library's
 * failover runbooks, by structure parsed back with remark.
 */
const parser = unified().use(remarkParse).use(remarkGfm);
function pagesOf(root: string, style: 'wiki' | 'repository' = 'wiki'): Map<string, string> {
  const files = (style === 'wiki' ? docsEmitter : createDocsEmitter({ links: style })).emit(compileTree(root));
  return new Map(files.map((f) => [f.path.replace(/^generated\/docs\//, '').replace(/\.md$/, ''), f.content]));
}
const fixture = pagesOf(join(import.meta.dirname, '..', 'fixtures', 'docs'));
const library = pagesOf(join(import.meta.dirname, '..', '..'));
const tree = (pages: Map<string, string>, page: string): Root => parser.parse(pages.get(page) ?? '');

function textOf(node: Nodes): string {
  if ('value' in node && typeof node.value === 'string' && node.type !== 'html') return node.value;
  return 'children' in node ? (node.children as Nodes[]).map(textOf).join('') : '';
}
const isHeading = (n: RootContent, depth: number): n is Heading => n.type === 'heading' && n.depth === depth;
/** The top-level nodes under an H2, up to the next H2. */
function section(root: Root, title: string): RootContent[] {
  const start = root.children.findIndex((n) => isHeading(n, 2) && textOf(n) === title);
  expect(start, `## ${title}`).toBeGreaterThan(0);
  const rest = root.children.slice(start + 1);
  const end = rest.findIndex((n) => isHeading(n, 2));
  return end < 0 ? rest : rest.slice(0, end);
}
const sectionText = (root: Root, title: string) => section(root, title).map(textOf).join('\n');

describe('runbook page: the first screen', () => {
  const root = tree(fixture, 'Runbook-region-failover');

  it('opens with the summary box, before the diagram and the first step', () => {
    const h2 = root.children.filter((n) => isHeading(n, 2)).map(textOf);
    expect(h2[0]).toBe('At a glance');
    const box = root.children.findIndex((n) => isHeading(n, 2) && textOf(n) === 'At a glance');
    const diagram = root.children.findIndex((n) => n.type === 'code' && n.lang === 'mermaid');
    const firstStep = root.children.findIndex((n) => isHeading(n, 3));
    expect(box).toBe(2); // notice, title, box
    expect(box).toBeLessThan(diagram);
    expect(box).toBeLessThan(firstStep);
  });

  it('says when to use it, how to start it, who approves by name, the point of no return, the time and the last drill', () => {
    const box = sectionText(root, 'At a glance');
    expect(box).toContain('When to use: Fail over from the primary region to the DR region.');
    const command = section(root, 'At a glance').flatMap((n) => (n.type === 'list' ? allCode(n) : []));
    expect(command).toEqual(['runbook run region-failover --input reason="<reason>"']);
    expect(box).toContain('Run workflow runbook-region-failover.yml');
    // Team handles resolved to people's names from the Directory.
    // The declare step takes its policy from spec.approvals (the default policy of gates).
    expect(box).toMatch(/1\.2 Declare disaster: 2 of SRE leads \(Jane Doe\); not the initiator; times out after 30m/);
    expect(box).toMatch(/2\.5 Validate the service: 1 of SRE \(Jane Doe, John Roe\)/);
    expect(box).toContain('production-failover');
    expect(box).toMatch(/⛔ Point of no return: 2\.1 Promote the replica\. Once it has run, a rollback stops there/);
    expect(box).toMatch(/Time: RTO 1h; phase budgets 1\. Assessment 15m, 2\. Failover 30m/);
    expect(box).toContain('Last drilled: Never drilled');
  });

  it("links the workflow's page in the Actions tab (from blob/BRANCH/generated/docs/; wiki-export rewrites it)", () => {
    const links = (pages: Map<string, string>) =>
      (pages.get('Runbook-region-failover') ?? '').match(/\]\(([^)]*runbook-region-failover\.yml)\)/)?.[1];
    const repo = pagesOf(join(import.meta.dirname, '..', 'fixtures', 'docs'), 'repository');
    expect(links(repo)).toBe('../../../../actions/workflows/runbook-region-failover.yml');
  });
});

describe('runbook page: steps, rollback, reference', () => {
  const root = tree(fixture, 'Runbook-region-failover');
  const content = fixture.get('Runbook-region-failover')!;

  it('numbers the steps "phase.step" with an anchor per step id', () => {
    const h3 = root.children.filter((n) => isHeading(n, 3)).map(textOf);
    expect(h3.slice(0, 3)).toEqual(['1.1 Check replica lag', '1.2 Declare disaster', '2.1 Promote the replica']);
    expect(content).toContain('### <a id="step-promote-db"></a>2.1 Promote the replica');
    expect(content).toContain('](#step-promote-db)');
  });

  it('says approval messages and asserts in words, raw expressions only in the reference', () => {
    const [before, reference] = content.split('\n## Reference\n');
    expect(reference).toBeDefined();
    const outsideCode = before.replace(/```mermaid[\s\S]*?```/g, '');
    expect(outsideCode).not.toMatch(/\{\{/);
    expect(before).toContain('Approvers see: “Fail over to *the `dr_region` input*?”');
    expect(before).toContain("this step's `lag` output is less than 300");
    expect(before).toContain('value: <output endpoint of step 2.1>');
    expect(reference).toContain('`{{lt outputs.lag 300}}`');
  });

  it('does not call a read-only step non-idempotent', () => {
    const declare = content.slice(content.indexOf('1.2 Declare disaster\n'), content.indexOf('## Phase 2'));
    expect(declare).not.toMatch(/Idempotent:\*\* no|may have acted/);
    expect(declare).toContain('read-only');
  });

  it('has a rollback section: what is undone, latest first, and where rollback stops', () => {
    const rollback = sectionText(root, 'Rollback');
    expect(rollback).toContain('the run rolls back');
    expect(rollback.indexOf('2.3 Switch DNS: undone by aws.route53.upsert-record')).toBeGreaterThanOrEqual(0);
    expect(rollback.indexOf('2.3 Switch DNS')).toBeLessThan(rollback.indexOf('⛔ 2.1 Promote the replica'));
  });

  it('ends with the reference: facts, plan hash, step sources', () => {
    const h2 = root.children.filter((n) => isHeading(n, 2)).map(textOf);
    expect(h2.at(-1)).toBe('Reference');
    const reference = sectionText(root, 'Reference');
    expect(reference).toMatch(/Plan hash[\s\S]*[0-9a-f]{12}/);
    expect(reference).toContain('runbooks/failover/region-failover.yaml');
  });
});

describe('the library: which failover runbook to use when', () => {
  const failovers = ['primary-region-failure', 'emergency-manual-failover', 'postgres-streaming-failover'];

  it.each(failovers)('%s names the other two in its "When to use"', (name) => {
    const when = sectionText(tree(library, `Runbook-${name}`), 'At a glance').split('\n')[0];
    expect(when).toMatch(/^When to use: /);
    for (const other of failovers.filter((o) => o !== name)) expect(when).toContain(other);
  });

  it('primary-region-failure: approvers, the command and the point of no return on the first screen', () => {
    const content = library.get('Runbook-primary-region-failure')!;
    const firstScreen = content.slice(0, content.indexOf('\n## ', content.indexOf('## At a glance') + 3));
    expect(firstScreen).toContain('runbook run primary-region-failure --input reason="<reason>"');
    expect(firstScreen).toContain('Morgan Chen (CEO)');
    expect(firstScreen).toContain('[2.6 Promote the RDS read replica](#step-promote-db)');
  });
});

describe('the library: every graph page', () => {
  const graphPages = [...library.keys()].filter((p) => /^(Runbook|BackupPlan)-/.test(p));

  it.each(graphPages)('%s: summary first, reference last, no raw expression before the reference', (page) => {
    const content = library.get(page)!;
    const root = tree(library, page);
    const h2 = root.children.filter((n) => isHeading(n, 2)).map(textOf);
    expect([h2[0], h2.at(-1)]).toEqual(['At a glance', 'Reference']);
    const [before] = content.split('\n## Reference\n');
    expect(before.replace(/```mermaid[\s\S]*?```/g, '')).not.toMatch(/\{\{/);
    expect(before).not.toMatch(/Idempotent/);
  });
});

describe('the library: a runbook without an RTO objective', () => {
  const root = tree(library, 'Runbook-quarterly-dr-drill');

  it('has no "within" or "over" in its time line: there is nothing to be within', () => {
    const box = section(root, 'At a glance').find((n) => n.type === 'list')!;
    const time = box.type === 'list' ? box.children.map(textOf).find((l) => l.startsWith('Time:')) : undefined;
    expect(time).toMatch(/^Time: no RTO objective; phase budgets 1\. Pre-drill 30m/);
    expect(time).toMatch(/expected \S+, worst case \S+\.$/);
    expect(time).not.toMatch(/within|: (worst case )?over|✅|⚠️|❌/);
  });

  it("states no status on the RTO table's total row or Home's, while each budgeted phase keeps its own", () => {
    const page = library.get('Runbook-quarterly-dr-drill')!;
    const total = page.split('\n').find((l) => l.startsWith('| **Total**'))!;
    expect(total).toMatch(/\*\*no RTO\*\*/);
    expect(total).not.toMatch(/within|over/);
    expect(page.split('\n').find((l) => l.startsWith('| Pre-drill '))).toMatch(/✅ within/);
    const home = library
      .get('Home')!
      .split('\n')
      .find((l) => l.includes('(Runbook-quarterly-dr-drill.md)'))!;
    expect(home).not.toMatch(/within|over/);
  });
});

describe('the library: fallbacks and conditions in words', () => {
  const content = library.get('Runbook-emergency-manual-failover')!;

  it('names the steps that run when a step fails, and says their condition in words', () => {
    const verify = content.slice(content.indexOf('3.6 Verify failover success'), content.indexOf('3.7 Notify'));
    expect(verify).toContain(
      '**Fallback:** if it fails, [3.8 Notify stakeholders (FAILOVER_FAILED)](#step-notify-failure), [3.9 Stop for manual intervention](#step-stop-on-failed-verification) run',
    );
    expect(content).toContain('**Only if:** the status of step 3.6 (verify-dr-health) equals `"failed"`');
  });
});

function allCode(node: Nodes): string[] {
  if (node.type === 'code') return [(node as Code).value];
  return 'children' in node ? (node.children as Nodes[]).flatMap(allCode) : [];
}

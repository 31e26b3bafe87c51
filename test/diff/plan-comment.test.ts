import { join } from 'node:path';
import type { Html, Root, Strong, Table, Text } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { diffCompile, planCommentMarker, renderPlanComment } from '../../compiler/diff/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const diffOf = () => diffCompile(compileTree(join(fixtures, 'base')), compileTree(join(fixtures, 'head')));
const diff = diffOf();
const comment = renderPlanComment(diff);
const tree = unified().use(remarkParse).use(remarkGfm).parse(comment) as Root;
/** Every node of a type, in document order. */
const nodes = <T>(type: string, node: { type: string; children?: unknown[] } = tree): T[] => [
  ...(node.type === type ? [node as T] : []),
  ...(node.children ?? []).flatMap((c) => nodes<T>(type, c as { type: string; children?: unknown[] })),
];
const plain = (n: { children?: unknown[]; value?: string }): string =>
  n.value ?? (n.children ?? []).map((c) => plain(c as { children?: unknown[]; value?: string })).join('');

describe('renderPlanComment', () => {
  it('starts with the hidden marker that finds the sticky comment', () => {
    expect(comment.startsWith(`${planCommentMarker}\n`)).toBe(true);
    expect((tree.children[0] as Html).value).toBe(planCommentMarker);
  });

  it('carries one machine-readable marker per run request with its plan hash', () => {
    const markers = nodes<Html>('html')
      .map((h) => h.value)
      .filter((v) => v.startsWith('<!-- runbook-run-request'));
    expect(markers).toEqual(
      diff.runRequests.map((r) => `<!-- runbook-run-request file=${r.request.file} plan=${r.request.planHash} -->`),
    );
    for (const m of markers) expect(m).toMatch(/^<!-- runbook-run-request file=runs\/[\w.-]+ plan=[0-9a-f]{64} -->$/);
  });

  it('parses back into tables: run requests, inputs, steps and RTO', () => {
    const headers = nodes<Table>('table').map((t) => plain(t.children[0]));
    expect(headers).toContain('WhatValue');
    expect(headers).toContain('InputValueFrom');
    expect(headers).toContain('ChangeStepPhaseActionWhat changed');
    expect(headers).toContain('PhaseBudgetExpectedWorst caseStatus');
  });

  it('keeps runbook text as text: a | or * in a title or value does not break the layout', () => {
    const texts = nodes<Text>('text')
      .map((t) => t.value)
      .join('\n');
    expect(texts).toContain('Restore | from *snapshot*');
    expect(texts).toContain('AWS Health: us-west-2 degraded; see INC-42 <b>now</b>');
    expect(
      nodes<Html>('html')
        .map((h) => h.value)
        .join(''),
    ).not.toContain('<b>');
    const inputs = nodes<Table>('table').find(
      (t) => plain(t.children[0]) === 'InputValueFrom' && plain(t).includes('eu-west-1'),
    )!;
    expect(inputs.children.map((row) => row.children.length)).toEqual([3, 3, 3]);
  });

  it('makes a regression stand out: an icon and bold', () => {
    const bold = nodes<Strong>('strong').map(plain);
    expect(bold).toContain('RTO regression');
    expect(bold).toContain('6m → 9m10s (+3m10s)');
    expect(comment).toContain('⚠️ **6m → 9m10s (+3m10s)**');
    expect(comment).toContain('⚠️ **RTO regression');
  });

  it('is stable: the same input gives the same bytes', () => {
    expect(renderPlanComment(diffOf())).toBe(comment);
    expect(renderPlanComment(diff)).toBe(comment);
  });

  it('says so when nothing changed', () => {
    const head = compileTree(join(fixtures, 'head'));
    const text = renderPlanComment(diffCompile(head, head));
    expect(text).toBe(
      `${planCommentMarker}\n\n## Runbook plan\n\nThis pull request changes no runbook plan and proposes no run request.\n`,
    );
  });

  it('stays under the size limit by dropping detail, never the markers', () => {
    const compact = renderPlanComment(diff, { maxLength: comment.length - 1 });
    expect(compact.length).toBeLessThan(comment.length);
    expect(compact).not.toContain('| Change');
    const tiny = renderPlanComment(diff, { maxLength: 100 });
    for (const r of diff.runRequests) expect(tiny).toContain(`plan=${r.request.planHash}`);
    expect(tiny).toContain('`failover`');
  });
});

describe('run-request markers', () => {
  it('carry the head commit when given, in the form the executor parses', async () => {
    const { parseRunRequestMarkers } = await import('../../executor/github/run-request-marker.js');
    const commit = 'a'.repeat(40);
    const parsed = parseRunRequestMarkers(renderPlanComment(diff, { commit }));
    expect(parsed).toEqual(
      diff.runRequests.map((r) => ({ file: r.request.file, planHash: r.request.planHash, commit })),
    );
    expect(parseRunRequestMarkers(comment).map((m) => m.commit)).toEqual([undefined, undefined]);
  });
});

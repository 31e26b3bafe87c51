import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { renderMermaid } from '../../compiler/emit/docs/mermaid.js';
import { docsEmitter } from '../../compiler/emit/docs/index.js';

/**
 * GitHub renders ```mermaid blocks with mermaid.js; a diagram its parser rejects shows as an error
 * box on the wiki. So every diagram we emit goes through mermaid's own parser (it needs a DOM for
 * its sanitiser, hence jsdom).
 */
type Mermaid = { parse(text: string): Promise<unknown>; initialize(config: object): void };
let mermaid: Mermaid;

beforeAll(async () => {
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  Object.assign(globalThis, { window: dom.window, document: dom.window.document });
  mermaid = (await import('mermaid')).default as unknown as Mermaid;
  mermaid.initialize({ startOnLoad: false });
}, 60_000); // mermaid is a large import: seconds on a loaded machine

const root = join(import.meta.dirname, '..', '..');
const diagrams = docsEmitter
  .emit(compileTree(root))
  .flatMap((f) => [...f.content.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => ({ page: f.path, text: m[1] })));

describe('generated Mermaid diagrams', () => {
  it('a runbook or backup plan page has an overview (of two phases or more) and one per phase', () => {
    const graphs = compileTree(root).graphs;
    expect(diagrams.length).toBe(graphs.reduce((n, g) => n + (g.phases.length > 1 ? 1 : 0) + g.phases.length, 0));
  });

  it.each(diagrams)('$page parses with mermaid', async ({ text }) => {
    await expect(mermaid.parse(text)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
  });

  // The folded fan-out (stacks, a collapsed box) and if: alternatives (decision, labelled edges).
  const fixtureDiagrams = ['wide-diagram', 'alternatives'].flatMap((name) =>
    docsEmitter
      .emit(compileTree(join(root, 'test', 'fixtures', name)))
      .flatMap((f) => [...f.content.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => ({ page: f.path, text: m[1] }))),
  );
  it.each(fixtureDiagrams)('fixture $page parses with mermaid', async ({ text }) => {
    await expect(mermaid.parse(text)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
  });

  it.each(compileTree(root).graphs.map((g) => [g.name, g] as const))(
    '`runbook graph %s` parses with mermaid',
    async (_name, graph) => {
      await expect(mermaid.parse(renderMermaid(graph))).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
    },
  );

  it('a runbook with finally: its subgraph and dotted "always" link parse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-mermaid-finally-'));
    try {
      mkdirSync(join(dir, 'runbooks'));
      writeFileSync(
        join(dir, 'runbooks', 'fin.yaml'),
        `apiVersion: runbook/v1
kind: Runbook
metadata: { name: fin, owner: "@acme/sre" }
spec:
  phases:
    - id: work
      steps: [{ id: restore, run: echo restore, estimate: 1m }]
  finally:
    - { id: cleanup, run: echo cleanup, if: "{{eq steps.restore.status 'succeeded'}}" }
    - { id: report, run: echo report }
`,
      );
      const [text] = docsEmitter
        .emit(compileTree(dir))
        .flatMap((f) => [...f.content.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]));
      expect(text).toContain('p_work -. always .-> p_finally');
      await expect(mermaid.parse(text)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the parser does reject a broken diagram (the check can fail)', async () => {
    await expect(mermaid.parse('flowchart TD\n  a[["unclosed --> b')).rejects.toThrow();
  });
});

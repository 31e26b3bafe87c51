import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Nodes, Table, TableCell } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { compileFiles, compileTree } from '../../compiler/compile.js';
import { docsEmitter } from '../../compiler/emit/docs/index.js';
import { scenarios } from '../../compiler/emit/docs/library-page.js';
import { ciExercisesFile } from '../../compiler/load/ci-exercises.js';
import type { SourceFile } from '../../compiler/source/source-file.js';

/**
 * Issue 15, item 4: `Library.md`, every procedure by scenario tag with its kind, tier, RTO / RPO,
 * last drill and CI coverage. A small tree in memory: two scenarios, a title holding `|`, a
 * runbook without a scenario tag, a BackupPlan (lowered: tagged `backup`), a drill record and CI claims.
 */
const repo = join(import.meta.dirname, '..', '..');
const parser = unified().use(remarkParse).use(remarkGfm);

const runbook = (name: string, meta: string, objectives = '') => ({
  path: `runbooks/${name}.yaml`,
  text: `apiVersion: runbook/v1
kind: Runbook
metadata: { name: ${name}, owner: "@acme/sre", ${meta} }
spec:
${objectives}  phases:
    - id: main
      steps:
        - id: act
          run: echo acting
`,
});

const files: SourceFile[] = [
  {
    path: 'runbooks/directory.yaml',
    text: `apiVersion: runbook/v1
kind: Directory
metadata: { name: directory }
spec:
  people:
    jane-doe: { name: Jane Doe, github: "@jane-doe" }
  teams:
    sre: { name: SRE, github: "@acme/sre", members: [jane-doe] }
  tiers:
    critical: { rto: 1h, rpo: 15m }
    standard: { rto: 1d }
`,
  },
  runbook(
    'region-failover',
    'title: Fail over the region, tier: critical, tags: [failover, region-loss]',
    '  objectives: { rto: 30m }\n',
  ),
  runbook('redis-restore', 'title: "Cache | Redis restore", tier: standard, tags: [cache-loss]'),
  runbook('cache-warmup', 'title: Warm the cache, tags: [redis, cache-loss]', '  objectives: { rto: 10m, rpo: 0s }\n'),
  runbook('odd-job', 'title: An odd job, tags: [misc]'),
  {
    path: 'runbooks/nightly.yaml',
    text: `apiVersion: runbook/v1
kind: BackupPlan
metadata: { name: nightly, title: Nightly dump, owner: "@acme/sre" }
spec:
  schedule: "0 3 * * *"
  tier: critical
  targets:
    - { id: orders-pg, type: postgres, url: "postgres://backup@127.0.0.1/orders", method: pg_dump, directory: /var/backups/postgres }
  retention: { hot: 7d }
`,
  },
];

const record = {
  recordVersion: 1,
  runId: '20260115-140000-region-failover-a1b2',
  runbook: 'region-failover',
  graphHash: 'a'.repeat(64),
  planHash: 'c'.repeat(64),
  startedAt: '2026-01-15T14:00:00.000Z',
  endedAt: '2026-01-15T14:40:00.000Z',
  mode: 'live',
  status: 'succeeded',
  initiator: 'jane-doe',
  faults: {},
  rto: { objectiveMs: 1800000, measuredMs: 2400000, met: false },
  rpo: {},
  report: 'drills/reports/20260115-140000-region-failover-a1b2.md',
  environment: { name: 'production-drill', source: 'runbook' },
};

const ci = {
  exercises: [
    { kind: 'Runbook', name: 'region-failover', mode: 'dry-run', tests: ['test/region.test.ts'] },
    { kind: 'Runbook', name: 'redis-restore', mode: 'real', tests: ['test/redis.test.ts'] },
    { kind: 'BackupPlan', name: 'nightly', mode: 'emulated', tests: ['test/nightly.test.ts'] },
  ],
};

const drills = (withCi: boolean) => ({
  records: [{ path: `drills/records/${record.runId}.json`, text: JSON.stringify(record, null, 2) }],
  reports: [],
  ...(withCi ? { ci: { path: ciExercisesFile, text: JSON.stringify(ci) } } : {}),
});

const libraryOf = (withCi: boolean) => {
  const result = compileFiles(files, { drills: drills(withCi) });
  const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}: ${d.message}`);
  expect(errors).toEqual([]);
  return docsEmitter.emit(result).find((f) => f.path === 'generated/docs/Library.md')!.content;
};

const text = (n: Nodes): string =>
  'value' in n && typeof n.value === 'string' ? n.value : 'children' in n ? n.children.map(text).join('') : '';
/** Each h2 section: its title and the rows of its table (cells as plain text). */
function sections(markdown: string): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  let current = '';
  for (const node of parser.parse(markdown).children) {
    if (node.type === 'heading' && node.depth === 2) current = text(node);
    if (node.type === 'table' && current)
      out.set(
        current,
        (node as Table).children.map((r) => r.children.map((c: TableCell) => text(c))),
      );
  }
  return out;
}

describe('Library page', () => {
  const page = libraryOf(true);
  const s = sections(page);

  it('has a section per scenario that has procedures, in the list order, then Unsorted', () => {
    expect([...s.keys()]).toEqual(['Region loss', 'Cache loss', 'Backup', 'Unsorted']);
  });

  it('lists each procedure with kind, tier, RTO / RPO, last drill and CI coverage', () => {
    const header = ['Procedure', 'Kind', 'Tier', 'RTO / RPO', 'Last drill', 'Exercised in CI'];
    expect(s.get('Region loss')).toEqual([
      header,
      [
        'Fail over the region',
        'runbook',
        'critical',
        '30m / 15m (tier)',
        '2026-01-15 ✅ succeeded, live drill of production-drill',
        '🧪 dry run (region.test.ts)',
      ],
    ]);
    // By title: "Cache | Redis restore" before "Warm the cache"; the `|` stays in its cell.
    expect(s.get('Cache loss')?.slice(1)).toEqual([
      ['Cache | Redis restore', 'runbook', 'standard', '1d (tier) / —', 'never', '✅ real end-to-end (redis.test.ts)'],
      ['Warm the cache', 'runbook', '—', '10m / 0s', 'never', 'none'],
    ]);
    expect(s.get('Backup')?.slice(1)).toEqual([
      [
        'Nightly dump',
        'backup plan',
        'critical',
        '1h (tier) / 15m (tier)',
        '—',
        '🧰 emulated (AWS emulator or stand-in commands) (nightly.test.ts)',
      ],
    ]);
    expect(
      s
        .get('Unsorted')
        ?.slice(1)
        .map((r) => r[0]),
    ).toEqual(['An odd job']);
  });

  it('escapes the `|` of a title in the table source and links every procedure to its page', () => {
    expect(page).toContain('[Cache \\| Redis restore](Runbook-redis-restore.md)');
    expect(page).toContain('[Nightly dump](BackupPlan-nightly.md)');
    expect(page).toContain(
      '[test/region.test.ts]'.replace('test/region.test.ts', 'region.test.ts') + '(../../test/region.test.ts)',
    );
  });

  it('opens with every scenario and its count, linking the non-empty ones to their sections', () => {
    const overview = parser.parse(page).children.find((n): n is Table => n.type === 'table')!;
    const rows = overview.children.slice(1).map((r) => r.children.map((c) => text(c)));
    expect(rows.map((r) => r[1])).toEqual([...scenarios.map((x) => x.tag), '—']);
    expect(rows.find((r) => r[1] === 'cache-loss')?.[2]).toBe('2');
    expect(rows.find((r) => r[1] === 'storage-loss')?.[2]).toBe('none yet');
    expect(page).toContain('[Cache loss](#cache-loss)');
  });

  it('says "—" in the CI column when the repository keeps no claims file (an adopter\'s tree)', () => {
    const bare = sections(libraryOf(false));
    expect([...bare.values()].flatMap((rows) => rows.slice(1).map((r) => r[5]))).toEqual(['—', '—', '—', '—', '—']);
    expect(libraryOf(false)).toContain('this repository keeps no drills/ci-exercises.json');
  });

  it('matches the golden page', async () => {
    await expect(page).toMatchFileSnapshot('../fixtures/library/__snapshots__/Library.md');
  });

  it('is linked from Home and the sidebar', () => {
    const out = docsEmitter.emit(compileFiles(files, { drills: drills(true) }));
    for (const name of ['Home', '_Sidebar'])
      expect(out.find((f) => f.path === `generated/docs/${name}.md`)?.content).toContain('](Library.md)');
  });
});

describe("the library's Library page", () => {
  it('is the one committed under generated/docs (compile it again after changing runbooks)', () => {
    const emitted = docsEmitter.emit(compileTree(repo)).find((f) => f.path === 'generated/docs/Library.md')!.content;
    expect(emitted).toBe(readFileSync(join(repo, 'generated', 'docs', 'Library.md'), 'utf8'));
    // Every scenario tag the runbooks carry is one of the list: nothing of the library is unsorted.
    expect(emitted).not.toContain('## Unsorted');
  });

  it('gives every runbook and backup plan of the library exactly one scenario tag', () => {
    const known = new Set(scenarios.map((s) => s.tag));
    // A set: lowering appends `backup` to a BackupPlan's tags, which may already hold it.
    const counts = compileTree(repo).graphs.map((g) => [g.name, new Set(g.tags.filter((t) => known.has(t))).size]);
    expect(counts.filter(([, n]) => n !== 1)).toEqual([]);
  });
});

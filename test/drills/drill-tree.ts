import type { DrillRecord } from '../../ir/drill-record.js';
import { compileFiles, type CompileResult } from '../../compiler/compile.js';
import type { SourceFile } from '../../compiler/source/source-file.js';

/**
 * A small in-memory tree for the drill tests: a Directory whose `critical` tier sets no interval
 * (so the 90d default applies) and whose `important` tier drills every 30 days, and runbooks of
 * each tier. Records are built with `record()` and passed to `compileFiles` like `compileTree`
 * passes what it reads from drills/.
 */
export const directory = `apiVersion: runbook/v1
kind: Directory
metadata: { name: directory }
spec:
  people:
    jane-doe: { name: Jane Doe, github: "@jane-doe" }
  teams:
    sre: { name: SRE, github: "@acme/sre", members: [jane-doe] }
  tiers:
    critical: { rto: 1h, rpo: 15m }
    important: { rto: 4h, drillInterval: 30d }
    standard: { rto: 1d }
`;

/** A one-step runbook; `command` changes its plan hash. */
export function runbook(name: string, tier: string, command = 'echo restoring'): SourceFile {
  return {
    path: `runbooks/${name}.yaml`,
    text: `apiVersion: runbook/v1
kind: Runbook
metadata: { name: ${name}, owner: "@acme/sre", tier: ${tier} }
spec:
  objectives: { rto: 1h }
  environment: production-drill
  phases:
    - id: main
      steps:
        - id: restore
          run: ${command}
          estimate: 5m
`,
  };
}

export const tree: SourceFile[] = [
  { path: 'runbooks/directory.yaml', text: directory },
  runbook('failover', 'critical'),
  runbook('restore', 'important'),
  runbook('smoke', 'standard'),
];

const hex = (c: string) => c.repeat(64);

/** A valid record of `runbook` ending at `endedAt`: live and succeeded unless told otherwise. */
export function record(runbook: string, endedAt: string, over: Partial<DrillRecord> = {}): DrillRecord {
  const runId = over.runId ?? `${endedAt.slice(0, 10).replace(/-/g, '')}-${runbook}`;
  return {
    recordVersion: 1,
    runId,
    runbook,
    graphHash: hex('a'),
    planHash: hex('b'),
    startedAt: new Date(Date.parse(endedAt) - 20 * 60_000).toISOString(),
    endedAt,
    mode: 'live',
    status: 'succeeded',
    initiator: 'jane-doe',
    faults: {},
    rto: { objectiveMs: 3_600_000, measuredMs: 1_200_000, met: true },
    rpo: {},
    report: `drills/reports/${runId}.md`,
    environment: { name: 'production-drill', source: 'runbook' },
    ...over,
  };
}

/** The record as the file `runbook drill` writes. */
export function recordFile(r: DrillRecord): SourceFile {
  return { path: `drills/records/${r.runId}.json`, text: JSON.stringify(r, null, 2) + '\n' };
}

/** The current plan hash of each runbook of `files` (what a fresh drill would record). */
export function planHashes(files: readonly SourceFile[] = tree): Map<string, string> {
  return new Map(compileFiles(files).graphs.map((g) => [g.name, g.planHash]));
}

/** Compiles `files` with `records` (and reports) as drills/ content. */
export function compileWith(
  records: readonly DrillRecord[],
  o: { files?: readonly SourceFile[]; today?: string; reports?: SourceFile[] } = {},
): CompileResult {
  return compileFiles(o.files ?? tree, {
    drills: { records: records.map(recordFile), reports: o.reports ?? [] },
    ...(o.today ? { today: o.today } : {}),
  });
}

/** `code runbook` of each drill finding, sorted: what the freshness tests compare. */
export function findings(result: CompileResult): string[] {
  return result.diagnostics
    .filter((d) => d.code.startsWith('drill-'))
    .map((d) => `${d.code} ${d.file.replace(/^runbooks\/|\.yaml$/g, '')}`)
    .sort();
}

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../executor/audit/file-sink.js';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { runCliAsync, runIdOf } from '../support/cli.js';
import { clusterTimeoutMs, noPostgres, passwordOf, skipReason } from '../executor/pg/context.js';

/**
 * `postgres.query` results are outputs: a later step reads `rows` and `rowCount` of a query that
 * declares no `outputs:`. The query echoes the connection URL (a secret) into a row; the row is
 * journaled with the step's outputs, masked, and the password appears nowhere in the run's files
 * or the CLI's output.
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: pg-results, owner: "@acme/sre" }
spec:
  secrets: [DATABASE_URL]
  inputs: { marker_dir: { type: string, required: true } }
  phases:
    - id: work
      steps:
        - id: lookup
          uses: postgres.query
          with: { url: "{{secrets.DATABASE_URL}}", sql: "select 41 + 1 as answer, $1::text as echoed", params: ["{{secrets.DATABASE_URL}}"] }
        - id: use
          run: |
            test -n "$ANSWER" || { echo "empty answer" >&2; exit 3; }
            echo "$ANSWER $COUNT" > "$DIR/seen"
          env: { DIR: "{{inputs.marker_dir}}", ANSWER: "{{steps.lookup.outputs.rows.0.answer}}", COUNT: "{{steps.lookup.outputs.rowCount}}" }
`;

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'postgres.query results as outputs, masked', () => {
  let cluster: PgCluster;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'runbook-pg-results-'));
    mkdirSync(join(root, 'runbooks'));
    writeFileSync(join(root, 'runbooks', 'pg-results.yaml'), runbook);
    cluster = await startPostgres();
    const c = await runCliAsync(['compile', '--root', root]);
    expect(c.status, c.stdout + c.stderr).toBe(0);
  }, clusterTimeoutMs);
  afterAll(async () => {
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('a later step reads rows and rowCount without outputs:, and the journaled row is masked', async () => {
    const dir = join(root, 'markers');
    mkdirSync(dir);
    const r = await runCliAsync(
      ['run', 'pg-results', '--root', root, '--input', `marker_dir=${dir}`, '--as', '@ops'],
      { DATABASE_URL: cluster.primaryUrl },
      90_000,
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'seen'), 'utf8')).toBe('42 1\n');
    const runId = runIdOf(r.stdout);
    const text = readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8');
    const end = parseAuditText(text).records.find((e) => e.type === 'step:end' && e.stepId === 'lookup');
    const outputs = (end?.data as { outputs?: { rows?: { answer: number; echoed: string }[]; rowCount?: number } })
      .outputs;
    expect(outputs?.rowCount).toBe(1);
    expect(outputs?.rows?.[0].answer).toBe(42);
    expect(outputs?.rows?.[0].echoed).not.toContain(passwordOf(cluster.primaryUrl));
    expect(text + r.stdout + r.stderr).not.toContain(passwordOf(cluster.primaryUrl));
  });
});

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  downloadedArtifacts,
  makeReviewRuns,
  reviewRepository,
  SECRET,
  type Cli,
  type ReviewRuns,
  writeZip,
} from '../support/audit-review.js';

/**
 * `runbook audit list|verify --since|export` over a directory of downloaded audit artifacts, made
 * from real runs of the built CLI (test/support/audit-review.ts). Runs are named by id, never by
 * the order they are printed in.
 */
let root: string;
let cli: Cli;
let runs: ReviewRuns;
let artifacts: string;
const cleanup: string[] = [];

beforeAll(() => {
  ({ root, cli } = reviewRepository());
  runs = makeReviewRuns(root, cli);
  artifacts = downloadedArtifacts(root, Object.values(runs));
  cleanup.push(root, artifacts);
}, 240_000);
afterAll(() => cleanup.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Row {
  runId: string;
  outcome: string;
  initiator: string;
  approvers: string[];
  inputs: Record<string, unknown>;
  anomalies: { kind: string; text: string }[];
  approvals: { approver?: string; decision: string; source: string; at: string }[];
}
const listJson = (...args: string[]) => {
  const r = cli(['audit', 'list', '--from', artifacts, '--json', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Row[]).map((x) => x.runId).sort();
};

describe('runbook audit list --from DIR', { timeout: 60_000 }, () => {
  it('lists every run once, as a table with its outcome and approvers', () => {
    const r = cli(['audit', 'list', '--from', artifacts]);
    expect(r.status, r.stderr).toBe(0);
    for (const id of Object.values(runs)) expect(r.stdout).toContain(id);
    const line = (id: string) => r.stdout.split('\n').find((l) => l.startsWith(id)) ?? '';
    expect(line(runs.gate)).toMatch(/gate\s+—\s+@ops\s+\S+Z\s+\S+\s+succeeded\s+@ops$/);
    expect(line(runs.undo)).toMatch(/rolled-back/);
    expect(line(runs.fail)).toMatch(/\bfailed\b/);
  });

  it('filters by runbook, initiator, approver, outcome, environment and period', () => {
    expect(listJson('--runbook', 'gate')).toEqual([runs.gate]);
    expect(listJson('--initiator', 'ops')).toEqual([runs.gate, runs.doubt].sort());
    expect(listJson('--approver', '@OPS')).toEqual([runs.gate]);
    expect(listJson('--approver', '@riley-park')).toEqual([]); // refused: not an approver of the run
    expect(listJson('--outcome', 'failed')).toEqual([runs.fail]);
    expect(listJson('--outcome', 'rolled-back')).toEqual([runs.undo]);
    expect(listJson('--outcome', 'succeeded')).toEqual([runs.workflow, runs.hand, runs.gate, runs.doubt].sort());
    expect(listJson('--environment', 'production')).toEqual([]);
    expect(listJson('--since', '1d', '--until', '2999-01-01')).toHaveLength(6);
    expect(listJson('--since', '2999-01-01')).toEqual([]);
    expect(listJson('--until', '2000-01-01')).toEqual([]);
  });

  it('refuses a bad date, an unknown outcome and a missing directory, with a message', () => {
    const bad = cli(['audit', 'list', '--from', artifacts, '--since', '2026-02-30']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--since "2026-02-30" is not a date/);
    expect(cli(['audit', 'list', '--from', artifacts, '--outcome', 'exploded']).stderr).toMatch(/expected one of/);
    const missing = cli(['audit', 'list', '--from', join(artifacts, 'nope')]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/no such directory/);
    const none = cli(['audit', 'list']);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/--audit-db URL .*--from DIR/);
  });
});

describe('runbook audit verify --since --from DIR', { timeout: 60_000 }, () => {
  it('verifies every chain of the period, one line per run and a total', () => {
    const r = cli(['audit', 'verify', '--since', '1d', '--from', artifacts]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const id of Object.values(runs)) expect(r.stdout).toMatch(new RegExp(`^✔ ${id} .*chain intact`, 'm'));
    expect(r.stdout).toMatch(/^✔ 6 runs in artifacts in .*: every chain intact$/m);
  });

  it('names the tampered run and its first bad record, and exits 1', () => {
    const copy = downloadedArtifacts(root, Object.values(runs));
    cleanup.push(copy);
    const file = join(copy, 'audit-9002-1', runs.gate, 'audit.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('"approval:granted"'));
    lines[i] = lines[i].replace('"approvals-file"', '"github-review"');
    writeFileSync(file, lines.join('\n'));
    const r = cli(['audit', 'verify', '--since', '2000-01-01', '--until', '2999-12-31', '--from', copy]);
    expect(r.status).toBe(1);
    const seq = (JSON.parse(lines[i]) as { seq: number }).seq;
    expect(r.stdout).toMatch(new RegExp(`^✖ ${runs.gate} .*first bad record at seq ${seq}: hash-mismatch`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^✖ 6 runs in .*: 1 failed: ${runs.gate}$`, 'm'));
    for (const id of Object.values(runs).filter((x) => x !== runs.gate))
      expect(r.stdout).toMatch(new RegExp(`^✔ ${id} `, 'm'));
  });

  it('reads an artifact downloaded as a zip in place, and names a tampered run inside one', () => {
    const zipped = downloadedArtifacts(root, []);
    cleanup.push(zipped);
    const journal = (id: string) => readFileSync(join(root, '.runbook', 'runs', id, 'audit.jsonl'), 'utf8');
    const text = journal(runs.fail);
    writeZip(join(zipped, 'audit-9100-1.zip'), [{ name: `${runs.fail}/audit.jsonl`, data: Buffer.from(text) }]);
    const forged = journal(runs.undo).replace('"status":"rolled-back"', '"status":"succeeded"');
    expect(forged).not.toBe(journal(runs.undo));
    writeZip(join(zipped, 'audit-9101-1.zip'), [{ name: `${runs.undo}/audit.jsonl`, data: Buffer.from(forged) }]);
    const listed = cli(['audit', 'list', '--from', zipped]);
    expect(listed.stdout).toMatch(new RegExp(`^${runs.fail}\\s+fail-run\\s.*\\bfailed\\b`, 'm'));
    const r = cli(['audit', 'verify', '--since', '1d', '--from', zipped]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(`^✔ ${runs.fail} \\(audit-9100-1\\.zip:${runs.fail}/audit\\.jsonl\\): .*chain intact`, 'm'),
    );
    expect(r.stdout).toMatch(new RegExp(`: 1 failed: ${runs.undo}$`, 'm'));
  });

  it('fails an empty journal, which list and export skip with a note', () => {
    const dir = downloadedArtifacts(root, [runs.gate]);
    cleanup.push(dir);
    mkdirSync(join(dir, 'audit-9200-1', 'run-left-empty'), { recursive: true });
    writeFileSync(join(dir, 'audit-9200-1', 'run-left-empty', 'audit.jsonl'), '');
    const r = cli(['audit', 'verify', '--since', '1d', '--from', dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^✖ run-left-empty \(audit-9200-1\/run-left-empty\/audit\.jsonl\): no record$/m);
    expect(r.stdout).toMatch(/: 1 failed: run-left-empty$/m);
    const listed = cli(['audit', 'list', '--from', dir]);
    expect(listed.stdout).toContain(runs.gate);
    expect(listed.stderr).toMatch(/note: audit-9200-1\/run-left-empty\/audit\.jsonl holds no readable record/);
  });

  it('keeps single-run verify as it was', () => {
    const r = cli(['audit', 'verify', runs.fail]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/records, chain intact, run complete/);
  });
});

describe('runbook audit export --from DIR', { timeout: 60_000 }, () => {
  const exported = (format: string) => {
    const r = cli(['audit', 'export', '--since', '1d', '--from', artifacts, '--format', format]);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  };

  it('never holds a secret value, in any format', () => {
    for (const format of ['csv', 'json', 'md']) expect(exported(format)).not.toContain(SECRET);
  });

  it('has one row per run, with approvals, redacted inputs and the anomalies of each', () => {
    const pack = JSON.parse(exported('json')) as { rows: Row[]; counts: { runs: number } };
    expect(pack.counts.runs).toBe(6);
    const row = (id: string) => pack.rows.find((x) => x.runId === id)!;
    const kinds = (id: string) => row(id).anomalies.map((a) => a.kind);
    expect(row(runs.workflow).inputs).toEqual({ value: '***' });
    expect(kinds(runs.workflow)).toEqual([]);
    expect(row(runs.hand).anomalies).toEqual([
      { kind: 'outside-workflows', text: 'started by .github/workflows/hand.yml, not a generated runbook-* workflow' },
    ]);
    expect(kinds(runs.gate).sort()).toEqual([
      'outside-workflows',
      'refused-approval',
      'self-approval',
      'unverified-approval',
    ]);
    expect(row(runs.gate).approvals.map((a) => [a.decision, a.approver, a.source])).toEqual([
      ['refused', '@riley-park', 'approvals-file'],
      ['granted', '@ops', 'approvals-file'],
    ]);
    expect(kinds(runs.doubt)).toContain('operator-decision');
    expect(row(runs.doubt).anomalies.find((a) => a.kind === 'operator-decision')?.text).toMatch(/slow: skip by @ops/);
    expect(kinds(runs.fail)).toContain('failed');
    expect(kinds(runs.undo)).toContain('rolled-back');
  });

  it('writes CSV one line per run and the wiki page with the anomalies before the table', () => {
    const csv = exported('csv').trimEnd().split('\r\n');
    expect(csv[0]).toMatch(/^run_id,runbook,environment,initiator,started,/);
    expect(csv).toHaveLength(7);
    expect(csv.find((l) => l.startsWith(runs.gate))).toMatch(/granted @ops via approvals-file/);
    const md = exported('md');
    expect(md).toMatch(/^# Audit$/m);
    expect(md).toMatch(/\*\*6 runs\*\* \(1 failed, 1 rolled-back, 4 succeeded\); 5 with anomalies\./);
    expect(md.indexOf('## Anomalies')).toBeLessThan(md.indexOf('## Runs'));
    expect(md).toContain(`\`${runs.hand}\` echo-secret: **outside-workflows**`);
  });

  it('writes --out atomically, and nothing at all on an error', () => {
    const out = join(artifacts, '..', `Audit-${Date.now()}.md`);
    cleanup.push(out);
    const r = cli(['audit', 'export', '--since', '90d', '--from', artifacts, '--format', 'md', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^# Audit$/m);
    const before = readFileSync(out, 'utf8');
    const bad = cli(['audit', 'export', '--since', 'last-tuesday', '--from', artifacts, '--out', out]);
    expect(bad.status).not.toBe(0);
    const gone = cli(['audit', 'export', '--from', join(artifacts, 'nope'), '--out', `${out}.2`]);
    expect(gone.status).not.toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(before);
    expect(existsSync(`${out}.2`)).toBe(false);
  });
});

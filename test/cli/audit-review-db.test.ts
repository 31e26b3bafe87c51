import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { query } from '../support/audit-db.js';
import { makeReviewRuns, reviewRepository, SECRET, type Cli, type ReviewRuns } from '../support/audit-review.js';
import { clusterTimeoutMs, noPostgres, skipReason } from '../executor/pg/context.js';

/**
 * `runbook audit list|verify --since|export` against the PostgreSQL store (`runbook_audit` on a real
 * throwaway PostgreSQL 15), filled by real runs of the built CLI with `--audit-db`. The wiki
 * workflow's own command line is run as it is written there.
 */
let pg: PgCluster;
let root: string;
let cli: Cli;
let runs: ReviewRuns;
let url: string;
let wiki: string;

describe.skipIf(noPostgres)('audit reviews from the audit database', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    pg = await startPostgres({ standby: false });
    url = pg.primaryUrl;
    ({ root, cli } = reviewRepository());
    wiki = mkdtempSync(join(tmpdir(), 'runbook-wiki-'));
    expect(cli(['audit', 'db-setup', '--audit-db', url]).status).toBe(0);
    // The superuser owns the table and could alter it: allowed explicitly (a test, not CI).
    runs = makeReviewRuns(root, cli, ['--audit-db', url, '--allow-owner-role']);
  }, clusterTimeoutMs + 240_000);
  afterAll(async () => {
    for (const d of [root, wiki]) if (d) rmSync(d, { recursive: true, force: true });
    await pg?.stop();
  }, 60_000);

  const list = (...args: string[]) => {
    const r = cli(['audit', 'list', '--json', ...args], { RUNBOOK_AUDIT_DB: url });
    expect(r.status, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { runId: string }[]).map((x) => x.runId).sort();
  };

  it('lists and filters the runs (RUNBOOK_AUDIT_DB or --audit-db)', () => {
    expect(list()).toEqual(Object.values(runs).sort());
    expect(list('--runbook', 'doubt')).toEqual([runs.doubt]);
    expect(list('--approver', 'ops', '--outcome', 'succeeded')).toEqual([runs.gate]);
    expect(list('--initiator', '@riley-park')).toEqual([runs.fail, runs.undo].sort());
    expect(list('--outcome', 'rolled-back', '--since', '1h')).toEqual([runs.undo]);
    const table = cli(['audit', 'list', '--audit-db', url]);
    expect(table.stdout).toMatch(new RegExp(`^${runs.fail}\\s+fail-run\\s+—\\s+@riley-park\\s.*\\bfailed\\s+—$`, 'm'));
  });

  it('writes the wiki page "Audit" as the wiki workflow calls it, without a secret', () => {
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const out = join(wiki, 'Audit.md');
    const r = cli(['audit', 'export', '--since', day, '--format', 'md', '--out', out], { RUNBOOK_AUDIT_DB: url });
    expect(r.status, r.stderr).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md).toMatch(/^# Audit$/m);
    for (const id of Object.values(runs)) expect(md).toContain(`\`${id}\``);
    expect(md).toMatch(/refused approval at approve by @riley-park \(approvals-file\): given for plan ffffffffffff/);
    expect(md).not.toContain(SECRET);
    const json = cli(['audit', 'export', '--format', 'json', '--audit-db', url]);
    expect(json.stdout).not.toContain(SECRET);
    expect(json.stdout).not.toContain(url);
  });

  it('verifies every chain of the period, then names the run tampered in the table and its first bad seq', async () => {
    const ok = cli(['audit', 'verify', '--since', '1d', '--audit-db', url]);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^✔ 6 runs in the audit database at .*: every chain intact$/m);
    // As the table's owner: switch off the append-only trigger, edit one record (how an attacker
    // with the owner's rights would), and switch it back on.
    await query(
      url,
      `ALTER TABLE runbook_audit DISABLE TRIGGER USER;
       UPDATE runbook_audit SET record = jsonb_set(record, '{data,approval,source}', '"github-review"')
        WHERE run_id = '${runs.gate}' AND type = 'approval:granted';
       ALTER TABLE runbook_audit ENABLE TRIGGER USER;`,
    );
    const r = cli(['audit', 'verify', '--since', '1d', '--until', '2999-01-01'], { RUNBOOK_AUDIT_DB: url });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^✖ ${runs.gate}: first bad record at seq \\d+: hash-mismatch`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`: 1 failed: ${runs.gate}$`, 'm'));
    expect(r.stdout.match(/^✔ /gm)).toHaveLength(5);
  });

  it('an unreachable database: a clear message without the password, exit non-zero, nothing written', () => {
    const out = join(wiki, 'Unreachable.md');
    const bad = 'postgres://auditor:hunter2-pw@127.0.0.1:1/audit';
    const r = cli(['audit', 'export', '--since', '90d', '--format', 'md', '--out', out], { RUNBOOK_AUDIT_DB: bad });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/cannot reach the audit database at postgres:\/\/auditor@127\.0\.0\.1:1\/audit/);
    expect(r.stdout + r.stderr).not.toContain('hunter2-pw');
    expect(existsSync(out)).toBe(false);
    expect(cli(['audit', 'verify', '--since', '1d', '--audit-db', bad]).status).not.toBe(0);
  });
});

if (noPostgres) describe.skip(skipReason, () => it('skipped', () => undefined));

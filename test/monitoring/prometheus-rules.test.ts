import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFile } from '../../compiler/load/load-file.js';
import { repo } from '../support/library-root.js';
import { spawnAsync } from '../support/spawn-async.js';

/**
 * The library's Prometheus rules (runbooks/monitoring/disaster-recovery.rules.yml, 000:1304-1376 and
 * the backup alerts on what postgres-base-backup pushes) checked by promtool (Debian `prometheus`):
 * `check rules` with every lint, then the unit tests of disaster-recovery.rules.test.yml, each
 * alert firing and not firing. Then each rule is broken in a copy, one way at a time, and the unit
 * tests must fail on every such copy: proof that they pin the thresholds, `for`, labels and
 * annotations rather than pass whatever the rules say.
 */
const rulesPath = 'runbooks/monitoring/disaster-recovery.rules.yml';
const unitTestsPath = 'test/monitoring/disaster-recovery.rules.test.yml';
const noPromtool = spawnSync('promtool', ['--version']).error
  ? 'promtool not found on PATH (Debian package `prometheus`; .ci/run installs it): skipping the Prometheus rule tests'
  : undefined;

/** Awaited, not spawnSync: a blocked worker misses vitest's RPC deadline on a loaded machine. */
const promtool = async (args: string[], cwd = repo) => {
  const r = await spawnAsync('promtool', args, { cwd, timeoutMs: 90_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
};

/** One way to break one rule: the text replaced (exactly once) and the alert whose tests must fail. */
const mutants: [alert: string, from: string, to: string][] = [
  [
    'BackupFailure',
    'increase(voltage_soda_backup_failures_total[1h]) > 0',
    'increase(voltage_soda_backup_failures_total[1h]) > 1',
  ],
  [
    'BackupFailure',
    'voltage_soda_backup_last_success_timestamp) / 3600 > 24',
    'voltage_soda_backup_last_success_timestamp) / 3600 > 26',
  ],
  ['BackupFailure', 'runbook_url: "https://runbooks.voltage-soda.com/backup-failure"', 'runbook_url: "x"'],
  ['ReplicationLag', 'voltage_soda_replication_lag_seconds > 300', 'voltage_soda_replication_lag_seconds >= 300'],
  ['ReplicationLag', 'for: 2m', 'for: 3m'],
  ['ReplicationLag', 'severity: warning', 'severity: critical'],
  [
    'FailoverTestFailure',
    'voltage_soda_failover_test_success_rate < 0.95',
    'voltage_soda_failover_test_success_rate <= 0.95',
  ],
  ['FailoverTestFailure', 'for: 10m', 'for: 5m'],
  ['FailoverTestFailure', '{{ $value | humanizePercentage }}', '{{ $value }}'],
  ['RPOViolation', 'voltage_soda_data_loss_rto_seconds > 300', 'voltage_soda_data_loss_rto_seconds > 400'],
  ['RPOViolation', 'for: 1m', 'for: 0m'],
  ['RTOViolation', 'voltage_soda_recovery_time_seconds > 900', 'voltage_soda_recovery_time_seconds >= 900'],
  ['DatabaseBackupStale', 'for: 1h', 'for: 30m'],
  ['DatabaseBackupStale', '{job="database_backup"})) / 3600 > 24', '{job="database_backup"})) / 3600 > 26'],
  ['DatabaseBackupFailed', '              unless max by (job)', '              and max by (job)'],
  ['DatabaseBackupFailed', '              > max by (job)', '              < max by (job)'],
];

describe('Prometheus rule files under runbooks/', () => {
  it('the loader skips *.rules.yml (Prometheus rules, not runbooks) but still reports a plain YAML file without a kind', () => {
    const text = readFileSync(join(repo, rulesPath), 'utf8');
    expect(loadFile({ path: rulesPath, text })).toEqual({ docs: [], diagnostics: [] });
    expect(loadFile({ path: 'runbooks/monitoring/alerts.rules.yaml', text })).toEqual({ docs: [], diagnostics: [] });
    const plain = loadFile({ path: 'runbooks/monitoring/alerts.yml', text });
    expect(plain.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['unknown-kind', 'missing apiVersion: runbook/v1'],
    ]);
  });
});

describe.skipIf(noPromtool)(noPromtool ?? 'Prometheus DR alert rules under promtool', { timeout: 120_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'runbook-promtool-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('promtool check rules: 7 rules, no lint finding', async () => {
    const r = await promtool(['check', 'rules', '--lint=all', '--lint-fatal', rulesPath]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS: 7 rules found');
  });

  it('promtool test rules: every alert fires past its threshold and `for`, and not before', async () => {
    const r = await promtool(['test', 'rules', unitTestsPath]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it.each(mutants)('a broken %s (%s -> %s) fails the unit tests', async (alert, from, to) => {
    const original = readFileSync(join(repo, rulesPath), 'utf8');
    expect(original.split(from).length - 1, `"${from}" once in the rules`).toBe(1);
    // The same layout as the repository, since the unit tests name the rules by relative path.
    const root = mkdtempSync(join(scratch, 'mutant-'));
    mkdirSync(join(root, 'runbooks', 'monitoring'), { recursive: true });
    mkdirSync(join(root, 'test', 'monitoring'), { recursive: true });
    writeFileSync(join(root, rulesPath), original.replace(from, to));
    cpSync(join(repo, unitTestsPath), join(root, unitTestsPath));
    expect((await promtool(['check', 'rules', rulesPath], root)).status).toBe(0);
    const r = await promtool(['test', 'rules', unitTestsPath], root);
    expect(r.status, r.output).not.toBe(0);
    expect(r.output).toContain(`alertname: ${alert},`);
  });
});

import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { startPostgres, pgBinDir, type PgCluster } from '../../../executor/pg/cluster.js';
import { bin, cliEnv, runIdOf, runCliAsync } from '../../support/cli.js';
import { clusterTimeoutMs, noPostgres, skipReason } from '../pg/context.js';

/**
 * files.prune-backups through the built CLI on planted backups (ages set with `touch -d`), named as
 * the lowered pg_dump / pg_basebackup steps name them: `<target>-<run id of the plan>[.dump]`.
 * Policy hot 30d, cold 90d, archive 365d, with an archive directory.
 */
const PLAN = 'pg-nightly';
const T = 'platform-production';
const name = (stamp: string, suffix = '.dump') => `${T}-${stamp}-${PLAN}-abcd${suffix}`;
const DAY = 86_400_000;

let root: string;
let hot: string;
let cold: string;

function plant(dir: string, file: string, ageDays: number, directory = false): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  if (directory) {
    mkdirSync(path);
    writeFileSync(join(path, 'backup_manifest'), '{}');
  } else writeFileSync(path, 'PGDMP');
  const r = spawnSync('touch', ['-d', new Date(Date.now() - ageDays * DAY).toISOString(), path]);
  expect(r.status).toBe(0);
}

describe('files.prune-backups through the CLI', () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'runbook-prune-files-'));
    hot = join(root, 'backups');
    cold = join(root, 'archive');
    mkdirSync(join(root, 'runbooks'));
    writeFileSync(
      join(root, 'runbooks', 'prune.yaml'),
      `apiVersion: runbook/v1
kind: Runbook
metadata: { name: prune-files, owner: "@acme/dba" }
spec:
  phases:
    - id: prune
      steps:
        - id: prune
          uses: files.prune-backups
          with: { directory: ${JSON.stringify(hot)}, archiveDirectory: ${JSON.stringify(cold)}, plan: ${PLAN}, target: ${T}, hot: 30d, cold: 90d, archive: 365d }
`,
    );
    const c = spawnSync(process.execPath, [bin, 'compile', '--root', root], { encoding: 'utf8', env: cliEnv() });
    expect(c.status, c.stdout + c.stderr).toBe(0);
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const outputsOf = (stdout: string) => {
    const text = readFileSync(join(root, '.runbook', 'runs', runIdOf(stdout), 'audit.jsonl'), 'utf8');
    const end = parseAuditText(text).records.find((r) => r.type === 'step:end' && r.stepId === 'prune');
    return end?.data as { status: string; outputs: Record<string, string[]> };
  };

  it('moves after hot, deletes after cold, keeps a monthly backup for archive and the newest always, leaves other files alone; a re-run does nothing', async () => {
    const month = new Date(Date.now() - 150 * DAY);
    const firstOfMonth = (Date.now() - Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1, 2)) / DAY;
    plant(hot, name('20990101-020000'), 1); // fresh
    plant(hot, name('20990102-020000', ''), 40, true); // a pg_basebackup directory past hot
    plant(hot, name('20990103-020000'), firstOfMonth); // the month's first: compliance
    plant(hot, name('20990104-020000'), firstOfMonth - 1); // same month, past cold
    plant(cold, name('20990105-020000'), 400); // past archive
    plant(hot, 'platform-production-manual-before-upgrade.dump', 500); // not this plan's name
    plant(hot, `${T}-20990106-020000-other-plan-abcd.dump`, 500); // another plan's

    const first = await runCliAsync(['run', 'prune-files', '--root', root]);
    expect(first.status, first.stderr).toBe(0);
    const a = outputsOf(first.stdout);
    expect(a.status).toBe('succeeded');
    expect(a.outputs.moved.sort()).toEqual([
      join(cold, name('20990102-020000', '')),
      join(cold, name('20990103-020000')),
    ]);
    expect(a.outputs.deleted.sort()).toEqual([join(cold, name('20990105-020000')), join(hot, name('20990104-020000'))]);
    expect(a.outputs.kept).toEqual([join(hot, name('20990101-020000'))]);
    expect(readdirSync(hot).sort()).toEqual(
      [
        name('20990101-020000'),
        'platform-production-manual-before-upgrade.dump',
        `${T}-20990106-020000-other-plan-abcd.dump`,
      ].sort(),
    );
    expect(readdirSync(cold).sort()).toEqual([name('20990102-020000', ''), name('20990103-020000')]);
    // A move keeps the modification time: the age goes on counting from the backup.
    expect(Date.now() - statSync(join(cold, name('20990102-020000', ''))).mtimeMs).toBeGreaterThan(39 * DAY);
    expect(existsSync(join(cold, name('20990102-020000', ''), 'backup_manifest'))).toBe(true);

    const second = await runCliAsync(['run', 'prune-files', '--root', root]);
    expect(second.status, second.stderr).toBe(0);
    const b = outputsOf(second.stdout);
    expect(b.outputs).toMatchObject({ moved: [], deleted: [] });
    expect(b.outputs.kept).toHaveLength(3);
  });
});

/**
 * The lowered BackupPlan end to end on a throwaway PostgreSQL 15: pg_dump writes
 * `<target>-<run id>.dump`, then the prune step (files.prune-backups) recognises it as the plan's
 * own and keeps it (the newest), while the planted old dumps of the plan move or go.
 */
describe.skipIf(noPostgres)(
  noPostgres ? skipReason : 'a postgres BackupPlan prunes its directory after the dump (real PostgreSQL)',
  () => {
    let cluster: PgCluster | undefined;
    let dir: string;
    beforeAll(async () => {
      cluster = await startPostgres();
      dir = mkdtempSync(join(tmpdir(), 'runbook-pg-plan-'));
      mkdirSync(join(dir, 'runbooks'));
      writeFileSync(
        join(dir, 'runbooks', 'plan.yaml'),
        `apiVersion: runbook/v1
kind: BackupPlan
metadata: { name: ${PLAN}, owner: "@acme/dba" }
spec:
  schedule: "0 2 * * *"
  targets:
    - { id: ${T}, type: postgres, url: "{{secrets.PG_URL}}", method: pg_dump, directory: ${JSON.stringify(join(dir, 'backups'))}, archiveDirectory: ${JSON.stringify(join(dir, 'archive'))} }
  retention: { hot: 30d, cold: 90d, archive: 365d }
  secrets: [PG_URL]
`,
      );
      const c = spawnSync(process.execPath, [bin, 'compile', '--root', dir], { encoding: 'utf8', env: cliEnv() });
      expect(c.status, c.stdout + c.stderr).toBe(0);
    }, clusterTimeoutMs);
    afterAll(async () => {
      await cluster?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('keeps the new dump, moves the one past hot, deletes the one past archive', async () => {
      const backups = join(dir, 'backups');
      plant(backups, name('20260101-020000'), 40);
      plant(backups, name('20250101-020000'), 400);
      const r = await runCliAsync(['run', PLAN, '--root', dir], {
        PG_URL: cluster!.primaryUrl,
        PATH: `${pgBinDir}:${process.env.PATH ?? ''}`,
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const runId = runIdOf(r.stdout);
      expect(readdirSync(backups)).toEqual([`${T}-${runId}.dump`]);
      expect(readdirSync(join(dir, 'archive'))).toEqual([name('20260101-020000')]);
    });
  },
);

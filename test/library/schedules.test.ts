import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileTree } from '../../compiler/compile.js';
import { runbookWorkflowEmitter, runbookWorkflowPath } from '../../compiler/emit/workflows/runbook-workflow.js';
import { runCliAsync } from '../support/cli.js';
import { libraryRoot, repo } from '../support/library-root.js';

/**
 * Issue 15, the seeds' schedules in the library (`spec.schedule`): each scheduled Runbook's
 * authored cron is the seed's (cited next to each `schedule:` line in the runbook), its dispatch
 * workflow runs on a schedule, and a scheduled run — which passes no inputs — plans with every
 * input at its default (a dry run through the built CLI with no --input).
 */
const seedCrons: Record<string, string> = {
  // 001_82beaeb26372d100.txt:147-150, full backup "02:00 UTC daily".
  'postgres-base-backup': '0 2 * * *',
  // 003_3248b2d89d91d0db.txt:2060 "Frequency: Daily"; the time (00:30) is the library's choice.
  'platform-config-backup': '30 0 * * *',
  // 001_82beaeb26372d100.txt:181-183, file snapshots "05:00 UTC daily".
  'application-files-backup': '0 5 * * *',
  // 003_3248b2d89d91d0db.txt:1469 snapshots "Daily at 04:00 UTC"; cleanup and copy after, at 05:00.
  'elasticache-snapshot-management': '0 5 * * *',
  // 003_3248b2d89d91d0db.txt:3450 RDS Export (S3) checksums "Monthly"; the 1st at 06:00 is chosen.
  's3-backup-checksums': '0 6 1 * *',
  // 003_3248b2d89d91d0db.txt:3446 weekly Sunday and 001_82beaeb26372d100.txt:1335 weekly restore test;
  // 03:00, after Sunday's 02:00 full backup.
  'postgres-weekly-backup-validation': '0 3 * * 0',
  // 003_3248b2d89d91d0db.txt:3451 Redis "Monthly (1st of month)", restore to a test server.
  'redis-monthly-restore-test': '30 3 1 * *',
};

const result = compileTree(repo);
const runbooks = result.graphs.filter((g) => g.origin.kind === 'Runbook');
const workflows = new Map(runbookWorkflowEmitter.emit(result).map((f) => [f.path, f.content]));
const { root, remove } = libraryRoot();
afterAll(remove);

describe('the seeds’ schedules in the library', () => {
  it('compiles without errors', () => {
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('schedules exactly the runbooks a seed gives a schedule for', () => {
    const scheduled = runbooks.filter((g) => g.schedule !== undefined).map((g) => g.name);
    expect(scheduled.sort()).toEqual(Object.keys(seedCrons).sort());
  });

  it.each(Object.entries(seedCrons))('%s: the authored cron is the seed’s %s', (name, cron) => {
    expect(runbooks.find((g) => g.name === name)?.schedule).toBe(cron);
  });

  it.each(Object.entries(seedCrons))('%s: its dispatch workflow runs on a schedule', (name, cron) => {
    const text = workflows.get(runbookWorkflowPath(name));
    expect(text, name).toBeDefined();
    const on = (parse(text!) as { on: { schedule?: { cron: string }[] } }).on;
    expect(on.schedule).toHaveLength(1);
    // Off minute :00 (docs/format-reference.md, "Generated workflows: schedules"): hour, day,
    // month and weekday kept; a minute other than 0 is kept as written.
    const [minute, ...rest] = cron.split(' ');
    const emitted = on.schedule![0].cron.split(' ');
    expect(emitted.slice(1)).toEqual(rest);
    if (minute === '0') expect(text).toContain(`schedule: authored '${cron}'`);
    else expect(emitted[0]).toBe(minute);
  });

  it.each(Object.keys(seedCrons))(
    '%s: a dry run with no --input (a scheduled run) succeeds',
    { timeout: 90_000 },
    async (name) => {
      const r = await runCliAsync(['run', name, '--dry-run', '--root', root, '--as', '@sre'], {}, 80_000);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toContain(`✔ ${name} succeeded`);
    },
  );
});

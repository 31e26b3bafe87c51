import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync, stepEndsOf } from '../../support/cli.js';
import { libraryRoot } from '../../support/library-root.js';

/**
 * Library runbooks whose steps need AWS, kubectl or a production database run here only as a dry
 * run, through the built CLI (`runbook run NAME --dry-run`): the plan is checked (steps in order,
 * the commands rendered with the inputs), nothing acts. drills/ci-exercises.json claims "dry run"
 * for them on the strength of this file (test/emit/ci-exercises.test.ts checks the claim).
 */
const { root, remove } = libraryRoot();
afterAll(remove);

/** The steps the CLI started, in order (`  ▸ <step-id> <action>` lines). */
const started = (stdout: string) => [...stdout.matchAll(/^\s+▸ (\S+) /gm)].map((m) => m[1]);

describe('library runbooks as dry runs through the CLI', () => {
  it('database-corruption-recovery: contain, restore to the point in time, validate, switch', async () => {
    const r = await runCliAsync(
      [
        'run',
        'database-corruption-recovery',
        '--dry-run',
        '--root',
        root,
        '--as',
        '@sre',
        '--input',
        'recovery_point=2026-11-22T09:30:00Z',
      ],
      {},
      90_000,
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // Progress lines go to stderr, the run id and summary to stdout: read both.
    const out = r.stdout + r.stderr;
    expect(out).toContain('(dry run)');
    const order = started(out);
    // The point-in-time branch runs; the snapshot branch (find/restore-snapshot) is skipped by its `if:`.
    expect(order.slice(0, 6)).toEqual([
      'notify-corruption',
      'stop-writes',
      'forensic-snapshot',
      'approve-restore',
      'restore-point-in-time',
      'wait-recovered',
    ]);
    expect(order.indexOf('validate-data')).toBeLessThan(order.indexOf('switch-database'));
    expect(order).not.toContain('restore-snapshot');
    expect(out).toMatch(/stop-writes │ \[dry run\] bash: kubectl scale deployment\/order-service/);
    expect(out).toContain('restore ecommerce-prod-db to 2026-11-22T09:30:00Z as new RDS instance');
    const ends = stepEndsOf(root, r.stdout);
    expect(ends['restore-snapshot']?.status).toBe('skipped');
    expect(ends['notify-recovered']?.status).toBe('succeeded');
  });
});

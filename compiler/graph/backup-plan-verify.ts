import type { BackupPlanDocData, BackupTargetSpec } from '../model/specs.js';
import { postgresScripts } from './backup-scripts.js';
import { region, type Lowered } from './backup-plan-lowered.js';

/** Restore each target's backup (into a scratch database or a temporary instance), then run the checks on it. */
export function verifySteps(plan: BackupPlanDocData, t: BackupTargetSpec): Lowered[] {
  const verify = plan.spec.verify!;
  // Without credentials for the restored instance the checks cannot run; the backup-plan rule reports it.
  const runnable = t.type === 'postgres' || verify.url !== undefined;
  return [restoreStep(verify, t), ...(runnable ? checkSteps(verify, t) : [])];
}

type VerifySpec = NonNullable<BackupPlanDocData['spec']['verify']>;

function checkSteps(verify: VerifySpec, t: BackupTargetSpec): Lowered[] {
  return (verify.checks ?? []).map(
    (c, ci): Lowered => ({
      origin: `/spec/verify/checks/${ci}`,
      fields: { '/with/sql': `/spec/verify/checks/${ci}/sql`, '/assert/0': `/spec/verify/checks/${ci}/expect` },
      step: {
        id: `check-${t.id}-${c.name}`,
        title: `Check ${c.name} on restored ${t.id}`,
        uses: 'postgres.query',
        needs: [`restore-${t.id}`],
        with:
          t.type === 'rds'
            ? { url: verify.url ?? '', host: `{{steps.restore-${t.id}.outputs.endpoint}}`, sql: c.sql }
            : { url: t.url ?? '', database: verify.scratchDatabase ?? `${t.id}_verify`, sql: c.sql },
        ...(c.expect ? { assert: [c.expect] } : {}),
        timeout: '5m',
        estimate: '30s',
      },
    }),
  );
}

function restoreStep(verify: VerifySpec, t: BackupTargetSpec): Lowered {
  if (t.type === 'postgres') {
    const script = postgresScripts[t.method ?? 'pg_dump'];
    return {
      origin: '/spec/verify',
      step: {
        id: `restore-${t.id}`,
        title: `Restore ${t.id} into a scratch database`,
        run: script.restore,
        env: {
          DATABASE_URL: t.url ?? '',
          BACKUP_PATH: `{{steps.backup-${t.id}.outputs.path}}`,
          SCRATCH_DB: verify.scratchDatabase ?? `${t.id}_verify`,
        },
        timeout: verify.timeout ?? '1h',
        estimate: '15m',
      },
    };
  }
  return {
    origin: '/spec/verify',
    step: {
      id: `restore-${t.id}`,
      title: `Restore ${t.id} snapshot to a temporary instance`,
      uses: 'aws.rds.restore-db-instance-from-snapshot',
      with: {
        ...region(t),
        dbInstanceIdentifier: verifyInstanceId(t),
        dbSnapshotIdentifier: `{{steps.snapshot-${t.id}.outputs.snapshot}}`,
        ...(verify.instanceClass ? { dbInstanceClass: verify.instanceClass } : {}),
        wait: true,
      },
      outputs: { endpoint: '{{result.endpoint}}' },
      timeout: verify.timeout ?? '1h',
      estimate: '25m',
    },
  };
}

/** The temporary instance a verification restores to (and `finally` deletes). */
const verifyInstanceId = (t: BackupTargetSpec) => `${t.id}-verify-{{run.id}}`;

/**
 * The restore of target `t` started (any status but skipped or never run): a restore that failed
 * or timed out halfway may still have created the database or instance, so it is cleaned up too.
 */
const restoreStarted = (t: BackupTargetSpec) =>
  `{{and steps.restore-${t.id}.status (ne steps.restore-${t.id}.status 'skipped')}}`;

/**
 * `finally`: drop the scratch database (DROP DATABASE IF EXISTS) or delete the temporary instance
 * (delete-db-instance treats an absent instance as done), so the cleanup is idempotent.
 */
export function cleanupStep(plan: BackupPlanDocData, t: BackupTargetSpec): Lowered {
  const verify = plan.spec.verify!;
  if (t.type === 'postgres') {
    const script = postgresScripts[t.method ?? 'pg_dump'];
    return {
      origin: '/spec/verify',
      step: {
        id: `cleanup-${t.id}`,
        title: `Drop the scratch database of ${t.id}`,
        if: restoreStarted(t),
        run: script.cleanup,
        env: { DATABASE_URL: t.url ?? '', SCRATCH_DB: verify.scratchDatabase ?? `${t.id}_verify` },
        timeout: '10m',
        estimate: '1m',
        idempotent: true,
      },
    };
  }
  return {
    origin: '/spec/verify',
    step: {
      id: `delete-${t.id}-restore`,
      title: `Delete the temporary instance of ${t.id}`,
      if: restoreStarted(t),
      uses: 'aws.rds.delete-db-instance',
      with: { ...region(t), dbInstanceIdentifier: verifyInstanceId(t), skipFinalSnapshot: true },
      timeout: '30m',
      estimate: '10m',
    },
  };
}

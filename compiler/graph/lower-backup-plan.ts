import type { LoadedDoc } from '../load/loaded-doc.js';
import { SourceMap } from '../load/source-map.js';
import type { BackupPlanDocData, BackupTargetSpec, PhaseSpec, RunbookDocData, StepSpec } from '../model/specs.js';
import type { RunbookUnit } from '../rules/rule.js';
import { resolveDependencies } from './dependencies.js';
import { BACKUP_TAGS } from '../../ir/backup-tags.js';
import { postgresScripts } from './backup-scripts.js';

/** A lowered step and the pointer in the BackupPlan it came from (for diagnostics). */
interface Lowered {
  readonly step: StepSpec;
  readonly origin: string;
  /** Sub-pointers of the step mapped to sub-pointers of the plan. */
  readonly fields?: Record<string, string>;
}

/**
 * Lowers a BackupPlan into a Runbook graph: back up → copy → verify → prune, then `finally`:
 * drop each scratch database / delete each verification instance, then the report. Under
 * `onFailure: abort` a failed backup, copy or check stops the phases, so prune (which deletes old
 * backups) runs only when every backup of this run exists and verified; the cleanup and the
 * report run whatever the outcome (docs/format-reference.md, "BackupPlan lowering"). The result
 * is compiled and checked like any runbook; its source map points into the plan's file.
 */
export function lowerBackupPlan(doc: LoadedDoc, plan: BackupPlanDocData): RunbookUnit {
  const { spec, metadata } = plan;
  const phases: { phase: Omit<PhaseSpec, 'steps'>; steps: Lowered[] }[] = [
    {
      phase: { id: 'backup', title: 'Take backups', parallel: true },
      steps: spec.targets.flatMap((t, i) => backupSteps(plan, t, i)),
    },
    { phase: { id: 'copy', title: 'Copy to other regions', parallel: true }, steps: copySteps(plan) },
    {
      phase: { id: 'verify', title: 'Verify by restoring', parallel: true },
      steps: spec.verify ? spec.targets.flatMap((t, i) => verifySteps(plan, t, i)) : [],
    },
    {
      phase: { id: 'prune', title: 'Apply retention', parallel: true },
      steps: spec.retention ? spec.targets.flatMap((t, i) => pruneSteps(plan, t, i)) : [],
    },
  ].filter((p) => p.steps.length > 0);
  const cleanup = spec.verify ? spec.targets.map((t) => cleanupStep(plan, t)) : [];
  const fin = [...cleanup, ...(spec.notify ? [notifyStep(plan)] : [])];
  const data: RunbookDocData = {
    apiVersion: plan.apiVersion,
    kind: 'Runbook',
    metadata: {
      ...metadata,
      title: metadata.title ?? `Backup plan ${metadata.name}`,
      tags: [...(metadata.tags ?? []), 'backup'],
    },
    spec: {
      ...(spec.objectives ? { objectives: spec.objectives } : {}),
      inputs: { ...(spec.inputs ?? {}) },
      secrets: [...(spec.secrets ?? [])],
      concurrency: `backup-${metadata.name}`,
      onFailure: 'abort',
      phases: phases.map((p) => ({ ...p.phase, steps: p.steps.map((s) => s.step) })),
      ...(fin.length ? { finally: fin.map((s) => s.step) } : {}),
    },
  };
  const map = new SourceMap(doc.file);
  map.set('', doc.map.range(''));
  for (const key of ['metadata', 'spec', 'apiVersion', 'kind']) map.set(`/${key}`, doc.map.range(`/${key}`));
  map.set('/metadata/name', doc.map.range('/metadata/name'));
  for (const name of Object.keys(spec.inputs ?? {}))
    map.set(`/spec/inputs/${name}`, doc.map.range(`/spec/inputs/${name}`));
  phases.forEach((p, pi) => p.steps.forEach((s, si) => mapStep(map, doc, `/spec/phases/${pi}/steps/${si}`, s)));
  fin.forEach((s, i) => mapStep(map, doc, `/spec/finally/${i}`, s));
  const lowered: LoadedDoc = {
    file: doc.file,
    format: doc.format,
    kind: 'Runbook',
    data: data as unknown as Record<string, unknown>,
    map,
  };
  return { doc: lowered, data, deps: resolveDependencies(data.spec), loweredFrom: doc };
}

/** A lowered step's pointers (and the sub-pointers it names) point at its origin in the plan. */
function mapStep(map: SourceMap, doc: LoadedDoc, base: string, s: Lowered): void {
  map.set(base, doc.map.range(s.origin));
  map.set(`${base}/id`, doc.map.range(s.origin));
  for (const [field, origin] of Object.entries(s.fields ?? {})) map.set(`${base}${field}`, doc.map.range(origin));
}

const region = (t: BackupTargetSpec) => (t.region ? { region: t.region } : {});

function backupSteps(plan: BackupPlanDocData, t: BackupTargetSpec, i: number): Lowered[] {
  const origin = `/spec/targets/${i}`;
  if (t.type === 'postgres') {
    const script = postgresScripts[t.method ?? 'pg_dump'];
    return [
      {
        origin,
        fields: { '/env/DATABASE_URL': `${origin}/url` },
        step: {
          id: `backup-${t.id}`,
          title: `${t.method ?? 'pg_dump'} of ${t.id}`,
          run: script.backup,
          env: {
            DATABASE_URL: t.url ?? '',
            BACKUP_DIR: t.directory ?? '/var/backups/postgres',
            TARGET: t.id,
            RUN_ID: '{{run.id}}',
          },
          outputs: { path: '{{result.outputs.path}}' },
          timeout: '2h',
          estimate: '20m',
        },
      },
    ];
  }
  return [
    {
      origin,
      step: {
        id: `snapshot-${t.id}`,
        title: `Snapshot ${t.dbInstanceIdentifier ?? t.id}`,
        uses: 'aws.rds.create-db-snapshot',
        with: {
          ...region(t),
          dbInstanceIdentifier: t.dbInstanceIdentifier ?? t.id,
          dbSnapshotIdentifier: `${t.id}-{{run.id}}`,
          tags: backupTags(plan, t),
          wait: false,
        },
        outputs: { snapshot: '{{result.dbSnapshotIdentifier}}' },
        timeout: '10m',
        estimate: '2m',
        retry: { attempts: 3, delay: '30s', backoff: 'exponential' },
      },
    },
    {
      origin,
      step: {
        id: `wait-${t.id}`,
        title: `Wait for snapshot of ${t.id}`,
        uses: 'aws.rds.wait-available',
        needs: [`snapshot-${t.id}`],
        with: { ...region(t), dbSnapshotIdentifier: `{{steps.snapshot-${t.id}.outputs.snapshot}}` },
        timeout: '1h',
        estimate: '20m',
      },
    },
  ];
}

function copySteps(plan: BackupPlanDocData): Lowered[] {
  return plan.spec.targets.flatMap((t) =>
    t.type !== 'rds'
      ? []
      : (plan.spec.copyTo ?? []).map((c, ci) => ({
          origin: `/spec/copyTo/${ci}`,
          step: {
            id: `copy-${t.id}-${c.region}`,
            title: `Copy ${t.id} snapshot to ${c.region}`,
            uses: 'aws.rds.copy-db-snapshot',
            needs: [`wait-${t.id}`],
            with: {
              region: c.region,
              ...(t.region ? { sourceRegion: t.region } : {}),
              sourceDbSnapshotIdentifier: `{{steps.snapshot-${t.id}.outputs.snapshot}}`,
              targetDbSnapshotIdentifier: `${t.id}-{{run.id}}-${c.region}`,
              ...(c.kmsKeyId ? { kmsKeyId: c.kmsKeyId } : {}),
              tags: backupTags(plan, t),
              wait: true,
            },
            timeout: '2h',
            estimate: '30m',
            idempotent: false,
            retry: { attempts: 3, delay: '1m', backoff: 'exponential' },
          },
        })),
  );
}

function verifySteps(plan: BackupPlanDocData, t: BackupTargetSpec, i: number): Lowered[] {
  const verify = plan.spec.verify!;
  const origin = `/spec/targets/${i}`;
  // Without credentials for the restored instance the checks cannot run; the backup-plan rule reports it.
  const runnable = t.type === 'postgres' || verify.url !== undefined;
  const checks = (runnable ? (verify.checks ?? []) : []).map(
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
  if (t.type === 'postgres') {
    const script = postgresScripts[t.method ?? 'pg_dump'];
    return [
      {
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
      },
      ...checks,
    ];
  }
  return [
    {
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
    },
    ...checks,
  ];
}

/**
 * Tags of every snapshot and copy the plan makes: the prune steps touch only snapshots carrying
 * them, and age a copy from the run that took the backup (see docs/format-reference.md).
 */
function backupTags(plan: BackupPlanDocData, t: BackupTargetSpec): Record<string, string> {
  return {
    [BACKUP_TAGS.plan]: plan.metadata.name,
    [BACKUP_TAGS.target]: t.id,
    [BACKUP_TAGS.createdAt]: '{{run.startedAt}}',
  };
}

/**
 * Retention (docs/format-reference.md, BackupPlan retention): an RDS target is pruned in its own
 * region and in every `copyTo` region (its DR copies); a postgres target in its directory and
 * `archiveDirectory`. Manual snapshots live for `cold` (`hot` when there is no `cold`): `hot` is
 * the instance's automated backups, which RDS prunes itself; the source-region step checks it.
 */
function pruneSteps(plan: BackupPlanDocData, t: BackupTargetSpec, i: number): Lowered[] {
  const r = plan.spec.retention ?? {};
  const tiers = (names: readonly ('hot' | 'cold' | 'archive')[]) =>
    Object.fromEntries(names.filter((n) => r[n]).map((n) => [n, r[n]!]));
  const common = { plan: plan.metadata.name, target: t.id };
  const step = (id: string, title: string, uses: string, w: Record<string, unknown>): Lowered => ({
    origin: '/spec/retention',
    step: { id, title, uses, with: { ...w, ...common }, timeout: '15m', estimate: '1m' },
  });
  if (t.type === 'postgres') {
    const dirs = {
      directory: t.directory ?? '/var/backups/postgres',
      ...(t.archiveDirectory ? { archiveDirectory: t.archiveDirectory } : {}),
    };
    return [
      step(`prune-${t.id}`, `Apply retention to the backups of ${t.id}`, 'files.prune-backups', {
        ...dirs,
        ...tiers(['hot', 'cold', 'archive']),
      }),
    ];
  }
  const keep = { ...((r.cold ?? r.hot) ? { cold: r.cold ?? r.hot } : {}), ...tiers(['archive']) };
  const rds = { dbInstanceIdentifier: t.dbInstanceIdentifier ?? t.id, ...keep };
  return [
    step(`prune-${t.id}`, `Apply retention to the snapshots of ${t.id}`, 'aws.rds.prune-db-snapshots', {
      ...region(t),
      ...rds,
      ...tiers(['hot']),
    }),
    ...(plan.spec.copyTo ?? []).map((c) =>
      step(
        `prune-${t.id}-${c.region}`,
        `Apply retention to the ${c.region} copies of ${t.id}`,
        'aws.rds.prune-db-snapshots',
        { region: c.region, ...rds },
      ),
    ),
  ];
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
function cleanupStep(plan: BackupPlanDocData, t: BackupTargetSpec): Lowered {
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

/**
 * The report, last in `finally`: it runs whatever the outcome, after the cleanup (so a failed
 * cleanup is reported too). Besides the plan's own `vars` it gets the report variables below.
 */
function notifyStep(plan: BackupPlanDocData): Lowered {
  const n = plan.spec.notify!;
  return {
    origin: '/spec/notify',
    fields: { '/with/template': '/spec/notify/template' },
    step: {
      id: 'notify',
      title: 'Send the backup report',
      uses: 'notify',
      with: { ...n, vars: { ...reportVars(plan), ...(n.vars ?? {}) } },
      timeout: '5m',
      estimate: '10s',
    },
  };
}

/**
 * The variables every BackupPlan report gets (a plan's own `notify.vars` override them): `status`
 * (run.status), `failed` (run.failed), `results` (every step that ran so far, by id, with its
 * `status` and `error`: the Template says which step or check failed and why), what was taken
 * and where it was copied.
 */
export function reportVars(plan: BackupPlanDocData): Record<string, unknown> {
  const { targets, copyTo } = plan.spec;
  const made = targets.map((t) =>
    t.type === 'postgres' ? `{{steps.backup-${t.id}.outputs.path}}` : `{{steps.snapshot-${t.id}.outputs.snapshot}}`,
  );
  return {
    status: '{{run.status}}',
    failed: '{{run.failed}}',
    results: '{{steps}}',
    snapshot_id: made.join(', '),
    ...(copyTo?.length ? { copied_to: copyTo.map((c) => c.region).join(', ') } : {}),
  };
}

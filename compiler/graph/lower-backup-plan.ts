import type { LoadedDoc } from '../load/loaded-doc.js';
import { SourceMap } from '../load/source-map.js';
import type { BackupPlanDocData, BackupTargetSpec, PhaseSpec, RunbookDocData } from '../model/specs.js';
import type { RunbookUnit } from '../rules/rule.js';
import { resolveDependencies } from './dependencies.js';
import { postgresScripts } from './backup-scripts.js';
import { backupTags, region, type Lowered } from './backup-plan-lowered.js';
import { cleanupStep, verifySteps } from './backup-plan-verify.js';
import { notifyStep } from './backup-plan-report.js';

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
      steps: spec.verify ? spec.targets.flatMap((t) => verifySteps(plan, t)) : [],
    },
    {
      phase: { id: 'prune', title: 'Apply retention', parallel: true },
      steps: spec.retention ? spec.targets.flatMap((t) => pruneSteps(plan, t)) : [],
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

/**
 * Retention (docs/format-reference.md, BackupPlan retention): an RDS target is pruned in its own
 * region and in every `copyTo` region (its DR copies); a postgres target in its directory and
 * `archiveDirectory`. Manual snapshots live for `cold` (`hot` when there is no `cold`): `hot` is
 * the instance's automated backups, which RDS prunes itself; the source-region step checks it.
 */
function pruneSteps(plan: BackupPlanDocData, t: BackupTargetSpec): Lowered[] {
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

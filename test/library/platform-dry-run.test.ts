import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync, runIdsOf, stepEndsOf } from '../support/cli.js';
import { libraryRoot } from '../support/library-root.js';

/**
 * The platform runbooks of the library (issue 15: F10, F11, B13-B17), whose commands (kubectl,
 * helm, argocd, velero, istioctl, terraform, cdk, aws) cannot run here, exercised through the
 * built CLI: `plan --json` (phases, step order, the scripts with the seeds' values, approvals with
 * inputs rendered) and `run --dry-run` (the path `if:` chooses, every step planned, exit 0), and
 * a missing required input refused before any step (exit 6, naming the input).
 */
const { root, remove } = libraryRoot();
afterAll(remove);

interface PlanStep {
  id: string;
  title: string;
  uses: string;
  needs: string[];
  irreversible: boolean;
  timeoutMs?: number;
  plan: { summary: string; calls: { args: Record<string, unknown> }[] };
}
interface Plan {
  planHash: string;
  inputs: Record<string, unknown>;
  phases: { id: string; budgetMs?: number; steps: PlanStep[] }[];
}

const inputArgs = (inputs: Record<string, string>) =>
  Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]);

async function plan(name: string, inputs: Record<string, string> = {}): Promise<Plan> {
  const r = await runCliAsync(['plan', name, '--root', root, '--json', ...inputArgs(inputs)], {}, 60_000);
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Plan;
}

/** Step ids per phase, in plan order. */
const order = (p: Plan) => Object.fromEntries(p.phases.map((ph) => [ph.id, ph.steps.map((s) => s.id)]));
const step = (p: Plan, id: string) => p.phases.flatMap((ph) => ph.steps).find((s) => s.id === id)!;
const script = (p: Plan, id: string) => String(step(p, id).plan.calls[0]?.args.script ?? '');

/** A dry run: exit status and, from its journal, which steps succeeded or were skipped by their `if:`, in order. */
async function dryRun(name: string, inputs: Record<string, string>) {
  const r = await runCliAsync(
    ['run', name, '--root', root, '--dry-run', '--as', '@sre', ...inputArgs(inputs)],
    {},
    60_000,
  );
  const ends = runIdsOf(r.stdout).length === 1 ? Object.entries(stepEndsOf(root, r.stdout)) : [];
  const ran = ends.filter(([, e]) => e.status === 'succeeded').map(([id]) => id);
  const skipped = ends.filter(([, e]) => e.status === 'skipped').map(([id]) => id);
  return { ...r, ran, skipped };
}

const recovery = { target_region: 'us-west-2', environment: 'dr', reason: 'account compromise' };
const cdkSteps = [
  'cdk-prepare',
  'cdk-config',
  'deploy-network',
  'deploy-security',
  'deploy-database',
  'wait-rds',
  'restore-database',
  'deploy-cache',
  'deploy-eks',
  'wait-eks',
  'deploy-observability',
  'verify-stacks',
];

describe('platform-config-backup (B13-B17), planned and dry-run', { timeout: 120_000 }, () => {
  it('runs the seeds in order, with their schedules, retention and buckets', async () => {
    const p = await plan('platform-config-backup');
    expect(order(p)).toEqual({
      'terraform-state': ['tf-state-versioning', 'tf-state-lifecycle', 'tf-lock-table'],
      kubernetes: ['workdir', 'backup-kubernetes', 'backup-helm', 'backup-argocd'],
      'application-config': ['backup-application-config', 'backup-secrets-manager', 'backup-configs-004'],
      'cluster-backup': ['velero-schedules', 'istio-backup'],
      files: ['application-files'],
      retention: ['prune-local', 'check-s3-retention'],
      finally: ['remove-workdir'],
    });
    expect(p.inputs).toMatchObject({
      config_bucket: 'platform-config-backups',
      tf_state_bucket: 'platform-terraform-state',
      local_retention_days: 7,
    });
    // 001:905-909: noncurrent versions 90 days, STANDARD_IA after 30.
    expect(script(p, 'tf-state-lifecycle')).toMatch(/"NoncurrentDays": 90/);
    expect(script(p, 'tf-state-lifecycle')).toMatch(/"Days": 30, "StorageClass": "STANDARD_IA"/);
    // 000:567-607: the three Velero schedules with their crons and TTLs, applied idempotently.
    const velero = script(p, 'velero-schedules');
    expect(velero).toMatch(
      /apply daily-backup --schedule "0 2 \* \* \*"[\s\S]*--selector backup-enabled=true --ttl 720h/,
    );
    expect(velero).toMatch(/apply hourly-backup --schedule "0 \* \* \* \*"[\s\S]*--ttl 168h/);
    expect(velero).toMatch(/apply weekly-backup --schedule "0 6 \* \* 0"[\s\S]*--include-resources '\*' --ttl 2160h/);
    expect(velero).toContain('-o yaml | kubectl apply -n velero -f -');
    expect(velero).not.toContain('ingresses.networking.k8s.io');
    // 003: SSE-KMS with the backup key, secret names one per line.
    expect(script(p, 'backup-application-config')).toContain('--sse aws:kms --sse-kms-key-id "$KMS_KEY"');
    expect(script(p, 'backup-secrets-manager')).toContain(`jq -r '.SecretList[] | "\\(.Name)\\t\\(.ARN)"'`);
    expect(script(p, 'backup-helm')).toContain('helm list -A -o json');
    expect(script(p, 'istio-backup')).toContain('kubectl get "${kind%%:*}" -A -o yaml');
    expect(step(p, 'application-files').plan.summary).toContain('application-files-backup');
  });

  it('dry-runs every step, the child runbook and the cleanup', async () => {
    const r = await dryRun('platform-config-backup', {});
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.ran).toEqual([
      'tf-state-versioning',
      'tf-state-lifecycle',
      'tf-lock-table',
      'workdir',
      'backup-kubernetes',
      'backup-helm',
      'backup-argocd',
      'backup-application-config',
      'backup-secrets-manager',
      'backup-configs-004',
      'velero-schedules',
      'istio-backup',
      'application-files',
      'prune-local',
      'check-s3-retention',
      'remove-workdir',
    ]);
  });
});

describe('platform-config-restore (B14-B16 restore halves)', { timeout: 120_000 }, () => {
  it('restores Velero, then the configuration, then Istio in the seed order, after an approval naming the inputs', async () => {
    const p = await plan('platform-config-restore', { config_date: '2025-10-23-020000' });
    expect(order(p)).toEqual({
      prepare: ['pick-velero-backup', 'fetch-config', 'approve-restore'],
      velero: ['velero-restore', 'hook-update-dns', 'hook-update-istio'],
      'application-config': ['apply-configmaps', 'apply-secrets', 'restart-pods'],
      istio: ['istio-restore'],
      validate: ['istio-system-pods', 'mtls-status', 'service-connectivity'],
      finally: ['remove-config-workdir'],
    });
    expect(step(p, 'approve-restore').plan.summary).toContain('ConfigMaps and Secrets of 2025-10-23-020000');
    expect(script(p, 'velero-restore')).toContain('--restore-volumes=true --preserve-nodeports=true --wait');
    // 000:633-641: the two hooks, 300 s each.
    expect(step(p, 'hook-update-dns').timeoutMs).toBe(300_000);
    expect(step(p, 'hook-update-istio').timeoutMs).toBe(300_000);
    const istio = script(p, 'istio-restore');
    expect(istio).toContain('--timeout=300s');
    expect(istio).toMatch(
      /peer-authentications request-authentications authorization-policies destination-rules \\\n\s+virtual-services gateways service-entries telemetry/,
    );
  });

  it('refuses a run without the backup date, naming the input', async () => {
    const r = await dryRun('platform-config-restore', {});
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('input "config_date" is required');
    expect(r.ran).toEqual([]);
  });

  it('skips the Velero restore and its hooks when restore_velero is false', async () => {
    const r = await dryRun('platform-config-restore', { config_date: '2025-10-23-020000', restore_velero: 'false' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.skipped).toEqual(['pick-velero-backup', 'velero-restore', 'hook-update-dns', 'hook-update-istio']);
    expect(r.ran).toContain('apply-secrets');
  });
});

describe('platform-recovery (F10), CDK or Terraform', { timeout: 120_000 }, () => {
  it('deploys the six CDK stacks in the seed order, with timeouts of at least the seed estimate', async () => {
    const p = await plan('platform-recovery', recovery);
    expect(order(p).cdk).toEqual(cdkSteps);
    expect(step(p, 'approve-recreation').plan.summary).toContain('Recreate the dr platform in us-west-2 with cdk');
    for (const id of cdkSteps.filter((s) => s.startsWith('deploy-'))) {
      expect(script(p, id)).toContain(
        'cdk deploy "$STACK" --context "environment=$ENVIRONMENT" --require-approval never',
      );
      expect(script(p, id)).not.toContain('--region');
      expect(step(p, id).timeoutMs).toBeGreaterThanOrEqual(15 * 60_000); // 003:2515
    }
    expect(script(p, 'wait-rds')).toContain("DBInstances[?contains(DBInstanceIdentifier, 'ecommerce')]");
    expect(step(p, 'tf-apply').irreversible).toBe(true);
    expect(step(p, 'tf-apply').needs).toEqual(['approve-apply']);
  });

  it('dry-runs the CDK path and skips Terraform and the configuration restore', async () => {
    const r = await dryRun('platform-recovery', recovery);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.ran).toEqual(['notify-start', 'approve-recreation', ...cdkSteps, 'notify-end']);
    expect(r.skipped).toEqual(
      expect.arrayContaining(['tf-plan', 'tf-apply', 'k8s-apply', 'partial-apply', 'restore-config']),
    );
  });

  it('dry-runs the Terraform full path: plan, approval, apply, manifests, then platform-config-restore', async () => {
    const r = await dryRun('platform-recovery', { ...recovery, method: 'terraform', config_date: '2025-10-23-020000' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const main = r.ran.filter((s) => !['notify-start', 'approve-recreation', 'notify-end'].includes(s));
    expect(main).toEqual(['tf-plan', 'approve-apply', 'tf-apply', 'k8s-apply', 'restore-config']);
    expect(r.skipped).toEqual(expect.arrayContaining([...cdkSteps, 'partial-apply', 'data-only-database']));
  });

  it('dry-runs the Terraform partial and data-only paths', async () => {
    const partial = await dryRun('platform-recovery', { ...recovery, method: 'terraform', recovery_type: 'partial' });
    expect(partial.status, partial.stdout + partial.stderr).toBe(0);
    expect(partial.ran).toContain('partial-apply');
    expect(partial.skipped).toEqual(expect.arrayContaining(['tf-plan', 'tf-apply', 'data-only-database']));
    const data = await dryRun('platform-recovery', { ...recovery, method: 'terraform', recovery_type: 'data-only' });
    expect(data.status, data.stdout + data.stderr).toBe(0);
    expect(data.ran).toEqual(expect.arrayContaining(['data-only-database', 'data-only-files']));
    expect(data.skipped).toEqual(expect.arrayContaining(['tf-plan', 'partial-apply']));
  });

  it('refuses a run without the region and environment (the seed script exits with its usage)', async () => {
    const r = await dryRun('platform-recovery', { reason: 'x' });
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('input "target_region" is required');
    expect(r.stderr).toContain('input "environment" is required');
    expect(r.ran).toEqual([]);
  });
});

describe('application-recovery (F11)', { timeout: 120_000 }, () => {
  const app = { deployment: 'order-service', namespace: 'order-context', health_url: 'https://api.example.com/health' };

  it.each([
    ['container', ['pod-replaced', 'endpoints-restored', 'container-health']],
    [
      'deployment',
      [
        'identify-deployment',
        'approve-rollback',
        'rollback',
        'monitor-error-rates',
        'verify-functionality',
        'investigate-root-cause',
      ],
    ],
    [
      'data-corruption',
      [
        'approve-stop-writes',
        'stop-writes',
        'identify-scope',
        'restore-from-backup',
        'replay-transactions',
        'verify-integrity',
        'resume-operations',
      ],
    ],
  ])('%s: the seed steps of that procedure only, in order', async (failure, steps) => {
    const r = await dryRun('application-recovery', { ...app, failure });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.ran).toEqual(steps);
  });

  it('renders the inputs into the rollback approval and refuses an unknown failure type', async () => {
    const p = await plan('application-recovery', { ...app, failure: 'deployment' });
    expect(step(p, 'approve-rollback').plan.summary).toContain('order-context/order-service');
    expect(script(p, 'rollback')).toContain('kubectl rollout undo "deployment/$DEPLOYMENT" -n "$NAMESPACE"');
    const r = await dryRun('application-recovery', { ...app, failure: 'meteor' });
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('failure');
  });
});

describe('kafka-backup and kafka-topic-restore (B10)', { timeout: 120_000 }, () => {
  it('backs up in the seed order and restores by the path the source chooses', async () => {
    const p = await plan('kafka-backup');
    expect(order(p)).toEqual({
      mirror: ['workdir', 'apply-mirror-maker', 'mirror-lag', 'verify-topic-data'],
      archive: ['archive-topics'],
      offsets: ['backup-offsets'],
      finally: ['remove-workdir'],
    });
    expect(script(p, 'archive-topics')).toContain('--storage-class INTELLIGENT_TIERING');
    expect(script(p, 'archive-topics')).toContain('"retention_days": 90');
    const s3 = await dryRun('kafka-topic-restore', {
      topic: 'order-events',
      source: 's3-archive',
      archive_date: '2026-12-01',
    });
    expect(s3.status, s3.stdout + s3.stderr).toBe(0);
    expect(s3.ran).toEqual(['check-inputs', 'approve-restore', 'download-verify', 'replay', 'cleanup']);
    const mirror = await dryRun('kafka-topic-restore', { topic: 'order-events', consumer_group: 'orders' });
    expect(mirror.ran).toEqual([
      'check-inputs',
      'approve-restore',
      'create-topic',
      'reset-offsets',
      'copy-from-backup',
      'cleanup',
    ]);
  });

  it('refuses a restore without a topic', async () => {
    const r = await dryRun('kafka-topic-restore', { source: 's3-archive' });
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('input "topic" is required');
  });
});

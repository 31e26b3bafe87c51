import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, stepEndsOf } from '../support/cli.js';
import { libraryRoot } from '../support/library-root.js';
import { missingCommands } from '../support/commands.js';

/**
 * platform-config-restore (B14-B16 restore halves) run live against stand-ins for kubectl, velero,
 * istioctl, aws and sleep (the seed's 10-second pauses, logged instead of slept): the newest
 * Completed Velero backup is chosen, the restore's phase is checked, the hooks run, the
 * configuration archive written by platform-config-backup's layout is applied without the fields
 * and objects that make `kubectl apply` fail (resourceVersion, uid, managedFields, the cluster's
 * kube-root-ca.crt and service-account tokens; real yq), and the Istio kinds are applied in the
 * seed's order. Secret values never reach the output.
 */
const { root, remove } = libraryRoot();
const stubs = join(root, 'stubs');
const log = join(stubs, 'calls.log');
const applied = join(stubs, 'applied');
const s3 = join(stubs, 's3');
const hooks = join(root, 'hooks');
const secret = 'cGFzc3dvcmQtbmV2ZXItcHJpbnRlZA==';
const date = '2026-12-04-020000';

const stubScript = `#!/bin/bash
name=$(basename "$0")
printf '%s\\n' "$name $*" >> "$STUB_LOG"
case "$name $*" in
  "kubectl get backups.velero.io"*)
    echo '{"items":[
      {"metadata":{"name":"daily-backup-20261203020000"},"status":{"phase":"Completed","completionTimestamp":"2026-12-03T02:10:00Z"}},
      {"metadata":{"name":"daily-backup-20261205020000"},"status":{"phase":"Failed","completionTimestamp":"2026-12-05T02:10:00Z"}},
      {"metadata":{"name":"daily-backup-20261204020000"},"status":{"phase":"Completed","completionTimestamp":"2026-12-04T02:10:00Z"}}]}' ;;
  "kubectl apply"*) n=$(ls "$STUB_APPLIED" | wc -l); cat > "$STUB_APPLIED/$(printf %02d "$n").out" ;;
  "velero restore get"*) echo "{\\"status\\":{\\"phase\\":\\"$STUB_RESTORE_PHASE\\"}}" ;;
  "aws s3 cp"*) cp "$STUB_S3/\${3#s3://}" "$4" ;;
esac
`;

const list = (items: string) => `apiVersion: v1\nkind: List\nitems:\n${items}`;
const configmaps = list(`- apiVersion: v1
  kind: ConfigMap
  metadata: { name: kube-root-ca.crt, namespace: order-context, resourceVersion: "11", uid: u1 }
  data: { ca.crt: x }
- apiVersion: v1
  kind: ConfigMap
  metadata: { name: order-config, namespace: order-context, resourceVersion: "12", uid: u2, managedFields: [{ manager: kubectl }] }
  data: { LOG_LEVEL: info }
`);
const secrets = list(`- apiVersion: v1
  kind: Secret
  type: kubernetes.io/service-account-token
  metadata: { name: default-token, namespace: order-context, resourceVersion: "13", uid: u3 }
- apiVersion: v1
  kind: Secret
  type: Opaque
  metadata: { name: db-credentials, namespace: order-context, resourceVersion: "14", uid: u4 }
  data: { password: ${secret} }
`);

function writeFixtures(): void {
  mkdirSync(join(stubs, 'bin'), { recursive: true });
  for (const name of ['kubectl', 'velero', 'istioctl', 'aws', 'sleep']) {
    writeFileSync(join(stubs, 'bin', name), stubScript);
    chmodSync(join(stubs, 'bin', name), 0o755);
  }
  const cfg = join(stubs, 'cfg', `config-backup-${date}`);
  mkdirSync(cfg, { recursive: true });
  writeFileSync(join(cfg, 'configmaps.yaml'), configmaps);
  writeFileSync(join(cfg, 'secrets.yaml'), secrets);
  const key = join(s3, 'ecommerce-backups-prod-us-east-1', 'application-config', date);
  mkdirSync(key, { recursive: true });
  execFileSync('tar', ['-czf', join(key, 'config-backup.tar.gz'), '-C', join(stubs, 'cfg'), `config-backup-${date}`]);
  const istio = join(root, 'istio-backups', 'istio');
  mkdirSync(istio, { recursive: true });
  const kinds = ['virtual-services', 'peer-authentications', 'telemetry', 'authorization-policies'];
  for (const k of kinds)
    writeFileSync(join(istio, `${k}.yaml`), list(`- { kind: ${k}, metadata: { name: a, resourceVersion: "1" } }\n`));
  execFileSync('tar', [
    '-czf',
    join(istio, 'istio-backup-20261204-020000.tar.gz'),
    '-C',
    istio,
    ...kinds.map((k) => `${k}.yaml`),
  ]);
  mkdirSync(hooks);
  for (const h of ['update-dns-after-restore.sh', 'update-istio-after-restore.sh']) {
    writeFileSync(join(hooks, h), `#!/bin/bash\necho "${h}" >> "$STUB_LOG"\n`);
    chmodSync(join(hooks, h), 0o755);
  }
}

const env = (phase: string) => ({
  PATH: `${join(stubs, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
  STUB_LOG: log,
  STUB_S3: s3,
  STUB_APPLIED: applied,
  STUB_RESTORE_PHASE: phase,
  RUNBOOK_SHELL_PASSTHROUGH: 'STUB_LOG,STUB_S3,STUB_APPLIED,STUB_RESTORE_PHASE',
});

async function restore(phase: string) {
  writeFileSync(log, '');
  execFileSync('rm', ['-rf', applied]);
  mkdirSync(applied);
  const inputs = { config_date: date, istio_backup_dir: join(root, 'istio-backups'), hooks_dir: hooks };
  const inputArgs = Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]);
  const plan = await runCliAsync(
    ['plan', 'platform-config-restore', '--root', root, '--json', ...inputArgs],
    {},
    60_000,
  );
  const { planHash } = JSON.parse(plan.stdout) as { planHash: string };
  const approvals = join(root, `approvals-${phase}.json`);
  writeFileSync(
    approvals,
    JSON.stringify({ approvals: [{ step: 'approve-restore', approver: '@alice-johnson', planHash }] }),
  );
  const args = ['run', 'platform-config-restore', '--root', root, '--as', '@sre', '--approvals', approvals];
  const r = await runCliAsync([...args, ...inputArgs], env(phase), 90_000);
  return { ...r, steps: r.stdout.includes('run id:') ? stepEndsOf(root, r.stdout) : {} };
}

/** The documents piped to `kubectl apply`, in order, as parsed objects (yq prints YAML or JSON). */
function appliedDocs(): {
  kind: string;
  items: { kind: string; type?: string; metadata: Record<string, unknown> }[];
}[] {
  const files = execFileSync('ls', [applied], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  return files.map((f) => JSON.parse(execFileSync('yq', ['.', join(applied, f)], { encoding: 'utf8' })) as never);
}

beforeAll(writeFixtures);
afterAll(remove);

const skip = missingCommands('jq', 'yq', 'tar');

describe.skipIf(skip)(skip ?? 'platform-config-restore against stand-in tools', { timeout: 120_000 }, () => {
  it('restores the newest Completed backup, runs the hooks, applies the configuration and Istio in order', async () => {
    const r = await restore('Completed');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.steps['pick-velero-backup'].outputs).toMatchObject({ backup: 'daily-backup-20261204020000' });
    const c = readFileSync(log, 'utf8').split('\n');
    const restoreLine = c.find((l) => l.startsWith('velero restore create'));
    expect(restoreLine).toMatch(
      /^velero restore create platform-restore-\S+ --from-backup daily-backup-20261204020000 --restore-volumes=true --preserve-nodeports=true --wait$/,
    );
    expect(c.indexOf('update-dns-after-restore.sh')).toBeGreaterThan(c.indexOf(restoreLine!));
    expect(c.indexOf('update-istio-after-restore.sh')).toBeGreaterThan(c.indexOf('update-dns-after-restore.sh'));

    const docs = appliedDocs();
    // ConfigMaps, Secrets, then the Istio kinds in the seed's order (those present in the archive).
    expect(docs.map((d) => d.items.map((i) => i.kind).join(','))).toEqual([
      'ConfigMap',
      'Secret',
      'peer-authentications',
      'authorization-policies',
      'virtual-services',
      'telemetry',
    ]);
    expect(docs[0].items[0].metadata).toEqual({ name: 'order-config', namespace: 'order-context' });
    expect(docs[1].items[0]).toMatchObject({
      type: 'Opaque',
      metadata: { name: 'db-credentials', namespace: 'order-context' },
    });
    expect(c.filter((l) => l === 'sleep 10')).toHaveLength(4);
    expect(c).toContain('kubectl rollout restart deployment/order-service -n order-context');
    expect(existsSync(String((r.steps['fetch-config'].outputs as Record<string, string>).work))).toBe(false);
  });

  it('stops at a PartiallyFailed Velero restore (velero --wait exits 0 on it): no hook, no apply', async () => {
    const r = await restore('PartiallyFailed');
    expect(r.status, r.stdout + r.stderr).toBe(4);
    expect(r.steps['velero-restore'].status).toBe('failed');
    expect(readFileSync(log, 'utf8')).not.toContain('update-dns-after-restore.sh');
    expect(appliedDocs()).toEqual([]);
    expect(r.steps['remove-config-workdir'].status).toBe('succeeded');
  });
});

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, stepEndsOf } from '../support/cli.js';
import { libraryRoot } from '../support/library-root.js';
import { missingCommands } from '../support/commands.js';

/**
 * The platform runbooks' scripts run for real (live mode, not a dry run) against stand-ins for
 * the cloud and cluster tools they call: one bash script installed on PATH as aws, kubectl, helm,
 * argocd, velero, cdk and npm, which logs each call (and the region variables CDK reads) and
 * answers with canned output; `aws s3 cp` of a local file copies it into a directory per bucket,
 * so the uploaded archives can be opened. jq, tar and find are the real ones. What this proves
 * that a dry run cannot: the inputs reach the commands (rendered env), the seed bugs fixed in the
 * runbooks stay fixed (secret names one per line, `/` in a name, Helm releases of the same name in
 * two namespaces, no `cdk --region`, a missing snapshot), and secret values stay out of the output.
 */
const { root, remove } = libraryRoot();
const stubs = join(root, 'stubs');
const log = join(stubs, 'calls.log');
const s3 = join(stubs, 's3');
const secretValue = 's3cr3t-value-never-printed';

const stubScript = `#!/bin/bash
name=$(basename "$0")
printf '%s\\n' "$name $*" >> "$STUB_LOG"
case "$name" in cdk|npm) printf '  env AWS_REGION=%s CDK_DEFAULT_REGION=%s\\n' "$AWS_REGION" "$CDK_DEFAULT_REGION" >> "$STUB_LOG" ;; esac
case "$name $*" in
  "kubectl get namespaces"*) echo "default voltage-soda" ;;
  "kubectl api-resources"*) echo pods ;;
  "kubectl apply"*) cat >> "$STUB_LOG" ;;
  "kubectl "*) printf 'apiVersion: v1\\nkind: List\\nitems: []\\n' ;;
  "helm list"*) echo '[{"name":"web","namespace":"shop"},{"name":"web","namespace":"blog"}]' ;;
  "helm get"*) echo "# $*" ;;
  "argocd "*) echo "[]" ;;
  "velero schedule create"*) printf 'apiVersion: velero.io/v1\\nkind: Schedule\\nmetadata:\\n  name: %s\\n' "$3" ;;
  "aws s3 cp"*)
    if [ -f "$3" ] && [[ "$4" == s3://* ]]; then
      dest="$STUB_S3/\${4#s3://}"
      [[ "$dest" == */ ]] && dest="$dest$(basename "$3")"
      mkdir -p "$(dirname "$dest")" && cp "$3" "$dest"
    fi ;;
  "aws s3api get-bucket-versioning"*) echo Enabled ;;
  "aws s3api get-bucket-lifecycle-configuration"*--query*) echo 90 ;;
  "aws s3api get-bucket-lifecycle-configuration"*)
    echo '{"Rules":[{"Status":"Enabled","Filter":{"Prefix":"application-config/"},"Expiration":{"Days":90}},{"Status":"Enabled","Filter":{"Prefix":"secrets/"},"Expiration":{"Days":90}}]}' ;;
  "aws dynamodb describe-table"*) echo ACTIVE ;;
  "aws secretsmanager list-secrets"*)
    echo '{"SecretList":[{"Name":"prod/db/password","ARN":"arn:aws:secretsmanager:us-east-1:1:secret:prod/db/password"},{"Name":"api-key","ARN":"arn:aws:secretsmanager:us-east-1:1:secret:api-key"}]}' ;;
  "aws secretsmanager get-secret-value"*"--output text"*) echo "$STUB_SECRET" ;;
  "aws secretsmanager get-secret-value"*) echo "{\\"SecretString\\":\\"$STUB_SECRET\\",\\"VersionId\\":\\"v1\\"}" ;;
  "aws rds describe-db-instances"*) echo ecommerce-dr-db ;;
  "aws rds describe-db-snapshots"*) echo "$STUB_SNAPSHOT" ;;
  "aws eks list-clusters"*) echo ecommerce-eks ;;
esac
`;

const env = (extra: Record<string, string> = {}) => ({
  PATH: `${join(stubs, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
  STUB_LOG: log,
  STUB_S3: s3,
  STUB_SECRET: secretValue,
  STUB_SNAPSHOT: 'ecommerce-prod-db-snap-20261205',
  RUNBOOK_SHELL_PASSTHROUGH: 'STUB_LOG,STUB_S3,STUB_SECRET,STUB_SNAPSHOT',
  ...extra,
});

const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n') : []);
const inputArgs = (inputs: Record<string, string>) =>
  Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]);

beforeAll(() => {
  mkdirSync(join(stubs, 'bin'), { recursive: true });
  for (const name of ['aws', 'kubectl', 'helm', 'argocd', 'velero', 'cdk', 'npm']) {
    writeFileSync(join(stubs, 'bin', name), stubScript);
    chmodSync(join(stubs, 'bin', name), 0o755);
  }
});
afterAll(remove);

const skip = missingCommands('jq', 'tar');

describe.skipIf(skip)(skip ?? 'platform runbooks against stand-in tools', { timeout: 120_000 }, () => {
  it('platform-config-backup: every export uploaded, secrets by name, schedules applied, work directory removed', async () => {
    writeFileSync(log, '');
    const backupDir = join(root, 'config-backups');
    const dataDir = join(root, 'app-data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'file.txt'), 'hello');
    const inputs = { backup_dir: backupDir, istio_backup_dir: join(root, 'istio'), app_data_dir: dataDir };
    const r = await runCliAsync(
      ['run', 'platform-config-backup', '--root', root, '--as', '@sre', ...inputArgs(inputs)],
      env(),
      90_000,
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(secretValue);

    const c = calls();
    expect(c).toContain(
      'aws s3api put-bucket-versioning --region us-east-1 --bucket platform-terraform-state --versioning-configuration Status=Enabled',
    );
    // Both releases named `web`, each in its own namespace (001's grep gave two namespaces for each).
    expect(c).toContain('helm get values web -n shop');
    expect(c).toContain('helm get values web -n blog');
    // One get-secret-value per secret (003's loop read both names as one).
    expect(c.filter((l) => l.startsWith('aws secretsmanager get-secret-value'))).toHaveLength(4);
    expect(c.filter((l) => l.startsWith('velero schedule create')).map((l) => l.split(' ')[3])).toEqual([
      'daily-backup',
      'hourly-backup',
      'weekly-backup',
    ]);
    expect(c.filter((l) => l.startsWith('kubectl apply -n velero -f -'))).toHaveLength(3);

    // The application-config archive holds each secret under a file name without `/`.
    const bucket = join(s3, 'ecommerce-backups-prod-us-east-1', 'application-config');
    const [date] = readdirSync(bucket);
    const listing = execFileSync('tar', ['-tzf', join(bucket, date, 'config-backup.tar.gz')], { encoding: 'utf8' });
    expect(listing).toContain(`config-backup-${date}/secrets-manager-prod__db__password.json`);
    expect(listing).toContain(`config-backup-${date}/secrets-manager-api-key.json`);
    for (const prefix of ['kubernetes', 'helm', 'argocd'])
      expect(readdirSync(join(s3, 'platform-config-backups', prefix))).toHaveLength(1);
    expect(readdirSync(join(s3, 'company-backups', 'application'))[0]).toMatch(/^app_data_\d{8}_\d{6}\.tar\.gz$/);
    expect(readdirSync(join(s3, 'company-backups', 'configs'))).toHaveLength(1);

    // finally: the work directory (secret values) is gone; the Istio archive stays.
    expect(readdirSync(backupDir).filter((f) => f.startsWith('work_'))).toEqual([]);
    expect(readdirSync(join(root, 'istio', 'istio')).filter((f) => f.endsWith('.tar.gz'))).toHaveLength(1);
  });

  it('platform-config-backup: a failing export still removes the work directory', async () => {
    writeFileSync(log, '');
    const backupDir = join(root, 'config-backups-fail');
    const inputs = { backup_dir: backupDir, istio_backup_dir: join(root, 'istio-fail') };
    // No argocd on PATH: backup-argocd fails after the Kubernetes and Helm exports were written.
    const noArgo = join(root, 'stubs-no-argocd');
    mkdirSync(noArgo);
    for (const name of ['aws', 'kubectl', 'helm', 'velero']) {
      writeFileSync(join(noArgo, name), stubScript);
      chmodSync(join(noArgo, name), 0o755);
    }
    const r = await runCliAsync(
      ['run', 'platform-config-backup', '--root', root, '--as', '@sre', ...inputArgs(inputs)],
      env({ PATH: `${noArgo}${delimiter}/usr/bin${delimiter}/bin` }),
      90_000,
    );
    expect(r.status, r.stdout + r.stderr).toBe(4);
    const steps = stepEndsOf(root, r.stdout);
    expect(steps['backup-argocd'].status).toBe('failed');
    expect(steps['remove-workdir'].status).toBe('succeeded');
    expect(readdirSync(backupDir).filter((f) => f.startsWith('work_'))).toEqual([]);
  });

  async function recover(snapshot: string) {
    writeFileSync(log, '');
    const inputs = { target_region: 'us-west-2', environment: 'dr', reason: 'account rebuild', infra_dir: root };
    const plan = await runCliAsync(
      ['plan', 'platform-recovery', '--root', root, '--json', ...inputArgs(inputs)],
      {},
      60_000,
    );
    const { planHash } = JSON.parse(plan.stdout) as { planHash: string };
    const approvals = join(root, `approvals-${snapshot || 'none'}.json`);
    writeFileSync(
      approvals,
      JSON.stringify({
        approvals: ['@alice-johnson', '@jane-smith'].map((approver) => ({
          step: 'approve-recreation',
          approver,
          planHash,
        })),
      }),
    );
    const args = ['run', 'platform-recovery', '--root', root, '--as', '@john-doe', '--approvals', approvals];
    return runCliAsync([...args, ...inputArgs(inputs)], env({ STUB_SNAPSHOT: snapshot }), 90_000);
  }

  it('platform-recovery (CDK): bootstrap, six stacks in order in the target region, the latest snapshot restored', async () => {
    const r = await recover('ecommerce-prod-db-snap-20261205');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const c = calls();
    const cdk = c.filter((l) => l.startsWith('cdk '));
    expect(cdk).toEqual([
      'cdk bootstrap aws://123456789012/us-west-2',
      ...['Network', 'Security', 'Database', 'Cache', 'EKS', 'Observability'].map(
        (s) => `cdk deploy ${s}Stack --context environment=dr --require-approval never`,
      ),
      'cdk list',
    ]);
    // The region reaches CDK through its environment variables (it has no --region option).
    expect(
      c.filter((l) => l.startsWith('  env ') && !l.includes('AWS_REGION=us-west-2 CDK_DEFAULT_REGION=us-west-2')),
    ).toEqual([]);
    expect(c).toContain(
      'aws rds restore-db-instance-from-db-snapshot --region us-west-2 --db-instance-identifier ecommerce-dr-db-restored --db-snapshot-identifier ecommerce-prod-db-snap-20261205',
    );
    expect(c.indexOf('aws eks wait cluster-active --region us-west-2 --name ecommerce-eks')).toBeGreaterThan(
      c.indexOf('cdk deploy EKSStack --context environment=dr --require-approval never'),
    );
  });

  it('platform-recovery (CDK): no snapshot in the region ("None") restores nothing and goes on', async () => {
    const r = await recover('None');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(calls().filter((l) => l.startsWith('aws rds restore-db-instance-from-db-snapshot'))).toEqual([]);
    expect(stepEndsOf(root, r.stdout)['restore-database'].outputs).toMatchObject({ snapshot: '' });
  });
});

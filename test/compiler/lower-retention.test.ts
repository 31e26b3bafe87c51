import { describe, expect, it } from 'vitest';
import { compileFiles } from '../../compiler/compile.js';
import type { IrGraph } from '../../ir/types.js';

/** BackupPlan retention lowered into prune steps (docs/format-reference.md, BackupPlan retention). */
function compilePlan(spec: string): IrGraph {
  const text = `apiVersion: runbook/v1
kind: BackupPlan
metadata: { name: nightly, owner: "@acme/dba" }
spec:
  schedule: "0 3 * * *"
${spec}`;
  const result = compileFiles([{ path: 'runbooks/nightly.yaml', text }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return result.graphs.find((g) => g.name === 'nightly')!;
}
const prune = (g: IrGraph) =>
  g.nodes.filter((n) => n.phase === 'prune').map((n) => ({ id: n.id, uses: n.uses, with: n.with }));
const rds = `  targets: [ { id: orders-db, type: rds, region: us-east-1, dbInstanceIdentifier: orders-prod } ]
  copyTo: [ { region: us-west-2 }, { region: eu-west-1 } ]
`;

describe('BackupPlan retention lowering', () => {
  it('prunes an RDS target with the SDK action in its region and in every copyTo region (DR copies were never pruned)', () => {
    const g = compilePlan(`${rds}  retention: { hot: 30d, cold: 90d, archive: 2555d }\n`);
    const common = {
      dbInstanceIdentifier: 'orders-prod',
      plan: 'nightly',
      target: 'orders-db',
      cold: '90d',
      archive: '2555d',
    };
    expect(prune(g)).toEqual([
      // hot (the automated backups) is checked where the instance lives only.
      {
        id: 'prune-orders-db',
        uses: 'aws.rds.prune-db-snapshots',
        with: { region: 'us-east-1', ...common, hot: '30d' },
      },
      { id: 'prune-orders-db-us-west-2', uses: 'aws.rds.prune-db-snapshots', with: { region: 'us-west-2', ...common } },
      { id: 'prune-orders-db-eu-west-1', uses: 'aws.rds.prune-db-snapshots', with: { region: 'eu-west-1', ...common } },
    ]);
  });

  it('keeps manual snapshots for cold, not hot (003:3477: manual 90 days)', () => {
    const g = compilePlan(`${rds}  retention: { hot: 30d, cold: 90d }\n`);
    expect(prune(g)[0].with).toMatchObject({ cold: '90d' });
    expect(prune(g)[0].with).not.toHaveProperty('archive');
  });

  it('falls back to hot when there is no cold, and lowers a plan with only archive', () => {
    expect(prune(compilePlan(`${rds}  retention: { hot: 7d }\n`))[0].with).toMatchObject({ cold: '7d' });
    const onlyArchive = compilePlan(`${rds}  retention: { archive: 365d }\n`);
    expect(prune(onlyArchive)).toHaveLength(3);
    expect(prune(onlyArchive)[0].with).not.toHaveProperty('cold');
  });

  it('tags every snapshot and copy with the plan, the target and the run start', () => {
    const g = compilePlan(`${rds}  retention: { cold: 90d }\n`);
    const tags = {
      'runbook:plan': 'nightly',
      'runbook:target': 'orders-db',
      'runbook:created-at': '{{run.startedAt}}',
    };
    for (const id of ['snapshot-orders-db', 'copy-orders-db-us-west-2', 'copy-orders-db-eu-west-1']) {
      expect(g.nodes.find((n) => n.id === id)?.with.tags, id).toEqual(tags);
    }
  });

  it('prunes a postgres target with files.prune-backups over its directory and archiveDirectory, all three tiers', () => {
    const g = compilePlan(`  targets:
    - { id: platform, type: postgres, url: "{{secrets.DB_URL}}", directory: /var/backups/pg, archiveDirectory: /mnt/archive/pg }
  retention: { hot: 30d, cold: 90d, archive: 2555d }
  secrets: [DB_URL]
`);
    expect(prune(g)).toEqual([
      {
        id: 'prune-platform',
        uses: 'files.prune-backups',
        with: {
          directory: '/var/backups/pg',
          archiveDirectory: '/mnt/archive/pg',
          hot: '30d',
          cold: '90d',
          archive: '2555d',
          plan: 'nightly',
          target: 'platform',
        },
      },
    ]);
  });

  it('refuses archiveDirectory on an RDS target', () => {
    const text = `apiVersion: runbook/v1
kind: BackupPlan
metadata: { name: nightly, owner: "@acme/dba" }
spec:
  schedule: "0 3 * * *"
  targets: [ { id: orders-db, type: rds, dbInstanceIdentifier: orders-prod, archiveDirectory: /x } ]
`;
    const result = compileFiles([{ path: 'runbooks/nightly.yaml', text }]);
    expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  });
});

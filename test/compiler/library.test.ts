import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { emitters } from '../../compiler/emit/index.js';
import { planGenerated } from '../../compiler/emit/write-generated.js';

/**
 * The runbook library (runbooks/) against its checked-in output (generated/, .github/CODEOWNERS),
 * which is the golden snapshot of the IR and docs: any change in compiler output shows up here
 * as a diff to review and commit with `runbook compile`.
 */
const root = join(import.meta.dirname, '..', '..');
const result = compileTree(root);

describe('the runbook library', () => {
  it('compiles with zero errors, warnings and infos', () => {
    expect(result.diagnostics.map((d) => `${d.file}: ${d.code} ${d.message}`)).toEqual([]);
  });

  it('has every runbook the seeds call for', () => {
    const names = result.graphs.map((g) => g.name);
    for (const name of [
      'primary-region-failure',
      'database-corruption-recovery',
      'emergency-manual-failover',
      'postgres-streaming-failover',
      'quarterly-dr-drill',
      'post-dr-performance-validation',
      'platform-dr-failover',
      'route53-failover-routing',
      'business-impact-assessment',
      'elasticache-snapshot-management',
    ]) {
      expect(names).toContain(name);
    }
    expect(result.graphs.find((g) => g.name === 'database-corruption-recovery')?.origin.format).toBe('markdown');
    expect(result.graphs.filter((g) => g.origin.kind === 'BackupPlan').length).toBeGreaterThanOrEqual(2);
    const primary = result.graphs.find((g) => g.name === 'primary-region-failure')!;
    // 003's windows are 15/30/15 minutes; the failover phase needs 33 at worst once the CDK step
    // gets the seed's own 15-minute estimate (003:2515), so it borrows 3 from the assessment
    // (see the runbook's header). The post-DR performance validation (003:3241-3281) takes the last
    // 3 minutes: the whole stays the 1 hour RTO.
    expect(primary.phases.map((p) => p.budgetMs)).toEqual([12, 33, 15, 3].map((m) => m * 60_000));
    expect(primary.rto.status).toBe('ok');
  });

  it('uses only postgres actions and shell in the locally runnable failover', () => {
    const pg = result.graphs.find((g) => g.name === 'postgres-streaming-failover')!;
    expect(pg.nodes.some((n) => n.uses === 'postgres.promote' && n.irreversible)).toBe(true);
    expect(pg.nodes.every((n) => !n.uses.startsWith('aws.'))).toBe(true);
  });

  it('generated/ matches a fresh compile (golden files)', () => {
    const status = planGenerated(root, result, emitters);
    expect({ changed: status.changed, added: status.added, removed: status.removed }).toEqual({
      changed: [],
      added: [],
      removed: [],
    });
  });
});

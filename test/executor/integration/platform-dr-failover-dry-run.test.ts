import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { runCliAsync, runIdOf } from '../../support/cli.js';
import { libraryRoot } from '../../support/library-root.js';

/**
 * The library's platform-dr-failover (001:1159-1322, scripts/dr-failover.sh) needs kubectl, the
 * AWS CLI, Route 53 and a DR Prometheus: a DRY RUN through the built CLI, asserting the plan
 * (steps, their order, the commands and thresholds rendered) and that the database promotion is
 * the postgres-streaming-failover runbook with the seed's 300 s lag limit.
 */
const { root, remove } = libraryRoot();
afterAll(remove);

interface PlanStep {
  id: string;
  uses: string;
  timeoutMs: number;
  plan: { summary: string; calls: { args: { script?: string } & Record<string, unknown> }[] };
}

describe('platform-dr-failover (dry run)', () => {
  it('walks readiness, database, applications, DNS, verification and notifications in the seed order', async () => {
    const r = await runCliAsync(['run', 'platform-dr-failover', '--dry-run', '--root', root], {}, 60_000);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const journal = readFileSync(join(root, '.runbook', 'runs', runIdOf(r.stdout), 'audit.jsonl'), 'utf8');
    const phases = parseAuditText(journal)
      .records.filter((e) => e.type === 'phase:start')
      .map((e) => (e.data as { phaseId: string }).phaseId);
    expect(phases).toEqual(['readiness', 'database', 'applications', 'dns', 'verify', 'notify']);
    const out = r.stdout + r.stderr;
    expect(out).toContain('run runbook postgres-streaming-failover with max_lag_seconds');
    expect(out).toContain('UPSERT api.example.com. CNAME in Z1234567890ABC → "dr-alb.us-west-2.elb.amazonaws.com"');
    expect(out).toContain('GET https://api.example.com/health, expect 2xx');
  });

  it('renders the seed commands and thresholds', async () => {
    const r = await runCliAsync(['plan', 'platform-dr-failover', '--json', '--root', root], {}, 60_000);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { phases: { id: string; steps: PlanStep[] }[] };
    const steps = new Map(plan.phases.flatMap((p) => p.steps).map((s) => [s.id, s]));
    const script = (id: string) => String(steps.get(id)?.plan.calls[0]?.args.script);
    // 001:1189-1196: at least 95 % of platform-data's objects in platform-data-dr.
    expect(script('check-s3-replication')).toContain('s3://platform-data-dr/');
    expect(script('check-s3-replication')).toContain('$((primary_count * 95 / 100))');
    expect(script('check-dr-cluster')).toContain('kubectl --context=dr-cluster get pods -A');
    // 001:1251-1252: kubectl wait 600 s, inside a 12-minute step.
    expect(script('deploy-applications')).toContain('--timeout=600s');
    expect(steps.get('deploy-applications')?.timeoutMs).toBe(12 * 60_000);
    // 001:1266-1268: 5xx share over 5 minutes at most 5 %.
    expect(script('error-rate')).toContain(
      'rate(http_requests_total{status=~"5.."}[5m])/rate(http_requests_total[5m])',
    );
    expect(steps.get('promote-database')?.uses).toBe('runbook');
    expect(steps.get('status-page')?.uses).toBe('notify');
    expect(steps.get('email-leadership')?.uses).toBe('notify');
  });
});

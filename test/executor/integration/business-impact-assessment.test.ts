import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync, stepEndsOf } from '../../support/cli.js';
import { libraryRoot } from '../../support/library-root.js';

/**
 * The library's business-impact-assessment (002:108-184, 004:512-555) runs for real through the
 * built CLI: its arithmetic is awk on the runner. The expected figures are 002's
 * BusinessImpactCalculator worked by hand.
 */
const { root, remove } = libraryRoot();
afterAll(remove);

async function assess(inputs: Record<string, string>) {
  const args = Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]);
  const r = await runCliAsync(['run', 'business-impact-assessment', '--root', root, ...args], {}, 60_000);
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return stepEndsOf(root, r.stdout);
}

describe('business-impact-assessment, for real', () => {
  it('computes 002 revenue loss and SLA credit, and flags a function down longer than its 004 RTO', async () => {
    const ends = await assess({
      outage_duration_hours: '2',
      affected_percentage: '0.5',
      uptime_percentage: '99.7',
      monthly_revenue: '10000',
      function: 'user_authentication',
    });
    // 150 x 0.15 x 2 x 0.5, 45 x 0.35 x 2 x 0.5, 15 x 0.50 x 2 x 0.5.
    expect(ends['revenue-loss'].outputs).toMatchObject({
      enterprise_loss: '22.50',
      team_loss: '15.75',
      developer_loss: '7.50',
      total_revenue_loss: '45.75',
    });
    // 99.50 <= 99.7 < 99.90: 25 % of the monthly revenue.
    expect(ends['sla-credits'].outputs).toMatchObject({ credit_percentage: '0.25', credit_amount: '2500.00' });
    // User authentication's RTO is 30 minutes: a 2-hour outage missed it (the step fails, the run goes on).
    expect(ends['function-objective'].status).toBe('failed');
    for (const id of ['escalate-aws', 'escalate-payment-processor', 'escalate-cdn'])
      expect(ends[id].status).toBe('skipped');
  }, 90_000);

  it.each([
    ['99.95', '0.00'],
    ['99.949', '0.10'],
    ['99.5', '0.25'],
    ['99.0', '0.50'],
    ['98.99', '1.00'],
  ])(
    'uptime %s%% gives a credit of %s (002:167-176 bands)',
    async (uptime, credit) => {
      const ends = await assess({ outage_duration_hours: '0.5', uptime_percentage: uptime, monthly_revenue: '1000' });
      expect(ends['sla-credits'].outputs?.credit_percentage).toBe(credit);
      // Customer orders (RTO 1 hour) down 30 minutes: objective met.
      expect(ends['function-objective'].status).toBe('succeeded');
    },
    90_000,
  );
});

import { describe, expect, it } from 'vitest';
import { fitName, NAME_LIMITS } from '../../../executor/aws/names.js';
import { newRunId } from '../../../executor/run/run-id.js';

describe('fitName', () => {
  it('fits the verification instance of ecommerce-rds-daily (65 characters) in the 63 RDS allows, stably', () => {
    const runId = newRunId('ecommerce-rds-daily', new Date('2026-11-22T14:15:03Z'));
    const name = `ecommerce-prod-db-verify-${runId}`;
    expect(name).toHaveLength(65);
    const fitted = fitName(name, NAME_LIMITS.rdsInstance);
    expect(fitted.length).toBeLessThanOrEqual(63);
    expect(fitted).toMatch(/^ecommerce-prod-db-verify-20261122-141503-ecommerce-rds-[0-9a-f]{8}$/);
    expect(fitName(name, NAME_LIMITS.rdsInstance)).toBe(fitted);
  });

  it('keeps names that fit, tells apart long names with one head, and never leaves -- or a final hyphen', () => {
    expect(fitName('short-name', 63)).toBe('short-name');
    const a = fitName(`${'x'.repeat(70)}-a`, 63);
    const b = fitName(`${'x'.repeat(70)}-b`, 63);
    expect(a).not.toBe(b);
    const hyphen = fitName(`${'y'.repeat(53)}----tail-of-the-name`, 63);
    expect(hyphen).not.toMatch(/--|-$/);
    expect(hyphen.length).toBeLessThanOrEqual(63);
  });
});

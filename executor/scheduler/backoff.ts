import type { IrRetry } from '../../ir/types.js';

/**
 * Delay before attempt `attempt + 1`: the configured delay (doubled per attempt when exponential,
 * capped by maxDelay), with ±20% jitter so parallel retries against one API spread out.
 */
export function retryDelay(retry: IrRetry, attempt: number, random: () => number = Math.random): number {
  const base = retry.backoff === 'exponential' ? retry.delayMs * 2 ** (attempt - 1) : retry.delayMs;
  const capped = retry.maxDelayMs !== undefined ? Math.min(base, retry.maxDelayMs) : base;
  return Math.round(capped * (0.8 + 0.4 * random()));
}

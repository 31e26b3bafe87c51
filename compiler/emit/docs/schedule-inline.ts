import { emittedCron } from '../workflows/spread-cron.js';
import { inlineCode, type Inline } from '../../../common/markdown/mdast-builders.js';

/**
 * A schedule as authored and, when the workflow runs it at another minute (moved off :00 by a
 * stable hash of `name`, see workflows/spread-cron.ts), as emitted: readers compare both.
 */
export function scheduleInline(cron: string, name: string): Inline {
  const emitted = emittedCron(cron, name);
  if (emitted === cron.trim()) return inlineCode(cron);
  return [inlineCode(cron), ' (runs as ', inlineCode(emitted), ', off minute :00)'];
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionErrorCodes, type ActionErrorCode } from '../../../executor/core/action-error-codes.js';
import { renderActionErrorCodesDoc } from '../../../executor/core/action-error-codes-doc.js';
import { ActionError, errorCodeOf, RunCancelled, StepTimeout } from '../../../executor/core/errors.js';

const root = join(import.meta.dirname, '..', '..', '..');
const codes = Object.keys(actionErrorCodes) as ActionErrorCode[];

/** The executor's sources, less the table itself and its doc renderer. */
function executorSource(): string {
  const files = readdirSync(join(root, 'executor'), { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.includes('action-error-codes'),
  );
  return files.map((f) => readFileSync(join(root, 'executor', f), 'utf8')).join('\n');
}

describe('action error codes', () => {
  it('docs/action-error-codes.md is current (npm run docs)', () => {
    expect(readFileSync(join(root, 'docs', 'action-error-codes.md'), 'utf8')).toBe(renderActionErrorCodesDoc());
  });

  it('every code is documented: a meaning, whether it is retryable and who has to act', () => {
    for (const code of codes) {
      const doc = actionErrorCodes[code];
      expect(code, 'kebab-case, never a provider code').toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(doc.docs.length, code).toBeGreaterThan(30);
      expect(['yes', 'no', 'depends'], code).toContain(doc.retryable);
      expect(['user', 'environment', 'either'], code).toContain(doc.cause);
      expect(renderActionErrorCodesDoc()).toContain(`| \`${code}\``);
    }
  });

  it('every code is given somewhere in the executor: no dead codes', () => {
    const source = executorSource();
    for (const code of codes) expect(source, code).toContain(`'${code}'`);
  });

  it('an ActionError takes its retryability from the table unless the code depends on the error', () => {
    expect(new ActionError('x', { code: 'bad-params' }).retryable).toBe(false);
    expect(new ActionError('x', { code: 'throttled' }).retryable).toBe(true);
    expect(new ActionError('x', { code: 'sql-error', retryable: true, providerCode: '40001' })).toMatchObject({
      code: 'sql-error',
      retryable: true,
      providerCode: '40001',
    });
  });

  it('errors that are not ActionErrors get a code from the executor', () => {
    expect(errorCodeOf(new ActionError('x', { code: 'not-found' }))).toBe('not-found');
    expect(errorCodeOf(new StepTimeout(1000))).toBe('timeout');
    expect(errorCodeOf(new RunCancelled('stop'))).toBe('cancelled');
    expect(errorCodeOf(new TypeError('undefined is not a function'))).toBe('internal');
  });
});

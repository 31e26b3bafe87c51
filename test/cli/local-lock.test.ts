import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../executor/audit/file-sink.js';
import { compiledRoot, runCliAsync, runIdOf } from '../support/cli.js';

/**
 * Issue 11, serialisation across runners: under CI, a live run without an audit database would be
 * serialised only by a lock file on its (ephemeral) runner. It says so, and refuses (exit 6,
 * journaled) unless --allow-local-lock or RUNBOOK_ALLOW_LOCAL_LOCK=true. cliEnv sets
 * RUNBOOK_ALLOW_LOCAL_LOCK=true for the other tests, so these clear it.
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: lock-check, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - { id: hello, run: "true", estimate: 1s, timeout: 30s }
`;

describe('a CI run that would rely on a file lock', () => {
  let root: string;
  beforeAll(() => {
    root = compiledRoot('runbook-local-lock-', { 'lock-check.yaml': runbook });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const noOverride = { CI: 'true', RUNBOOK_ALLOW_LOCAL_LOCK: '' };

  it('is refused (exit 6) with a clear message, and the refusal is journaled', async () => {
    const r = await runCliAsync(['run', 'lock-check', '--root', root], noOverride);
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('lock: a file on this runner only');
    expect(r.stderr).toMatch(/runbook: this run would be serialised only by a lock file on this runner/);
    expect(r.stderr).toContain('--allow-local-lock');
    expect(r.stderr).toContain('issue 13');
    const records = parseAuditText(
      readFileSync(join(root, '.runbook', 'runs', runIdOf(r.stdout), 'audit.jsonl'), 'utf8'),
    ).records;
    expect(records.some((x) => x.type === 'step:start')).toBe(false);
    expect(records.at(-1)).toMatchObject({ type: 'run:end', data: { status: 'refused' } });
  });

  it('is refused under GITHUB_ACTIONS=true too', async () => {
    const r = await runCliAsync(['run', 'lock-check', '--root', root], {
      CI: '',
      GITHUB_ACTIONS: 'true',
      RUNBOOK_ALLOW_LOCAL_LOCK: '',
    });
    expect(r.status).toBe(6);
  });

  it('runs with --allow-local-lock or RUNBOOK_ALLOW_LOCAL_LOCK=true, saying so in its output and job summary', async () => {
    const summary = join(root, 'summary.md');
    const a = await runCliAsync(['run', 'lock-check', '--root', root, '--allow-local-lock'], {
      ...noOverride,
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(a.status).toBe(0);
    expect(a.stdout).toContain('lock: a file on this runner only (--allow-local-lock)');
    expect(readFileSync(summary, 'utf8')).toContain('lock: a file on this runner only (--allow-local-lock)');
    const b = await runCliAsync(['run', 'lock-check', '--root', root], {
      CI: 'true',
      RUNBOOK_ALLOW_LOCAL_LOCK: 'true',
    });
    expect(b.status).toBe(0);
    // The value the generated workflows' secret takes (a word that never occurs in logs).
    const c = await runCliAsync(['run', 'lock-check', '--root', root], {
      CI: 'true',
      RUNBOOK_ALLOW_LOCAL_LOCK: 'allow-local-lock',
    });
    expect(c.status).toBe(0);
  });

  it('is not refused as a dry run (it changes nothing) nor outside CI', async () => {
    expect((await runCliAsync(['run', 'lock-check', '--root', root, '--dry-run'], noOverride)).status).toBe(0);
    const local = await runCliAsync(['run', 'lock-check', '--root', root], { CI: '', RUNBOOK_ALLOW_LOCAL_LOCK: '' });
    expect(local.status).toBe(0);
    expect(local.stderr).not.toContain('lock: a file on this runner only');
  });

  it('is announced by the plan', async () => {
    const r = await runCliAsync(['plan', 'lock-check', '--root', root], noOverride);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('warning: lock: a file on this runner only');
  });
});

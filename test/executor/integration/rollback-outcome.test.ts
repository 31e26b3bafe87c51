import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import type { AuditRecord } from '../../../executor/audit/record.js';
import { runCliAsync, runIdOf, compiledRoot } from '../../support/cli.js';

/**
 * Rollback outcomes are exact, through the built CLI: `rolled-back` (exit 5) only when every
 * completed step with a `rollback:` was undone; a rollback that stops at an irreversible step
 * before undoing one, or whose compensation fails, ends `rollback-incomplete` (exit 7), and the
 * output, the journal's rollback:end and run:end name the step left in place and why. Runbooks:
 * test/fixtures/rollback/runbooks/{partial,failing,full}-rollback.yaml (shell steps only).
 */
const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'rollback', 'runbooks');
let root: string;

describe('rollback outcomes', () => {
  beforeAll(() => {
    root = compiledRoot(
      'runbook-rollback-outcome-',
      Object.fromEntries(
        readdirSync(fixtures)
          .filter((f) => !f.startsWith('dns-'))
          .map((f) => [f, readFileSync(join(fixtures, f), 'utf8')]),
      ),
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const run = async (name: string) => {
    const dir = mkdtempSync(join(root, `${name}-`));
    const r = await runCliAsync(['run', name, '--root', root, '--input', `dir=${dir}`]);
    const records: AuditRecord[] = parseAuditText(
      readFileSync(join(root, '.runbook', 'runs', runIdOf(r.stdout), 'audit.jsonl'), 'utf8'),
    ).records;
    const last = (type: string) =>
      records.filter((x) => x.type === type).at(-1)?.data as Record<string, unknown> | undefined;
    return { ...r, dir, last };
  };

  it('a rollback stopped at an irreversible step before undoing a reversible one exits 7, naming the step and why', async () => {
    const r = await run('partial-rollback');
    expect(r.status, r.stdout + r.stderr).toBe(7);
    // scale-up was not undone: its marker is still there.
    expect(existsSync(join(r.dir, 'scaled'))).toBe(true);
    expect(r.last('rollback:end')).toEqual({
      status: 'stopped-at-irreversible',
      stoppedAt: 'promote',
      notUndone: ['scale-up'],
      reason: 'stopped at irreversible step promote',
    });
    expect(r.last('run:end')).toMatchObject({
      status: 'rollback-incomplete',
      error: expect.stringContaining('not undone: scale-up'),
    });
    expect(r.stdout).toMatch(/not undone: scale-up \(stopped at irreversible step promote\)/);
    expect(r.stdout).toMatch(/rollback-incomplete/);
    // finally steps see the exact outcome as run.status.
    expect(readFileSync(join(r.dir, 'outcome'), 'utf8')).toBe('rollback-incomplete\n');
    // Over, like a rolled-back run: resume refuses it.
    const resumed = await runCliAsync(['resume', runIdOf(r.stdout), '--root', root]);
    expect(resumed.status).toBe(6);
    expect(resumed.stderr).toMatch(/already ended \(rollback-incomplete\)/);
  });

  it('a failing compensation leaves the rollback incomplete (exit 7), naming the step and its error', async () => {
    const r = await run('failing-rollback');
    expect(r.status, r.stdout + r.stderr).toBe(7);
    expect(r.last('rollback:end')).toMatchObject({ status: 'failed', stoppedAt: 'scale-up', notUndone: ['scale-up'] });
    expect(String(r.last('rollback:end')?.reason)).toMatch(/^rollback of scale-up failed: .*exit/);
    expect(r.stdout).toMatch(/not undone: scale-up \(rollback of scale-up failed: /);
  });

  it('a rollback that undid every reversible step exits 5, even past an irreversible step', async () => {
    const r = await run('full-rollback');
    expect(r.status, r.stdout + r.stderr).toBe(5);
    expect(existsSync(join(r.dir, 'scaled'))).toBe(false);
    expect(r.last('rollback:end')).toEqual({ status: 'stopped-at-irreversible', stoppedAt: 'promote' });
    expect(r.last('run:end')).toMatchObject({ status: 'rolled-back' });
  });
});

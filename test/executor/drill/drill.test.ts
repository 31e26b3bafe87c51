import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import type { DrillRecord } from '../../../ir/drill-record.js';
import { bin, cliEnv, drillRecordOf, runIdOf } from '../../support/cli.js';

/** `runbook drill` with each fault kind: the outcome, the audit events, the drill record. */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: drilled, owner: "@acme/sre" }
spec:
  objectives: { rto: 10m, rpo: 5m }
  onFailure: rollback
  phases:
    - id: only
      budget: 5m
      steps:
        - id: probe
          run: echo "lag=2.5" >> "$RUNBOOK_OUTPUT"
          outputs: { rpoSeconds: "{{result.outputs.lag}}" }
          timeout: 2s
          retry: { attempts: 3, delay: 50ms }
        - id: switch
          run: echo switched
          rollback: { run: echo switched back }
        - { id: finish, run: echo done, timeout: 5s }
`;
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-drill-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'drilled.yaml'), runbook);
  expect(spawnSync(process.execPath, [bin, 'compile', '--root', root], { env: cliEnv() }).status).toBe(0);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One drill, identified by what it printed: its run id and its drill record (never the newest file). */
function drill(...inject: string[]) {
  const r = spawnSync(
    process.execPath,
    [bin, 'drill', 'drilled', '--root', root, '--as', '@ops', ...inject.flatMap((i) => ['--inject', i])],
    { encoding: 'utf8', env: cliEnv(), timeout: 90_000 },
  );
  const runId = runIdOf(r.stdout);
  const record = JSON.parse(readFileSync(join(root, drillRecordOf(r.stdout)), 'utf8')) as DrillRecord;
  expect(record.runId).toBe(runId);
  const audit = parseAuditText(readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8')).records;
  return { code: r.status, stderr: r.stderr, record, audit };
}
const end = (audit: ReturnType<typeof drill>['audit'], step: string) =>
  audit.filter((x) => x.type === 'step:end' && x.stepId === step).at(-1)?.data as {
    status: string;
    attempt: number;
    durationMs: number;
  };

// Each test spawns the CLI (and the timeout drill waits out 3 × 2 s): generous on a loaded machine.
describe('runbook drill', { timeout: 120_000 }, () => {
  it('without faults: succeeds, is marked a drill, measures RTO and RPO (from rpoSeconds)', () => {
    const d = drill();
    expect(d.code, d.stderr).toBe(0);
    expect(d.audit[0]).toMatchObject({ type: 'run:start', data: { drill: true } });
    expect(d.record).toMatchObject({
      runbook: 'drilled',
      status: 'succeeded',
      mode: 'live',
      faults: {},
      rto: { objectiveMs: 600_000, met: true },
      rpo: { measuredMs: 2500, probe: 'probe', met: true },
    });
    expect(readFileSync(join(root, d.record.report), 'utf8')).toContain('succeeded');
  });

  it('fail: the step fails after its retries and the run rolls back', () => {
    const d = drill('finish=fail');
    expect(d.code).toBe(5);
    expect(end(d.audit, 'finish')).toMatchObject({ status: 'failed' });
    expect(d.audit.find((x) => x.type === 'rollback:step')?.data).toMatchObject({
      stepId: 'switch',
      status: 'succeeded',
    });
    expect(d.record).toMatchObject({ status: 'rolled-back', faults: { finish: 'fail' } });
    expect(d.audit[0].data).toMatchObject({ faults: { finish: 'fail' } });
  });

  it('timeout: the step hangs until its timeout on every attempt', () => {
    const d = drill('probe=timeout');
    expect(end(d.audit, 'probe')).toMatchObject({ status: 'timed-out', attempt: 3 });
    expect(d.record.status).toBe('rolled-back');
  });

  it('slow: the step takes longer and still succeeds', () => {
    const d = drill('switch=slow=700ms');
    expect(d.code).toBe(0);
    expect(end(d.audit, 'switch').durationMs).toBeGreaterThanOrEqual(700);
  });

  it('flaky: the first attempts fail, the retry succeeds', () => {
    const d = drill('probe=flaky=2');
    expect(d.code).toBe(0);
    expect(end(d.audit, 'probe')).toMatchObject({ status: 'succeeded', attempt: 3 });
    expect(d.audit.filter((x) => x.type === 'step:retry' && x.stepId === 'probe')).toHaveLength(2);
  });

  it('refuses unknown steps and faults before running anything', () => {
    const r = spawnSync(
      process.execPath,
      [bin, 'drill', 'drilled', '--root', root, '--inject', 'nope=fail', '--inject', 'probe=explode'],
      { encoding: 'utf8', env: cliEnv(), timeout: 90_000 },
    );
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('no step "nope"');
    expect(r.stderr).toContain('--inject probe=explode: the fault must be');
  });
});

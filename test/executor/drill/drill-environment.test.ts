import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import type { DrillRecord } from '../../../ir/drill-record.js';
import { bin, cliEnv, drillRecordOf, runIdOf } from '../../support/cli.js';

/**
 * The target environment travels with the run: run:start names it and where it came from, the
 * drill record and the report repeat it. A dry run walks a two-person gate without asking anyone,
 * and its report says whom a real run would ask, and that RTO and RPO were not measured.
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: gated, owner: "@acme/sre" }
spec:
  objectives: { rto: 20m, rpo: 5m }
  environment: production-drill
  phases:
    - id: only
      budget: 5m
      steps:
        - { id: check, run: echo checked }
        - id: declare
          needs: [check]
          uses: approval
          with: { message: Fail over?, approvers: ["@alice", "@bob", "@carol"], required: 2, selfApproval: false }
        - { id: switch, needs: [declare], run: echo switched }
`;
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-drill-env-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'gated.yaml'), runbook);
  const compiled = spawnSync(process.execPath, [bin, 'compile', '--root', root], { env: cliEnv(), encoding: 'utf8' });
  expect(compiled.status, compiled.stderr + compiled.stdout).toBe(0);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dryDrill(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, 'drill', 'gated', '--root', root, '--as', '@ops', '--dry-run', ...args], {
    encoding: 'utf8',
    env: cliEnv(),
    timeout: 90_000,
  });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  const runId = runIdOf(r.stdout);
  const record = JSON.parse(readFileSync(join(root, drillRecordOf(r.stdout)), 'utf8')) as DrillRecord;
  const audit = parseAuditText(readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8')).records;
  return { stdout: r.stdout, record, audit, report: readFileSync(join(root, record.report), 'utf8') };
}

describe('the environment of a run, and a dry run through a gate', { timeout: 120_000 }, () => {
  it("records the runbook's environment in run:start, the drill record and the report", () => {
    const d = dryDrill();
    expect(d.audit[0]).toMatchObject({
      type: 'run:start',
      data: { environment: { name: 'production-drill', source: 'runbook' } },
    });
    expect(d.record.environment).toEqual({ name: 'production-drill', source: 'runbook' });
    expect(d.report).toMatch(/\| Environment +\| production-drill \(the runbook's\) +\|/);
    expect(d.stdout).toContain("environment: production-drill (the runbook's)");
  });

  it('records --environment as given on the command line', () => {
    const d = dryDrill('--environment', 'staging');
    expect(d.audit[0].data).toMatchObject({ environment: { name: 'staging', source: 'cli' } });
    expect(d.record.environment).toEqual({ name: 'staging', source: 'cli' });
  });

  it('names the gate a live run would ask, and whom, and measures no objective', () => {
    const d = dryDrill();
    expect(d.audit.some((r) => r.type.startsWith('approval:'))).toBe(false);
    expect(d.report).not.toContain('No step needed an approval');
    expect(d.report).toContain('This dry run walked 1 approval gate. Nobody was asked');
    expect(d.report).toMatch(
      /\| `declare` +\| 2 of `@alice`, `@bob`, `@carol`, not the initiator +\| no \(dry run\) +\|/,
    );
    expect(d.report).toContain('Objectives not measured (dry run)');
    expect(d.report).toMatch(/\| RTO +\| 20m +\| — +\| not measured \(dry run\) +\|/);
    expect(d.report).not.toContain('Objectives missed');
    expect(d.report).not.toContain('Objectives met');
    // The record says the same: nothing measured, nothing met.
    expect(d.record.rto).toEqual({ objectiveMs: 1_200_000 });
    expect(d.stdout).toContain('RTO and RPO not measured (dry run)');
  });
});

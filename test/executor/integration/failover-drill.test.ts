import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { runLocalFailoverDrill } from '../../../executor/demo/local-failover-drill.js';
import { libraryRoot } from '../../support/library-root.js';

/**
 * The library's postgres-streaming-failover runbook, run for real against a throwaway primary and
 * streaming standby: lag check, approval (approvals file), fence, promote, verify, write/read,
 * webhook — then checked from outside the executor.
 *
 * Runs under a copy of the compiled graphs: the library dry runs run this runbook too, and
 * would find its concurrency lock taken in a shared .runbook/.
 */
const { root, remove } = libraryRoot();
afterAll(remove);

describe('PostgreSQL failover drill', () => {
  it('promotes the standby, keeps committed rows, notifies, and leaves a verifiable audit log', async () => {
    const lines: string[] = [];
    const report = await runLocalFailoverDrill({
      root,
      out: (l) => lines.push(l),
      signal: new AbortController().signal,
    });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual([
      'run succeeded',
      'the standby is the new primary',
      'rows committed before the failover are there',
      'the drill wrote and read a row on the new primary',
      'the RPO probe measured against the primary, not estimated',
      'the webhook received the failover event',
      'the audit log verifies',
    ]);
    const records = parseAuditText(readFileSync(report.outcome.auditPath, 'utf8')).records;
    const granted = records.find((r) => r.type === 'approval:granted');
    expect(granted?.data).toMatchObject({
      stepId: 'approve-failover',
      approval: { approver: '@dana-lee', source: 'approvals-file', planHash: report.outcome.planHash },
    });
    const ends = records
      .filter((r) => r.type === 'step:end')
      .map((r) => [r.stepId, (r.data as { status: string }).status]);
    expect(ends).toContainEqual(['promote-standby', 'succeeded']);
    expect(report.summary).toContain('@dana-lee');
    // The drill's report page: measured RTO and RPO against the objectives, with a Gantt chart.
    const page = readFileSync(join(root, report.reportPath), 'utf8');
    expect(page).toMatch(/^# Drill report: PostgreSQL streaming replication failover/m);
    expect(page).toMatch(/\| RTO +\| 20m +\|/);
    expect(page).toMatch(/\| RPO +\| 5m +\|/);
    expect(page).toMatch(/```mermaid\n(%%\{init:.*\n)?gantt\n/);
    const record = JSON.parse(readFileSync(join(root, report.recordPath), 'utf8'));
    expect(record).toMatchObject({
      runbook: 'postgres-streaming-failover',
      status: 'succeeded',
      rto: { met: true },
      rpo: { probe: 'standby-lag' },
    });
    // The connection passwords are secrets: never in progress output or the audit log.
    const text = lines.join('\n') + readFileSync(report.outcome.auditPath, 'utf8');
    expect(text).not.toMatch(/postgres:\/\/postgres:[^*@]+@/);
  }, 180_000);
});

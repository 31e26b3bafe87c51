import { RunRefused } from '../../core/errors.js';
import { newPgClient } from '../../pg/client.js';
import { redactUrl } from '../db-preflight.js';
import { readDbAnchors } from '../pg-anchors.js';
import { fromRecordColumn } from '../pg-sink.js';
import type { AuditRecord } from '../record.js';
import { verifyAuditDb } from '../verify.js';
import type { Period, RunSource, SourcedRun } from './run-source.js';

/**
 * Every record of the runs whose first record (seq 1, the primary key's first row of the run) is
 * in the period, in one query ordered by the primary key. An open end of the period is NULL.
 */
const RUNS_IN_PERIOD = `
SELECT run_id, record FROM runbook_audit
 WHERE run_id IN (SELECT run_id FROM runbook_audit
                   WHERE seq = 1 AND ($1::timestamptz IS NULL OR ts >= $1) AND ($2::timestamptz IS NULL OR ts < $2))
 ORDER BY run_id, seq`;

/**
 * Runs from the audit database (`runbook_audit`, the journal of record). Verification is the
 * single-run `verify --db` one (verifyAuditDb: the chain and each row's columns against its record)
 * with the heads the run stored in `runbook_audit_anchor` checked too, as `verify --db` does.
 */
export function pgRunSource(url: string): RunSource {
  const label = `the audit database at ${redactUrl(url)}`;
  return {
    label,
    runs: async (period: Period) => {
      const byRun = await readRunsInPeriod(url, label, period);
      return [...byRun].map(([runId, records]) => dbRun(url, runId, records));
    },
  };
}

function dbRun(url: string, runId: string, records: AuditRecord[]): SourcedRun {
  return {
    runId,
    where: 'audit database',
    records,
    verify: async (options) => {
      const anchors = [...(options.anchors ?? []), ...(await readDbAnchors(url, runId))];
      return verifyAuditDb(url, runId, { ...options, anchors });
    },
  };
}

async function readRunsInPeriod(url: string, label: string, period: Period): Promise<Map<string, AuditRecord[]>> {
  let c;
  try {
    c = await newPgClient({ connectionString: url, application_name: 'runbook audit review' });
    await c.connect();
  } catch (e) {
    // The driver's message never holds the password; the URL is shown without it.
    throw new RunRefused(`cannot reach ${label}: ${(e as Error).message}`, 'check --audit-db or RUNBOOK_AUDIT_DB');
  }
  try {
    const { rows } = await c.query<{ run_id: string; record: unknown }>(RUNS_IN_PERIOD, [
      period.since?.toISOString() ?? null,
      period.until?.toISOString() ?? null,
    ]);
    const byRun = new Map<string, AuditRecord[]>();
    for (const r of rows) {
      const list = byRun.get(r.run_id) ?? [];
      list.push(fromRecordColumn(r.record));
      byRun.set(r.run_id, list);
    }
    return byRun;
  } catch (e) {
    throw new RunRefused(`cannot read runs from ${label}: ${(e as Error).message}`);
  } finally {
    await c.end().catch(() => undefined);
  }
}

import { RunRefused } from '../core/errors.js';
import { newPgClient } from '../pg/client.js';

/** A run whose last record in the audit database is `run:parked` (issue 13): waiting for an approval. */
export interface ParkedRun {
  readonly runId: string;
  readonly runbook: string;
  readonly stepId: string;
  readonly parkedAt: string;
  readonly initiator: string;
  readonly lockKey?: string;
  readonly trackingIssue?: { readonly number: number; readonly url: string };
  readonly deadline?: string;
}

/**
 * Parked runs in the journal of record, by concurrency key or by tracking issue. A run is parked
 * while its last record is run:parked: a resume writes run:resume after it, an end run:end. The
 * audit table may not exist yet (a fresh database): then nothing is parked.
 */
export async function findParkedRuns(
  url: string,
  by: { readonly lockKey: string } | { readonly issue: number },
): Promise<ParkedRun[]> {
  const client = await newPgClient({ connectionString: url, connectionTimeoutMillis: 10_000, query_timeout: 30_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ exists: boolean }>(
      "SELECT to_regclass('runbook_audit') IS NOT NULL AS exists",
    );
    if (!rows[0].exists) return [];
    const res = await client.query<{ run_id: string; record: ParkedRecord; initiator: string | null }>(
      parkedRunsSql('lockKey' in by ? 'lockKey' : 'issue'),
      ['lockKey' in by ? by.lockKey : String(by.issue)],
    );
    return res.rows.map((r) => parkedRun(r.run_id, r.record, r.initiator));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The question, with $1 the key or issue number. `p.type = 'run:parked'` is the parked index's
 * predicate (executor/audit/pg-sink.ts), so it reads that index; the rest are primary-key lookups.
 */
export function parkedRunsSql(by: 'lockKey' | 'issue'): string {
  const filter =
    by === 'lockKey' ? "p.record->'data'->>'lockKey' = $1" : "p.record->'data'->'trackingIssue'->>'number' = $1";
  return `SELECT p.run_id, p.record,
              (SELECT s.record->'data'->>'initiator' FROM runbook_audit s WHERE s.run_id = p.run_id AND s.seq = 1) AS initiator
         FROM runbook_audit p
        WHERE p.type = 'run:parked' AND ${filter}
          AND NOT EXISTS (SELECT 1 FROM runbook_audit q WHERE q.run_id = p.run_id AND q.seq > p.seq)
        ORDER BY p.ts`;
}

type ParkedRecord = {
  ts: string;
  runbook: string;
  data: { stepId: string; lockKey?: string; deadline?: string; trackingIssue?: { number: number; url: string } };
};

function parkedRun(runId: string, r: ParkedRecord, initiator: string | null): ParkedRun {
  return {
    runId,
    runbook: r.runbook,
    stepId: r.data.stepId,
    parkedAt: r.ts,
    initiator: initiator ?? 'unknown',
    ...(r.data.lockKey ? { lockKey: r.data.lockKey } : {}),
    ...(r.data.trackingIssue ? { trackingIssue: r.data.trackingIssue } : {}),
    ...(r.data.deadline ? { deadline: r.data.deadline } : {}),
  };
}

/**
 * Refuses a run while another run of its concurrency key is parked: the parked run still holds
 * the key (it released the advisory lock only to free its runner). `runId` (the parked run
 * itself, resumed) passes.
 */
export async function refuseWhileParked(url: string, key: string, runId: string): Promise<void> {
  const other = (await findParkedRuns(url, { lockKey: key })).find((p) => p.runId !== runId);
  if (!other) return;
  const where = other.trackingIssue ? ` (${other.trackingIssue.url})` : '';
  throw new RunRefused(
    `lock "${key}" is held by parked run ${other.runId} (initiated by ${other.initiator}, parked since ${other.parkedAt} waiting for approval of ${other.stepId}${where})`,
    `approve or reject ${other.stepId} on its tracking issue, or resume it with: runbook resume ${other.runId}`,
  );
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { actions } from '../actions/index.js';
import { sideEffectFreeActions } from '../actions/catalog-meta.js';
import { readApprovalsFile } from '../approvals/approvals-file.js';
import { readAuditFile } from '../audit/file-sink.js';
import { rpoProbe } from '../audit/rpo-probe.js';
import { summarizeAudit } from '../audit/summary.js';
import { renderAuditSummary } from '../audit/summary-render.js';
import { verifyAudit } from '../audit/verify.js';
import { buildPlan } from '../plan/build-plan.js';
import { plainProgress } from '../progress/plain.js';
import { startPostgres } from '../pg/cluster.js';
import { loadGraph } from '../run/load-graph.js';
import { runRunbook, type RunOutcome } from '../run/run-runbook.js';
import { writeDrillFiles } from '../drill/record.js';
import { gatesOf, renderAuditReport } from '../report/index.js';
import { startWebhookServer } from './webhook-server.js';

export const drillRunbook = 'postgres-streaming-failover';

export interface DrillReport {
  readonly outcome: RunOutcome;
  /** The drill's report page and record (under .runbook/drills/: the demo never changes the tree). */
  readonly reportPath: string;
  readonly recordPath: string;
  readonly checks: { name: string; ok: boolean; detail: string }[];
  readonly summary: string;
}

/**
 * The README's main job: the PostgreSQL failover runbook as a drill against a throwaway primary
 * and streaming standby on loopback, approved through the non-interactive approvals file by a
 * member of the allowed team, then checked from outside: the standby is the new primary, rows
 * written before the failover survived, the webhook got the event, and the audit chain verifies.
 */
export async function runLocalFailoverDrill(o: {
  root: string;
  out: (line: string) => void;
  signal: AbortSignal;
  commit?: string;
}): Promise<DrillReport> {
  o.out('starting a throwaway PostgreSQL primary and streaming standby on 127.0.0.1 …');
  const cluster = await startPostgres({ standby: true });
  const hook = await startWebhookServer();
  const tmp = mkdtempSync(join(tmpdir(), 'runbook-drill-'));
  try {
    o.out(`primary :${cluster.primaryPort}, standby :${cluster.standbyPort} (ready in ${cluster.startupMs} ms)`);
    await seedOrders(cluster.primaryUrl, cluster.standbyUrl!);
    const env = { ...process.env, PRIMARY_DATABASE_URL: cluster.primaryUrl, STANDBY_DATABASE_URL: cluster.standbyUrl! };
    const inputs = { notify_webhook: hook.url };
    const graph = loadGraph(o.root, drillRunbook);
    // The demo runs as a drill: approve the drill's plan (a live run has another plan hash).
    const used = await actions.load(graph.nodes.map((n) => n.uses));
    const plan = buildPlan(graph, inputs, env, used, { mode: 'drill', lookup: (name) => loadGraph(o.root, name) });
    const file = approveAsDba(tmp, plan.planHash);
    const progress = plainProgress(o.out);
    const outcome = await runRunbook({
      root: o.root,
      name: drillRunbook,
      inputs,
      dryRun: false,
      drill: true,
      // Loopback servers, whatever the runbook declares: a demo must never pass for a real drill.
      environment: { name: 'local', source: 'demo' },
      initiator: '@drill-operator',
      approvals: file.approvals,
      confirmBy: file.confirmBy,
      interactive: false,
      signal: o.signal,
      env,
      commit: o.commit,
      actions,
      sideEffectFree: sideEffectFreeActions(),
      onRecord: progress.onRecord,
      logger: progress.logger,
    });
    const { records } = await readAuditFile(outcome.auditPath);
    const checks = await afterChecks(
      cluster.standbyUrl!,
      outcome,
      hook.received,
      rpoProbe(summarizeAudit(records))?.source,
    );
    const files = writeDrillReport(o.root, outcome, records, graph);
    return {
      outcome,
      checks,
      reportPath: files.reportPath,
      recordPath: files.recordPath,
      summary: renderAuditSummary(summarizeAudit(records), { color: process.stdout.isTTY === true }),
    };
  } finally {
    await hook.close();
    await cluster.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A DBA (member of @acme/dba in the Directory) approves this exact plan, as a drill would in CI.
 * Unsigned: the runbook allows it (allowUnsigned: true), and the summary and report say "unverified".
 */
function approveAsDba(tmp: string, planHash: string): ReturnType<typeof readApprovalsFile> {
  const approvals = join(tmp, 'approvals.yaml');
  writeFileSync(
    approvals,
    `approvals:\n  - { step: approve-failover, approver: "@dana-lee", planHash: ${planHash} }\nconfirmations:\n  by: "@dana-lee"\n`,
  );
  return readApprovalsFile(approvals);
}

/** The drill's report page and record, under .runbook/drills/ (the demo never changes the tree). */
function writeDrillReport(
  root: string,
  outcome: RunOutcome,
  records: Parameters<typeof writeDrillFiles>[0]['records'],
  graph: ReturnType<typeof loadGraph>,
): ReturnType<typeof writeDrillFiles> {
  return writeDrillFiles({
    root,
    base: join('.runbook', 'drills'),
    outcome,
    records,
    graph,
    faults: {},
    renderReport: (r, record) => renderAuditReport(r, { record, runbookTitle: graph.title, gates: gatesOf(graph) }),
  });
}

async function seedOrders(primaryUrl: string, standbyUrl: string): Promise<void> {
  const primary = new pg.Client({ connectionString: primaryUrl });
  const standby = new pg.Client({ connectionString: standbyUrl });
  await primary.connect();
  await standby.connect();
  try {
    await primary.query(
      'create table if not exists orders (id serial primary key, item text not null, placed_at timestamptz default now())',
    );
    await primary.query(`insert into orders (item) select 'order-' || g from generate_series(1, 100) g`);
    // These are the rows the failover must not lose: wait until the standby has replayed them and
    // everything it received (the lag check's notion of caught up). If it does not settle, the
    // runbook's own retry of the lag check handles it, as it would in a real incident.
    // Switching WAL segments flushes the partly filled last page, so the standby receives whole
    // records and can be fully caught up (receive = replay) instead of waiting on a page fragment.
    await primary.query('select pg_switch_wal()');
    const { rows } = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
    for (let i = 0; i < 200; i++) {
      const r = await standby.query<{ ok: boolean }>(
        'select pg_last_wal_replay_lsn() >= $1::pg_lsn and pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() as ok',
        [rows[0].lsn],
      );
      if (r.rows[0].ok) return;
      await new Promise((res) => setTimeout(res, 50));
    }
  } finally {
    await primary.end();
    await standby.end();
  }
}

async function afterChecks(
  newPrimaryUrl: string,
  outcome: RunOutcome,
  received: { body: string }[],
  rpoSource: string | undefined,
): Promise<DrillReport['checks']> {
  const client = new pg.Client({ connectionString: newPrimaryUrl });
  await client.connect();
  try {
    const rec = await client.query<{ r: boolean }>('select pg_is_in_recovery() as r');
    const orders = await client.query<{ n: string }>('select count(*)::text as n from orders');
    const written = await client.query<{ n: string }>(
      'select count(*)::text as n from dr_failover_checks where run_id = $1',
      [outcome.runId],
    );
    const audit = await verifyAudit(outcome.auditPath, { requireComplete: true });
    return [
      { name: 'run succeeded', ok: outcome.status === 'succeeded', detail: outcome.status },
      {
        name: 'the standby is the new primary',
        ok: rec.rows[0].r === false,
        detail: `pg_is_in_recovery() = ${rec.rows[0].r}`,
      },
      {
        name: 'rows committed before the failover are there',
        ok: orders.rows[0].n === '100',
        detail: `${orders.rows[0].n} of 100 orders`,
      },
      {
        name: 'the drill wrote and read a row on the new primary',
        ok: written.rows[0].n === '1',
        detail: `${written.rows[0].n} row(s) for this run`,
      },
      {
        name: 'the RPO probe measured against the primary, not estimated',
        ok: rpoSource === 'primary',
        detail: `rpoSource = ${rpoSource ?? 'none'}`,
      },
      {
        name: 'the webhook received the failover event',
        ok: received.some((r) => r.body.includes(outcome.runId)),
        detail: `${received.length} delivery(ies)`,
      },
      {
        name: 'the audit log verifies',
        ok: audit.ok && audit.complete,
        detail: `${audit.count} records${audit.firstBad ? `, ${audit.firstBad.reason}` : ''}`,
      },
    ];
  } finally {
    await client.end();
  }
}

// PostgreSQL as the journal of record (`node bench/journal-pg.js` after `npm run build`; also run
// by `npm run bench`): the step overhead of a run whose every record is committed to the audit
// database before `emit` resolves (executor/audit/db-journal-sink.ts, group commit in pg-sink.ts),
// against the same run with the durable file journal alone, measured in the same process on a
// throwaway PostgreSQL 15 cluster on loopback (default settings: synchronous_commit on, so each
// commit waits for its WAL flush).
//  (a) parallel: 2,000 no-op steps (20 wide, 100 layers) at concurrency 20: records of parallel
//      steps share one transaction; goal ≤ 2 ms of extra wall time per step.
//  (b) sequential: 200 steps in a chain at concurrency 1: every record is its own commit (the
//      worst case, shown for reference: no goal).
// Skipped, with the reason printed, when the PostgreSQL binaries are missing (RUNBOOK_PG_BIN).
// Options: --repeat R (5)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pgBinDir, startPostgres } from '../dist/executor/pg/cluster.js';
import { defaultAuditRoles, setupAuditDb } from '../dist/executor/audit/db-setup.js';
import { layeredGraph } from './executor-graphs.js';
import { runOnce } from './executor-measure.js';

const repeatAt = process.argv.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Number(process.argv[repeatAt + 1]) : 5;
const goalPerStepMs = 2;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (n) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;

/** Median wall time of `kind` over `repeat` runs, interleaved with the other kind by the caller. */
async function compare(scenario, url) {
  const times = { file: [], pg: [] };
  // Warm-up: JIT, file cache, the server's catalog cache.
  for (const kind of ['file', 'pg']) await runOnce({ ...scenario, kind, url });
  for (let i = 0; i < repeat; i++)
    for (const kind of ['file', 'pg']) times[kind].push((await runOnce({ ...scenario, kind, url })).ms);
  return { file: median(times.file), pg: median(times.pg) };
}

function report(label, steps, r, goal) {
  const perStep = (r.pg - r.file) / steps;
  const verdict = goal === undefined ? '(reference)' : perStep <= goal ? 'GOAL MET' : 'GOAL MISSED';
  console.log(
    `${label}: file journal ${ms(r.file)}, + PostgreSQL journal of record ${ms(r.pg)} = ${(r.pg / r.file).toFixed(2)}x; overhead ${ms(perStep)} per step${goal === undefined ? '' : `   goal ≤ ${goal} ms`}   ${verdict}`,
  );
}

async function main() {
  if (!existsSync(join(pgBinDir, 'initdb'))) {
    console.log(`\nPostgreSQL journal benchmark skipped: no PostgreSQL binaries at ${pgBinDir} (set RUNBOOK_PG_BIN)`);
    return;
  }
  const cluster = await startPostgres();
  try {
    await setupAuditDb(cluster.primaryUrl, defaultAuditRoles);
    const parallel = layeredGraph({ width: 20, layers: 100, layersPerPhase: 10 });
    const chain = layeredGraph({ width: 1, layers: 200, layersPerPhase: 20 });
    console.log(`\nPostgreSQL journal benchmark: median of ${repeat} runs each, loopback, throwaway cluster`);
    const a = await compare({ graph: parallel.graph, concurrency: 20 }, cluster.primaryUrl);
    report(`(a) ${parallel.steps} parallel steps`, parallel.steps, a, goalPerStepMs);
    const b = await compare({ graph: chain.graph, concurrency: 1 }, cluster.primaryUrl);
    report(`(b) ${chain.steps} sequential steps`, chain.steps, b);
  } finally {
    await cluster.stop();
  }
}

main().catch((e) => {
  console.error(`PostgreSQL journal benchmark failed: ${e.stack ?? e}`);
  process.exitCode = 1;
});

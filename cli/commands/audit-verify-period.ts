import { verifyPeriod } from '../../executor/facade/audit-review.js';
import { ExitCode } from '../exit-codes.js';
import { verifierOf } from './audit-anchors.js';
import { periodOf } from './audit-period.js';
import { runSourceOf, type SourceOptions } from './audit-review.js';

export interface VerifyPeriodOptions extends SourceOptions {
  readonly since?: string;
  readonly until?: string;
  readonly requireComplete?: boolean;
  readonly key?: string;
}

/**
 * `runbook audit verify --since D [--until D]` with `--audit-db`/RUNBOOK_AUDIT_DB or `--from DIR`:
 * every chain of the runs started in the period through the single-run verifier (every copy, for a
 * directory), one line per run, then the total; exit 1 naming each bad run and its first bad
 * record. A run without run:end (parked, running) is reported, not failed, unless
 * `--require-complete`; an audit key (`--key`, RUNBOOK_AUDIT_PUBKEY, RUNBOOK_AUDIT_KEY) makes every
 * record's signature required, as for one run.
 */
export async function auditVerifyPeriodCommand(o: VerifyPeriodOptions): Promise<number> {
  const period = periodOf(o);
  const key = verifierOf(o, process.env);
  const source = await runSourceOf(o);
  const results = await verifyPeriod(source, period, {
    requireComplete: o.requireComplete === true,
    ...(key ? { key } : {}),
  });
  // A journal without one record (a file left empty) proves nothing: it fails here.
  const failed = (v: (typeof results)[number]['verification']) => !v.ok || v.count === 0;
  const bad = results.filter((r) => failed(r.verification));
  for (const { runId, where, verification: v } of results) {
    const at = where === 'audit database' ? '' : ` (${where})`;
    if (v.ok && v.count === 0) process.stdout.write(`✖ ${runId}${at}: no record\n`);
    else if (v.ok) {
      const done = v.complete ? '' : ', not finished';
      process.stdout.write(`✔ ${runId}${at}: ${v.count} records, chain intact${done}\n`);
    } else {
      const b = v.firstBad!;
      const seq = b.seq !== undefined ? `seq ${b.seq}` : `line ${b.line}`;
      process.stdout.write(`✖ ${runId}${at}: first bad record at ${seq}: ${b.kind}: ${b.reason}\n`);
    }
  }
  const total = `${results.length} run${results.length === 1 ? '' : 's'} in ${source.label}`;
  if (bad.length === 0) {
    process.stdout.write(`✔ ${total}: every chain intact\n`);
    return ExitCode.Ok;
  }
  process.stdout.write(`✖ ${total}: ${bad.length} failed: ${[...new Set(bad.map((b) => b.runId))].join(', ')}\n`);
  return ExitCode.Problems;
}

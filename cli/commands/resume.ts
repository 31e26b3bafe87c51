import { createInterface } from 'node:readline/promises';
import type { IrNode } from '../../ir/types.js';
import { prepareResume, RunRefused, type Decision, type ResumeState } from '../../executor/facade/index.js';
import { initiatorOf } from '../initiator.js';
import { runCommand, type RunCliOptions } from './run.js';

/**
 * `runbook resume RUN_ID`: continues a killed or interrupted run in the same audit log. In-doubt
 * non-idempotent steps need an operator's decision: `--decide step=rerun|skip|abort`, or a
 * prompt on a terminal; the decision is audited. With an audit database the run is rebuilt from it
 * (the journal of record), so it resumes on any machine with a checkout of its commit.
 */
export async function resumeCommand(
  runId: string,
  o: RunCliOptions & { decide: string[]; runbook?: string },
): Promise<number> {
  // RUNBOOK_DECIDE: the resume workflow's `decide` input, "step=rerun step-b=skip" (spaces or commas).
  const fromEnv = (process.env.RUNBOOK_DECIDE ?? '').split(/[\s,]+/).filter(Boolean);
  const decisions = new Map(
    [...o.decide, ...fromEnv].map((d) => {
      const [step, what] = d.split('=');
      if (!step || !['rerun', 'skip', 'abort'].includes(what))
        throw new RunRefused(`--decide ${d}: expected step=rerun|skip|abort`);
      return [step, what as Decision];
    }),
  );
  const by = initiatorOf(o.as, process.env);
  const auditDb = o.auditDb ?? process.env.RUNBOOK_AUDIT_DB;
  const { name, state } = await prepareResume({
    root: o.root,
    runId,
    by,
    ...(auditDb ? { auditDb } : {}),
    ...(o.runbook ? { runbook: o.runbook } : {}),
    decide: (node) => decide(node, decisions),
    onReconciled: (r) => process.stderr.write(reconciledLine(r)),
  });
  return runCommand(name, { ...o, input: [] }, state);
}

/** What reconciling the local journal with the audit database (the journal of record) changed. */
function reconciledLine(r: NonNullable<ResumeState['reconciled']>): string {
  if (r.backfilled) return `audit database: ${r.backfilled} record(s) of this run, journaled without it, back-filled\n`;
  return `reconciled the local journal with the audit database (the database wins): ${r.appended} record(s) only the database held written to the file, ${r.dropped} only the file held dropped (never committed, so their effect never ran), ${r.replaced} replaced\n`;
}

async function decide(node: IrNode, given: Map<string, Decision>): Promise<Decision> {
  const d = given.get(node.id);
  if (d) return d;
  if (!process.stdin.isTTY || process.env.CI) {
    throw new RunRefused(
      `step ${node.id} (${node.uses}) may or may not have run before the crash, and it is not idempotent`,
      `check its effect, then pass --decide ${node.id}=rerun (run it again), =skip (it completed) or =abort`,
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const a = (
      await rl.question(
        `step ${node.id} (${node.uses}) was in progress when the run died and is not idempotent.\n  rerun, skip (it completed) or abort? `,
      )
    ).trim();
    return (['rerun', 'skip', 'abort'].includes(a) ? a : 'abort') as Decision;
  } finally {
    rl.close();
  }
}

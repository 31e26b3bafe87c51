import { runLocalFailoverDrill } from '../../executor/facade/demo.js';
import { ExitCode } from '../exit-codes.js';

/** `runbook demo`: the local PostgreSQL failover drill (see executor/demo/). */
export async function demoCommand(o: { root: string }): Promise<number> {
  const ctrl = new AbortController();
  const stop = () => ctrl.abort('SIGINT');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const report = await runLocalFailoverDrill({
      root: o.root,
      out: (l) => process.stdout.write(l + '\n'),
      signal: ctrl.signal,
    });
    process.stdout.write('\n' + report.summary + '\n\nDrill checks:\n');
    for (const c of report.checks) process.stdout.write(`  ${c.ok ? '✔' : '✖'} ${c.name} (${c.detail})\n`);
    process.stdout.write(
      `\nrun id: ${report.outcome.runId}\naudit log: ${report.outcome.auditPath}\nverify it: npx runbook audit verify ${report.outcome.runId}\n`,
    );
    process.stdout.write(`drill report (measured RTO/RPO against the objectives, Gantt chart): ${report.reportPath}\n`);
    return report.checks.every((c) => c.ok) ? ExitCode.Ok : ExitCode.RunFailed;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

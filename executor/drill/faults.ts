import { parseDuration } from '../../ir/duration.js';
import type { IrBody, IrGraph, IrNode } from '../../ir/types.js';
import type { Clock } from '../core/clock.js';
import { ActionError, RunRefused, StepTimeout } from '../core/errors.js';
import type { StepStatus } from '../core/events.js';
import type { AttemptResult, StepRunner } from '../scheduler/step-runner.js';

/** A rehearsed failure: every attempt fails, hangs until the timeout, is slowed, or fails n times. */
export type Fault =
  | { kind: 'fail' }
  | { kind: 'timeout' }
  | { kind: 'slow'; ms: number }
  | { kind: 'flaky'; failures: number };

/** Parses `--inject step=fail|timeout|slow=30s|flaky=2` against the graph; every problem listed. */
export function parseFaults(graph: IrGraph, specs: readonly string[]): Map<string, Fault> {
  const out = new Map<string, Fault>();
  const problems: string[] = [];
  for (const spec of specs) {
    const at = spec.indexOf('=');
    const step = at > 0 ? spec.slice(0, at) : '';
    const what = at > 0 ? spec.slice(at + 1) : '';
    if (!graph.nodes.some((n) => n.id === step)) {
      problems.push(`--inject ${spec}: no step "${step}" in ${graph.name}`);
      continue;
    }
    const fault = parseFault(what);
    if (!fault) problems.push(`--inject ${spec}: the fault must be fail, timeout, slow=<duration> or flaky=<n>`);
    else out.set(step, fault);
  }
  if (problems.length) throw new RunRefused(problems.join('\n'));
  return out;
}

function parseFault(text: string): Fault | undefined {
  if (text === 'fail') return { kind: 'fail' };
  if (text === 'timeout') return { kind: 'timeout' };
  const slow = /^slow=(.+)$/.exec(text);
  if (slow) {
    const ms = parseDuration(slow[1]);
    return ms === undefined ? undefined : { kind: 'slow', ms };
  }
  const flaky = /^flaky=(\d{1,3})$/.exec(text);
  return flaky ? { kind: 'flaky', failures: Number(flaky[1]) } : undefined;
}

export function describeFault(f: Fault): string {
  return f.kind === 'slow' ? `slow=${f.ms}ms` : f.kind === 'flaky' ? `flaky=${f.failures}` : f.kind;
}

/**
 * Wraps a runner so the chosen steps misbehave as a drill asks, through the same scheduler paths
 * as real failures: retries, timeouts, `onFailure` and rollback are exercised for real.
 */
export function withFaults(inner: StepRunner, faults: ReadonlyMap<string, Fault>, clock: Clock): StepRunner {
  return {
    get dryRun() {
      return inner.dryRun;
    },
    sideEffects: (n) => inner.sideEffects(n),
    shouldRun: (n) => inner.shouldRun(n),
    gate: (n, s) => inner.gate(n, s),
    compensate: (n: IrNode, b: IrBody, s: AbortSignal) => inner.compensate(n, b, s),
    record: (n: IrNode, st: StepStatus, o: Record<string, unknown>) => inner.record(n, st, o),
    recordRun: (st: string, failed: readonly string[]) => inner.recordRun?.(st, failed),
    async attempt(node, attempt, signal): Promise<AttemptResult> {
      const f = faults.get(node.id);
      if (!f) return inner.attempt(node, attempt, signal);
      switch (f.kind) {
        case 'fail':
          throw new ActionError(`injected fault: fail (attempt ${attempt})`, { code: 'injected' });
        case 'timeout':
          if (node.timeoutMs === undefined) throw new StepTimeout(0);
          // Hang until the scheduler's timeout aborts the attempt, as a stuck call would.
          return new Promise<never>((_, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
          );
        case 'slow':
          await clock.sleep(f.ms, signal);
          return inner.attempt(node, attempt, signal);
        case 'flaky':
          if (attempt <= f.failures)
            throw new ActionError(`injected fault: flaky, attempt ${attempt} of ${f.failures} failing`, {
              code: 'injected',
            });
          return inner.attempt(node, attempt, signal);
      }
    },
  };
}

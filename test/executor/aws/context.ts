import type { ActionContext, PlanContext } from '../../../executor/actions/action.js';
import { systemClock } from '../../../executor/core/clock.js';
import { SecretMasker } from '../../../executor/core/secrets.js';
import { RollbackDataStore } from '../../../executor/run/rollback-data.js';

/** Rollback data by run id: attempts of one step given the same `runId` see what earlier ones saved, like a run's journal. */
const journals = new Map<string, RollbackDataStore>();
const noEvents = { emit: async () => undefined };

/** A minimal ActionContext for the AWS actions: a real clock, a collecting logger, no services. */
export function fakeContext(
  options: { signal?: AbortSignal; attempt?: number; runId?: string; stepId?: string } = {},
): ActionContext & { lines: string[] } {
  const lines: string[] = [];
  const run = {
    id: options.runId ?? 'run-42',
    runbook: 'primary-region-failure',
    initiator: 'alice',
    startedAt: '2025-01-01T00:00:00Z',
    dryRun: false,
    drill: false,
    url: 'https://example.test/run-42',
    planHash: 'abc',
  };
  return {
    run,
    step: { id: options.stepId ?? 'promote-db', title: 'Promote', attempt: options.attempt ?? 1 },
    signal: options.signal ?? new AbortController().signal,
    env: {},
    log: { info: (m) => lines.push(m), stdout: (m) => lines.push(m), stderr: (m) => lines.push(m) },
    clock: systemClock,
    secrets: new SecretMasker([]),
    // The AWS actions reach nothing through services: any use would be a bug, so it throws.
    services: new Proxy(
      {},
      {
        get: (_, p) => {
          throw new Error(`unexpected services.${String(p)}`);
        },
      },
    ) as ActionContext['services'],
    rollbackData: rollbackDataOf(options.runId).forStep(
      options.stepId ?? 'promote-db',
      options.attempt ?? 1,
      run.id,
      noEvents,
    ),
    lines,
  };
}

/** A fresh store unless the test names the run (then attempts share it). */
function rollbackDataOf(runId: string | undefined): RollbackDataStore {
  if (runId === undefined) return RollbackDataStore.fromJournal('run-42', undefined, []);
  if (!journals.has(runId)) journals.set(runId, RollbackDataStore.fromJournal(runId, undefined, []));
  return journals.get(runId)!;
}

/** The PlanContext of {@link fakeContext}. */
export function fakePlanContext(secretValues: string[] = []): PlanContext {
  const { run, step, env } = fakeContext();
  return { run, step, env, secrets: new SecretMasker(secretValues), graph: {} as PlanContext['graph'] };
}

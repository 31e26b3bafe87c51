import { existsSync } from 'node:fs';
import type { ActionContext, ActionServices } from '../../../executor/actions/action.js';
import { systemClock } from '../../../executor/core/clock.js';
import { SecretMasker } from '../../../executor/core/secrets.js';
import { RollbackDataStore } from '../../../executor/run/rollback-data.js';
import { pgBinDir } from '../../../executor/pg/cluster.js';

/** Integration tests need the PostgreSQL 15 binaries; without them they are skipped, loudly. */
export const noPostgres = !existsSync(`${pgBinDir}/initdb`);
export const skipReason = `PostgreSQL binaries not found at ${pgBinDir} (set RUNBOOK_PG_BIN): skipping real-PostgreSQL tests`;

/** Generous: initdb + pg_basebackup + two server starts on a loaded CI machine. */
export const clusterTimeoutMs = 90_000;

/** A fake context and what the action wrote to its log. */
export interface FakeContext {
  readonly ctx: ActionContext;
  readonly logs: string[];
  readonly controller: AbortController;
}

/**
 * The minimal ActionContext postgres.* actions use: signal, log, clock, secrets (the URLs, so
 * masking is exercised), step and a graph without nodes. Services they never call throw.
 */
export function fakeContext(secrets: string[], stepId = 'test-step'): FakeContext {
  const logs: string[] = [];
  const controller = new AbortController();
  const masker = new SecretMasker(secrets);
  const unused = () => {
    throw new Error('not used by postgres actions');
  };
  const services = {
    graph: { nodes: [] },
    approvals: { request: unused },
    confirmer: { confirm: unused },
    fetch: unused,
    events: { emit: unused },
    render: unused,
    runSubgraph: unused,
    runAction: unused,
  } as unknown as ActionServices;
  const ctx: ActionContext = {
    run: {
      id: 'run-test',
      runbook: 'pg-tests',
      initiator: 'vitest',
      startedAt: new Date().toISOString(),
      dryRun: false,
      drill: true,
      url: '',
      planHash: 'test',
    },
    step: { id: stepId, title: stepId, attempt: 1 },
    signal: controller.signal,
    env: {},
    log: {
      info: (m) => logs.push(masker.mask(m)),
      stdout: (m) => logs.push(masker.mask(m)),
      stderr: (m) => logs.push(masker.mask(m)),
    },
    clock: systemClock,
    secrets: masker,
    services,
    rollbackData: RollbackDataStore.fromJournal('run-test', undefined, []).forStep(stepId, 1, 'run-test', {
      emit: async () => undefined,
    }),
  };
  return { ctx, logs, controller };
}

/** The password of a `postgres://user:password@…` URL, to assert it appears nowhere. */
export function passwordOf(url: string): string {
  return decodeURIComponent(new URL(url).password);
}

import { createHash } from 'node:crypto';
import type { StepRollbackData } from '../actions/action.js';
import { ActionError } from '../core/errors.js';
import type { EventSink } from '../core/events.js';
import { countSlots, unmaskInputs } from './unmask-inputs.js';

/** A `step:rollback-data` record as read back from the journal: data masked, digest of the clear data. */
export interface JournaledRollbackData {
  readonly data: Record<string, unknown>;
  readonly digest: string;
}

/**
 * Salted hash of the data in clear, journaled next to the masked data: on resume it tells which
 * current secret fills each `***` (as the plan hash does for inputs, see unmask-inputs.ts). The
 * run id is the salt, so equal data of two runs hashes differently.
 */
export function rollbackDigest(runId: string, data: Record<string, unknown>): string {
  return createHash('sha256')
    .update(`${runId}\0${JSON.stringify(data)}`)
    .digest('hex');
}

/**
 * What the rollbacks of a run's steps need, by journal step id (`<runbook>/` prefixed inside a
 * nested runbook). An action saves it (`ctx.rollbackData.save`) BEFORE the effect its rollback
 * undoes; the save is a `step:rollback-data` record, durable (fsynced, like `step:start`) before
 * it resolves. A later attempt of the same step in the same run — a retry in this process, or a
 * re-run after a crash and `runbook resume`, which rebuilds the store from the journal — reads it
 * back as `journaled`, so it still knows the state from before the first attempt's effect. A
 * successful rollback of the step forgets it: the step is undone and starts afresh if run again.
 */
export class RollbackDataStore {
  private constructor(
    private readonly entries: Map<string, Record<string, unknown> | Error>,
    private readonly prefix: string,
  ) {}

  /** The store of a new run (empty) or of a resumed one (its journal's records, unmasked). */
  static fromJournal(
    runId: string,
    journaled: Readonly<Record<string, JournaledRollbackData>> | undefined,
    secrets: readonly string[],
  ): RollbackDataStore {
    const entries = new Map<string, Record<string, unknown> | Error>();
    for (const [id, j] of Object.entries(journaled ?? {})) entries.set(id, unmasked(runId, id, j, secrets));
    return new RollbackDataStore(entries, '');
  }

  /** The view of a nested runbook's steps: the same entries, ids prefixed `<runbook>/`. */
  scoped(prefix: string): RollbackDataStore {
    return new RollbackDataStore(this.entries, this.prefix + prefix);
  }

  /** One attempt's handle: `events` is the sink of this level (it prefixes nested ids itself). */
  forStep(stepId: string, attempt: number, runId: string, events: EventSink): StepRollbackData {
    const id = this.prefix + stepId;
    const entries = this.entries;
    return {
      get journaled() {
        const e = entries.get(id);
        if (e instanceof Error) throw e;
        return e;
      },
      async save(data) {
        // The copy kept here is the one the journal holds in clear: what a resume would read.
        const clear = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
        await events.emit('step:rollback-data', { stepId, attempt, data: clear, digest: rollbackDigest(runId, clear) });
        entries.set(id, clear);
      },
    };
  }

  /** The step's effect was undone by its rollback: what it saved no longer describes anything. */
  forget(stepId: string): void {
    this.entries.delete(this.prefix + stepId);
  }
}

/** The journaled data with each `***` refilled from the current secrets, or why it cannot be. */
function unmasked(
  runId: string,
  stepId: string,
  j: JournaledRollbackData,
  secrets: readonly string[],
): Record<string, unknown> | Error {
  if (countSlots(j.data) === 0) return j.data;
  const clear = unmaskInputs(j.data, secrets, (d) => rollbackDigest(runId, d) === j.digest);
  if (clear) return clear;
  return new ActionError(
    `the rollback data step ${stepId} journaled before its effect holds secret values (masked in the journal) that the secrets set now do not restore`,
    { code: 'rollback-data-masked' },
  );
}

import { describe, expect, it } from 'vitest';
import { ActionError } from '../../../executor/core/errors.js';
import type { RunEvents } from '../../../executor/core/events.js';
import { SecretMasker } from '../../../executor/core/secrets.js';
import { RollbackDataStore } from '../../../executor/run/rollback-data.js';
import { memorySink, newLog } from '../audit/helpers.js';

const SECRET = 'hunter2-db-password';

/** Saves through a real audit log (masking as every run does), then reads the journal back. */
async function journalOf(data: Record<string, unknown>) {
  const sink = memorySink();
  const log = newLog([sink], { masker: new SecretMasker([SECRET]) });
  const store = RollbackDataStore.fromJournal('run-1', undefined, []);
  await store.forStep('switch', 1, 'run-1', log).save(data);
  await log.close();
  const rec = sink.records.find((r) => r.type === 'step:rollback-data')!;
  return {
    store,
    rec,
    journaled: {
      switch: {
        data: (rec.data as RunEvents['step:rollback-data']).data,
        digest: (rec.data as RunEvents['step:rollback-data']).digest,
      },
    },
  };
}

describe('rollback data', () => {
  it('a later attempt of the step reads what an earlier one saved; a successful rollback forgets it', async () => {
    const { store, rec } = await journalOf({ previous: 'primary' });
    expect(rec).toMatchObject({
      stepId: 'switch',
      attempt: 1,
      data: { stepId: 'switch', attempt: 1, data: { previous: 'primary' } },
    });
    expect(store.forStep('switch', 2, 'run-1', newLog([])).journaled).toEqual({ previous: 'primary' });
    expect(store.forStep('other', 1, 'run-1', newLog([])).journaled).toBeUndefined();
    store.forget('switch');
    expect(store.forStep('switch', 3, 'run-1', newLog([])).journaled).toBeUndefined();
  });

  it('a nested runbook sees its own steps under its prefix', async () => {
    const sink = memorySink();
    const store = RollbackDataStore.fromJournal(
      'run-1',
      { 'child/switch': { data: { previous: 'a' }, digest: '' } },
      [],
    );
    expect(store.scoped('child/').forStep('switch', 1, 'run-1', newLog([sink])).journaled).toEqual({ previous: 'a' });
    expect(store.forStep('switch', 1, 'run-1', newLog([sink])).journaled).toBeUndefined();
  });

  it('secrets are masked in the journal and restored on resume from the current secrets', async () => {
    const { journaled, rec } = await journalOf({ previous: { url: `postgres://app:${SECRET}@db/app` } });
    expect(JSON.stringify(rec)).not.toContain(SECRET);
    expect(JSON.stringify(rec)).toContain('postgres://app:***@db/app');
    const resumed = RollbackDataStore.fromJournal('run-1', journaled, ['another-secret', SECRET]);
    expect(resumed.forStep('switch', 2, 'run-1', newLog([])).journaled).toEqual({
      previous: { url: `postgres://app:${SECRET}@db/app` },
    });
  });

  it('a secret that changed since makes the journaled data unusable, with a clear error rather than ***', async () => {
    const { journaled } = await journalOf({ previous: `token ${SECRET}` });
    const resumed = RollbackDataStore.fromJournal('run-1', journaled, ['rotated-secret-value']);
    const handle = resumed.forStep('switch', 2, 'run-1', newLog([]));
    expect(() => handle.journaled).toThrow(ActionError);
    expect(() => handle.journaled).toThrow(expect.objectContaining({ code: 'rollback-data-masked', retryable: false }));
  });
});

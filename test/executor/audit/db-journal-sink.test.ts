import { describe, expect, it } from 'vitest';
import { createDbJournalSink, retryMsFromEnv } from '../../../executor/audit/db-journal-sink.js';
import type { AuditRecord } from '../../../executor/audit/record.js';

const rec = (seq: number) => ({ seq }) as unknown as AuditRecord;
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/** An inner sink per connection: `down()` says whether the database is unreachable now. */
function fakeDb(down: () => boolean, other?: Error) {
  const stored: number[] = [];
  let opened = 0;
  const open = () => {
    opened++;
    let failed = false;
    return {
      name: 'fake',
      write: async (records: readonly AuditRecord[]) => {
        await Promise.resolve();
        if (failed || down()) {
          failed = true; // fail-stop, as pg-sink's group commit is
          throw other ?? refused;
        }
        stored.push(...records.map((r) => r.seq));
      },
      close: async () => undefined,
    };
  };
  return { open, stored, opened: () => opened };
}

describe('the audit database as the journal of record (db-journal-sink)', () => {
  it('resolves a write only once the record is stored; waits through an outage, keeping the order', async () => {
    let down = false;
    const db = fakeDb(() => down);
    const notices: string[] = [];
    const sink = createDbJournalSink({
      open: db.open,
      retryMs: 10_000,
      backoff: { firstMs: 5, maxMs: 20 },
      notice: (m) => notices.push(m),
    });
    await sink.write([rec(1)]);
    down = true;
    let settled = 0;
    const pending = [2, 3, 4].map((n) => sink.write([rec(n)]).then(() => settled++));
    await expect.poll(() => notices.length).toBe(1);
    expect(notices[0]).toMatch(/unreachable .*the run waits for it, retrying for up to 10 s/);
    expect(settled).toBe(0);
    expect(db.stored).toEqual([1]);
    down = false;
    await Promise.all(pending);
    await sink.write([rec(5)]);
    expect(db.stored).toEqual([1, 2, 3, 4, 5]);
    expect(notices[1]).toMatch(/reachable again/);
    await sink.close();
  });

  it('fails every queued and later write once the outage outlasts the window (fail-stop)', async () => {
    const db = fakeDb(() => true);
    const sink = createDbJournalSink({ open: db.open, retryMs: 50, backoff: { firstMs: 5, maxMs: 10 } });
    const a = sink.write([rec(1)]);
    const b = sink.write([rec(2)]);
    await expect(a).rejects.toThrow(/unreachable for 0 s: connect ECONNREFUSED/);
    await expect(b).rejects.toThrow(/unreachable for 0 s/);
    await expect(sink.write([rec(3)])).rejects.toThrow(/unreachable/);
    expect(db.opened()).toBeGreaterThan(1); // reconnected between attempts
    await sink.close();
  });

  it('fails at once on an error that is not an outage (a refused insert)', async () => {
    const db = fakeDb(
      () => true,
      Object.assign(new Error('permission denied for table runbook_audit'), { code: '42501' }),
    );
    const sink = createDbJournalSink({ open: db.open, retryMs: 10_000 });
    await expect(sink.write([rec(1)])).rejects.toThrow(/permission denied/);
    expect(db.opened()).toBe(1);
  });

  it('reads the window from RUNBOOK_AUDIT_DB_RETRY_SECONDS', () => {
    expect(retryMsFromEnv({})).toBe(120_000);
    expect(retryMsFromEnv({ RUNBOOK_AUDIT_DB_RETRY_SECONDS: '2.5' })).toBe(2500);
    expect(() => retryMsFromEnv({ RUNBOOK_AUDIT_DB_RETRY_SECONDS: 'soon' })).toThrow(/must be a number of seconds/);
  });
});

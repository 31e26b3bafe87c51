import { describe, expect, it } from 'vitest';
import type { RunEvents } from '../../../executor/core/events.js';
import { evidencePack, renderCsv } from '../../../executor/audit/review/evidence.js';
import { reviewRow } from '../../../executor/audit/review/review-row.js';
import { inPeriod, oneCopyPerRun, type SourcedRun } from '../../../executor/audit/review/run-source.js';
import type { AuditRecord } from '../../../executor/audit/record.js';
import { runOrigin } from '../../../executor/run/run-origin.js';
import { parseWhen, periodOf } from '../../../cli/commands/audit-period.js';
import { memorySink, newLog } from './helpers.js';

/** The pure parts of the audit reviews: dates, origin, rows, CSV. The CLI tests are in test/cli/audit-review-*. */
const now = new Date('2026-12-05T12:00:00Z');

describe('--since/--until dates', () => {
  it('reads a UTC day, a full ISO time with its zone, and a time ago', () => {
    expect(parseWhen('--since', '2026-10-01', now).toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(parseWhen('--until', '2026-12-31', now, true).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(parseWhen('--since', '2026-10-01T08:00:00+02:00', now).toISOString()).toBe('2026-10-01T06:00:00.000Z');
    expect(parseWhen('--since', '90d', now).toISOString()).toBe('2026-09-06T12:00:00.000Z');
    expect(parseWhen('--since', '2w', now).toISOString()).toBe('2026-11-21T12:00:00.000Z');
    expect(parseWhen('--since', '12h', now).toISOString()).toBe('2026-12-05T00:00:00.000Z');
  });

  it.each(['2026-02-30', '10/01/2026', '2026-10-01T08:00', 'yesterday', '90x', ''])('refuses %j', (text) => {
    expect(() => parseWhen('--since', text, now)).toThrow(/--since .* is not a date/);
  });

  it('refuses a period that ends before it starts; a day as --until includes that day', () => {
    expect(() => periodOf({ since: '2026-10-02', until: '2026-10-01' }, now)).toThrow(/is not after/);
    const p = periodOf({ since: '2026-10-01', until: '2026-10-01' }, now);
    expect(inPeriod('2026-10-01T23:59:59.999Z', p)).toBe(true);
    expect(inPeriod('2026-10-02T00:00:00.000Z', p)).toBe(false);
    expect(inPeriod('2026-09-30T23:59:59.999Z', p)).toBe(false);
  });
});

describe("run:start's origin", () => {
  it('names the workflow file from GITHUB_WORKFLOW_REF, with the event and the run link', () => {
    expect(
      runOrigin({
        GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/runbook-failover.yml@refs/heads/main',
        GITHUB_WORKFLOW: 'Failover',
        GITHUB_EVENT_NAME: 'workflow_dispatch',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_RUN_ID: '42',
      }),
    ).toEqual({
      origin: {
        workflow: '.github/workflows/runbook-failover.yml',
        event: 'workflow_dispatch',
        runUrl: 'https://github.com/acme/app/actions/runs/42',
      },
    });
    expect(runOrigin({ GITHUB_WORKFLOW: 'Failover' })).toEqual({ origin: { workflow: 'Failover' } });
    expect(runOrigin({})).toEqual({});
  });
});

async function recordsOf(start: Partial<RunEvents['run:start']> & Record<string, unknown>): Promise<AuditRecord[]> {
  const sink = memorySink();
  const log = newLog([sink]);
  await log.emit('run:start', {
    runbook: 'primary-region-failure',
    title: 'Fail over',
    planHash: 'p'.repeat(64),
    initiator: '@alice',
    inputs: { region: 'us-west-2', db_password: 'hunter2-from-an-input' },
    dryRun: false,
    drill: false,
    objectives: {},
    phases: [],
    ...start,
  } as RunEvents['run:start']);
  await log.emit('run:end', { status: 'refused', durationMs: 1, error: 'bad inputs' });
  await log.close();
  return sink.records;
}

describe('review rows', () => {
  it('reads the environment when run:start names one', async () => {
    expect(reviewRow(await recordsOf({ environment: { name: 'staging', source: 'cli' } })).environment).toBe('staging');
    expect(reviewRow(await recordsOf({ environment: { source: 'none' } })).environment).toBeUndefined();
    expect(reviewRow(await recordsOf({})).environment).toBeUndefined();
  });

  it('masks an input named as a credential, and calls a refusal aborted', async () => {
    const row = reviewRow(await recordsOf({}));
    expect(row.inputs).toEqual({ region: 'us-west-2', db_password: '***' });
    expect([row.outcome, row.status]).toEqual(['aborted', 'refused']);
    expect(row.anomalies.map((a) => a.kind)).toEqual(['aborted', 'outside-workflows']);
  });

  it('flags only workflows that are not generated ones', async () => {
    const kinds = async (workflow: string) =>
      reviewRow(await recordsOf({ origin: { workflow } })).anomalies.map((a) => a.kind);
    expect(await kinds('.github/workflows/runbook-failover.yml')).toEqual(['aborted']);
    expect(await kinds('.github/workflows/backup-orders.yml')).toEqual(['aborted']);
    expect(await kinds('.github/workflows/deploy.yml')).toEqual(['aborted', 'outside-workflows']);
    expect(await kinds('Failover')).toEqual(['aborted', 'outside-workflows']);
  });

  it('keeps the longest copy of a run seen in two artifacts', async () => {
    const records = await recordsOf({});
    const copy = (where: string, n: number): SourcedRun => ({
      runId: 'run-1',
      where,
      records: records.slice(0, n),
      verify: () => Promise.reject(new Error('unused')),
    });
    expect(oneCopyPerRun([copy('a', 1), copy('b', 2), copy('c', 1)]).map((r) => r.where)).toEqual(['b']);
  });
});

describe('CSV', () => {
  it('quotes per RFC 4180 and defuses cells a spreadsheet would run as formulas', async () => {
    const row = reviewRow(await recordsOf({ inputs: { note: '=HYPERLINK("x")' } }));
    const csv = renderCsv(
      evidencePack([{ ...row, runbook: '=cmd|calc', initiator: 'a,"b"' }], {
        period: {},
        source: 's',
        now,
        unreadable: [],
      }),
    );
    const line = csv.split('\r\n')[1];
    expect(line).toContain(`,'=cmd|calc,`);
    expect(line).toContain(`,"a,""b""",`);
    expect(line).toContain(`"{""note"":""=HYPERLINK(\\""x\\"")""}"`);
  });
});

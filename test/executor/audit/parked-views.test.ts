import { describe, expect, it } from 'vitest';
import { stripVTControlCharacters as strip } from 'node:util';
import type { AuditRecord } from '../../../executor/audit/record.js';
import { summarizeAudit } from '../../../executor/audit/summary.js';
import { renderAuditSummary } from '../../../executor/audit/summary-render.js';
import { renderSummaryMarkdown } from '../../../executor/audit/summary-markdown.js';
import { foldRecord, newRunStatus, renderRunStatus } from '../../../executor/github/run-status-table.js';
import { plainProgress } from '../../../executor/progress/plain.js';
import { applyRecord, createTtyState, renderFrame } from '../../../executor/progress/tty.js';
import { outcomeSentence, outcomeText } from '../../../executor/report/format.js';
import { memorySink, newLog, runStartData } from './helpers.js';

/**
 * A parked run (issue 13) has no run:end: every view must say it is parked at its gate, waiting
 * for an approval until the deadline, never "unfinished" or "running".
 */
const deadline = '2025-03-01T11:00:00.000Z';
const parkedLine = `parked at declare: waiting for approval (deadline ${deadline}, 1 of 2 given)`;

async function parkedRun(resumed = false): Promise<AuditRecord[]> {
  const sink = memorySink();
  const log = newLog([sink]);
  await log.emit('run:start', runStartData([{ id: 'decide', steps: ['declare'] }]));
  await log.emit('phase:start', { phaseId: 'decide' });
  await log.emit('approval:requested', { stepId: 'declare', approvers: ['@bob', '@ann'], required: 2 });
  await log.emit('run:parked', {
    stepId: 'declare',
    approvers: ['@bob', '@ann'],
    required: 2,
    granted: 1,
    deadline,
    parkAfterMs: 600_000,
  });
  if (resumed) await log.emit('run:resume', { by: 'bob' } as never);
  return sink.records;
}

describe('a parked run reads as parked in every view', () => {
  it('the audit summary (audit show, the job summary) says parked at its gate with the deadline', async () => {
    const s = summarizeAudit(await parkedRun());
    expect(s.outcome).toMatchObject({ status: 'parked', parked: { stepId: 'declare', deadline } });
    const text = strip(renderAuditSummary(s, { color: false }));
    const outcome = text.slice(text.indexOf('Outcome'));
    expect(outcome).toContain(`… ${parkedLine}`);
    expect(outcome).not.toMatch(/unfinished/); // the phase is, the run is not: it waits
    const md = renderSummaryMarkdown(s);
    expect(md).toContain(`⏸️ Fail over: ${parkedLine}`);
    expect(md).not.toContain('❌');
  });

  it('the report words say parked, not unfinished', () => {
    expect(outcomeText('parked')).toMatch(/^⏸️ parked/);
    expect(outcomeSentence('parked', 'run')).toBe('⏸️ The run is parked, waiting for an approval.');
  });

  it('the plain and live progress views print the parked line', async () => {
    const lines: string[] = [];
    const plain = plainProgress((l) => lines.push(strip(l)), false);
    const tty = createTtyState();
    for (const r of await parkedRun()) {
      plain.onRecord(r);
      applyRecord(tty, r);
    }
    expect(lines.at(-1)).toBe(`⏸ primary-region-failure ${parkedLine}`);
    expect(strip(renderFrame(tty, Date.parse(deadline), false))).toContain(`⏸ primary-region-failure ${parkedLine}`);
  });

  it('the tracking issue table heads with the parked gate, not "running"', async () => {
    const state = newRunStatus();
    for (const r of await parkedRun()) foldRecord(state, r);
    const body = renderRunStatus(state, { marker: '<!-- m -->' });
    expect(body).toContain(`## ⏸️ Fail over — ${parkedLine}`);
    expect(body).not.toMatch(/— running/);
  });

  it('a resumed run is no longer parked', async () => {
    const s = summarizeAudit(await parkedRun(true));
    expect(s.outcome.status).toBe('unfinished');
    expect(s.outcome.parked).toBeUndefined();
  });
});

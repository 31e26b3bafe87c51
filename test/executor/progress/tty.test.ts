import { stripVTControlCharacters as strip } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuditLog, type AuditRecord } from '../../../executor/audit/record.js';
import type { RunEvents, RunEventType } from '../../../executor/core/events.js';
import { SecretMasker } from '../../../executor/core/secrets.js';
import {
  applyRecord,
  createTtyState,
  renderFrame,
  ttyProgress,
  type TtyState,
} from '../../../executor/progress/tty.js';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');

/** Audit-record-shaped objects, `at` ms after T0 (hashes are not looked at by the view). */
function recorder() {
  let seq = 0;
  return <T extends RunEventType>(type: T, data: RunEvents[T], at: number): AuditRecord => {
    const d = data as { stepId?: string; attempt?: number };
    return {
      seq: ++seq,
      ts: new Date(T0 + at).toISOString(),
      runId: 'run-42',
      runbook: 'db-failover',
      planHash: 'a'.repeat(64),
      commit: null,
      actor: 'alice',
      type,
      ...(d.stepId ? { stepId: d.stepId } : {}),
      ...(d.attempt ? { attempt: d.attempt } : {}),
      data,
      prevHash: '0'.repeat(64),
      hash: 'h',
    } as AuditRecord;
  };
}

const runStart: RunEvents['run:start'] = {
  runbook: 'db-failover',
  title: 'DB failover',
  planHash: 'a'.repeat(64),
  initiator: 'alice',
  inputs: { region: 'us-west-2' },
  dryRun: false,
  drill: true,
  objectives: { rtoMs: 600_000 },
  phases: [
    { id: 'assess', budgetMs: 60_000, steps: ['check', 'snapshot', 'flaky', 'gate', 'optional'] },
    { id: 'switch', budgetMs: 300_000, steps: ['promote', 'dns'] },
  ],
};
const start = (stepId: string, attempt = 1): RunEvents['step:start'] => ({
  stepId,
  attempt,
  uses: 'shell',
  idempotent: true,
  sideEffects: true,
  dryRun: false,
});

/** The assess phase 20 s in: one step done, one running, one retrying, one waiting for approval. */
function midRun(): TtyState {
  const r = recorder();
  const state = createTtyState();
  for (const rec of [
    r('run:start', runStart, 0),
    r('phase:start', { phaseId: 'assess' }, 0),
    r('step:start', start('check'), 0),
    r('step:end', { stepId: 'check', attempt: 1, status: 'succeeded', durationMs: 1_234 }, 1_234),
    r('step:start', start('snapshot'), 1_300),
    r('step:start', start('flaky'), 1_300),
    r('step:retry', { stepId: 'flaky', attempt: 1, error: 'connection refused', delayMs: 5_000 }, 17_000),
    r('approval:requested', { stepId: 'gate', approvers: ['@ops/dba', '@bob'], required: 2 }, 2_000),
    r(
      'step:end',
      { stepId: 'optional', attempt: 0, status: 'skipped', durationMs: 0, reason: 'condition is false' },
      2_000,
    ),
  ])
    applyRecord(state, rec);
  return state;
}

const lineOf = (frame: string, text: string) =>
  strip(frame)
    .split('\n')
    .find((l) => l.includes(text)) ?? '';

describe('tty progress: state and frame', () => {
  it('shows each step with its status icon, duration and attempts, and the phase budget left', () => {
    const frame = strip(renderFrame(midRun(), T0 + 20_000, false));
    expect(frame).toContain('▶ db-failover (DRILL)');
    expect(frame).toContain('run run-42 · plan aaaaaaaaaaaa · by alice · 20s');
    expect(lineOf(frame, 'assess')).toContain('20s of 1m · 40s left');
    expect(lineOf(frame, 'assess')).toContain('2/5 steps');
    expect(lineOf(frame, 'switch')).toMatch(/not started · budget 5m/);
    expect(lineOf(frame, ' check')).toMatch(/✔ check\s+1\.2s$/);
    expect(lineOf(frame, ' snapshot')).toMatch(/^ {2}[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] snapshot\s+18s$/);
    expect(lineOf(frame, ' flaky')).toMatch(/↻ flaky\s+retrying in 2\.0s · attempt 1 failed: connection refused/);
    expect(lineOf(frame, ' gate')).toMatch(/◆ gate\s+APPROVAL {2}waiting 18s · 0\/2 from @ops\/dba, @bob/);
    expect(lineOf(frame, ' optional')).toMatch(/○ optional\s+skipped \(condition is false\)/);
    expect(lineOf(frame, ' promote')).toMatch(/· promote\s+pending/);
    expect(frame).not.toContain('us-west-2'); // inputs are not the view's business
  });

  it('animates the spinner and the timers with `now` alone', () => {
    const state = midRun();
    const a = renderFrame(state, T0 + 20_000, false);
    expect(renderFrame(state, T0 + 20_000, false)).toBe(a);
    expect(lineOf(renderFrame(state, T0 + 20_100, false), ' snapshot')).not.toBe(lineOf(a, ' snapshot'));
    expect(lineOf(renderFrame(state, T0 + 30_000, false), ' snapshot')).toMatch(/28s$/);
  });

  it('ends steps with failures, attempts and the phase over budget in red', () => {
    const r = recorder();
    const state = midRun();
    applyRecord(
      state,
      r(
        'approval:granted',
        {
          stepId: 'gate',
          approval: { approver: 'bob', source: 'local-prompt', planHash: 'a'.repeat(64), at: '' },
          count: 1,
          required: 2,
        },
        30_000,
      ),
    );
    expect(lineOf(renderFrame(state, T0 + 30_000, false), ' gate')).toContain('1/2 from');
    applyRecord(
      state,
      r(
        'step:end',
        { stepId: 'flaky', attempt: 3, status: 'failed', durationMs: 62_000, error: 'connection refused' },
        63_300,
      ),
    );
    applyRecord(state, r('phase:end', { phaseId: 'assess', durationMs: 75_000, budgetMs: 60_000 }, 75_000));
    const colored = renderFrame(state, T0 + 80_000, true);
    const frame = strip(colored);
    expect(lineOf(frame, ' flaky')).toMatch(/✖ flaky\s+failed after 1m2s · 3 attempts: connection refused/);
    expect(lineOf(frame, 'assess')).toMatch(/^✖ {2}assess {2}done in 1m15s of 1m · 15s over budget/);
    expect(colored).toMatch(/\x1b\[31m[^\n]*15s over budget/);
    expect(strip(renderFrame(midRun(), T0 + 20_000, true))).toBe(strip(renderFrame(midRun(), T0 + 20_000, false)));
  });

  it('shows the last log lines of running steps, cleaned of control sequences', () => {
    const view = ttyProgress(fakeStream().stream, { color: false, now: () => T0 + 20_000 });
    const r = recorder();
    view.onRecord(r('run:start', runStart, 0));
    view.onRecord(r('phase:start', { phaseId: 'assess' }, 0));
    view.onRecord(r('step:start', start('snapshot'), 0));
    view.onRecord(r('step:start', start('check'), 0));
    view.logger('check').info('finished long ago');
    view.onRecord(r('step:end', { stepId: 'check', attempt: 1, status: 'succeeded', durationMs: 10 }, 10));
    const log = view.logger('snapshot');
    for (const l of ['one', 'two', '\x1b[1mthree\x1b[0m\x07', 'progress 10%\rprogress 90%']) log.stdout(l);
    view.onRecord(r('run:end', { status: 'interrupted', durationMs: 20_000 }, 20_000));
    const frame = lastFrame.value;
    expect(frame).toContain('── output\n  snapshot │ two\n  snapshot │ three\n  snapshot │ progress 90%');
    expect(frame).not.toContain('one');
    expect(frame).not.toContain('finished long ago');
    expect(frame).toContain('✖ db-failover interrupted in 20s');
  });

  it('compacts a frame taller than the terminal: finished phases first, then pending ones', () => {
    const r = recorder();
    const state = createTtyState();
    const phases = Array.from({ length: 5 }, (_, p) => ({
      id: `p${p}`,
      steps: Array.from({ length: 10 }, (_, s) => `p${p}-s${s}`),
    }));
    applyRecord(state, r('run:start', { ...runStart, phases }, 0));
    applyRecord(state, r('phase:start', { phaseId: 'p0' }, 0));
    for (const id of phases[0].steps)
      applyRecord(state, r('step:end', { stepId: id, attempt: 1, status: 'succeeded', durationMs: 5 }, 5));
    applyRecord(state, r('phase:end', { phaseId: 'p0', durationMs: 5 }, 5));
    applyRecord(state, r('phase:start', { phaseId: 'p1' }, 5));
    applyRecord(state, r('step:start', start('p1-s0'), 5));
    const full = strip(renderFrame(state, T0 + 1_000, false));
    expect(full.split('\n')).toHaveLength(1 + 5 + 50);
    const small = strip(renderFrame(state, T0 + 1_000, false, { rows: 20 }));
    expect(small.split('\n').length).toBeLessThan(20);
    expect(small).toContain('✔  p0  done in 0.0s · 10/10 steps');
    expect(small).not.toContain('p0-s3');
    expect(small).toMatch(/p1-s0\s+1\.0s/);
    expect(small).not.toContain('p3-s0');
  });

  it('shows a rollback, failed compensations and the interruption', () => {
    const r = recorder();
    const state = midRun();
    applyRecord(state, r('run:interrupted', { signal: 'SIGINT' }, 21_000));
    applyRecord(state, r('rollback:start', { reason: 'step flaky failed', steps: ['snapshot', 'check'] }, 21_000));
    applyRecord(state, r('rollback:step', { stepId: 'snapshot', status: 'failed', error: 'in use' }, 22_000));
    applyRecord(state, r('rollback:end', { status: 'failed' }, 22_000));
    const frame = strip(renderFrame(state, T0 + 23_000, false));
    expect(frame).toContain('↺ rolling back (step flaky failed): 1/2 compensated · failed');
    expect(frame).toContain('! interrupted (SIGINT)');
    expect(frame).toContain('! compensating snapshot failed: in use');
  });

  it('places steps it was not told about (a resumed run) in the running phase', () => {
    const r = recorder();
    const state = createTtyState();
    applyRecord(state, r('run:resume', { by: 'bob', completed: ['a', 'b'], inDoubt: [] }, 0));
    applyRecord(state, r('phase:start', { phaseId: 'switch' }, 0));
    applyRecord(state, r('step:start', start('dns'), 0));
    const frame = strip(renderFrame(state, T0 + 3_000, false));
    expect(frame).toContain('resumed, 2 steps done earlier');
    expect(frame).toMatch(/switch {2}3\.0s · 0\/1 steps\n {2}\S dns\s+3\.0s/);
  });
});

const lastFrame = { value: '' };

/** A terminal-like stream that keeps what log-update writes; `lastFrame` is the last frame drawn. */
function fakeStream(rows = 50, columns = 120) {
  const writes: string[] = [];
  const stream = {
    isTTY: true,
    rows,
    columns,
    write(chunk: string) {
      writes.push(String(chunk));
      const text = strip(String(chunk));
      if (text.trim()) lastFrame.value = text.replace(/\n$/, '');
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

describe('ttyProgress', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('redraws at most every 100 ms, then clears its interval and persists the final frame on run:end', () => {
    vi.useFakeTimers({ now: T0 });
    const { stream, writes } = fakeStream();
    const view = ttyProgress(stream, { color: false });
    const r = recorder();
    view.onRecord(r('run:start', runStart, 0));
    expect(vi.getTimerCount()).toBe(1);
    for (let i = 0; i < 50; i++) view.onRecord(r('phase:start', { phaseId: 'assess' }, 0));
    expect(writes).toHaveLength(0);
    vi.advanceTimersByTime(100);
    expect(writes).toHaveLength(1);
    view.onRecord(r('step:start', start('check'), 150));
    vi.advanceTimersByTime(1_000);
    expect(writes.length).toBeLessThanOrEqual(11);
    view.onRecord(r('run:end', { status: 'succeeded', durationMs: 2_000 }, 2_000));
    expect(vi.getTimerCount()).toBe(0);
    expect(lastFrame.value).toContain('✔ db-failover succeeded in 2.0s');
    const count = writes.length;
    vi.advanceTimersByTime(1_000);
    view.onRecord(r('step:start', start('dns'), 2_100));
    expect(writes).toHaveLength(count); // nothing after the final frame
  });

  it('never keeps the process alive: the interval is unref’ed, and done() stops it without run:end', () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    const view = ttyProgress(fakeStream().stream, { color: false });
    view.onRecord(recorder()('run:start', runStart, 0));
    const timer = spy.mock.results[0].value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    const clear = vi.spyOn(globalThis, 'clearInterval');
    view.done();
    expect(clear).toHaveBeenCalledWith(timer);
  });

  it('steps aside while a terminal prompt may be open (interactive): approvals, manual steps, suspend()', () => {
    vi.useFakeTimers({ now: T0 });
    const { stream, writes } = fakeStream();
    const view = ttyProgress(stream, { color: false, interactive: true });
    const r = recorder();
    view.onRecord(r('run:start', runStart, 0));
    view.onRecord(r('phase:start', { phaseId: 'assess' }, 0));
    expect(vi.getTimerCount()).toBe(1);
    view.onRecord(r('approval:requested', { stepId: 'gate', approvers: ['@bob', '@carol'], required: 2 }, 10));
    // The frame with the highlighted wait is left on screen, and nothing redraws over the prompt.
    expect(vi.getTimerCount()).toBe(0);
    expect(lastFrame.value).toMatch(/◆ gate\s+APPROVAL/);
    const frozen = writes.length;
    vi.advanceTimersByTime(1_000);
    const grant = (approver: string, count: number) =>
      r(
        'approval:granted',
        {
          stepId: 'gate',
          approval: { approver, source: 'local-prompt', planHash: 'a'.repeat(64), at: '' },
          count,
          required: 2,
        },
        20,
      );
    view.onRecord(grant('bob', 1));
    expect(writes).toHaveLength(frozen);
    view.onRecord(grant('carol', 2));
    expect(vi.getTimerCount()).toBe(1);
    view.onRecord(r('step:start', { ...start('confirm-dns'), uses: 'manual' }, 30));
    expect(vi.getTimerCount()).toBe(0);
    view.onRecord(r('step:end', { stepId: 'confirm-dns', attempt: 1, status: 'succeeded', durationMs: 5 }, 35));
    expect(vi.getTimerCount()).toBe(1);
    view.suspend();
    expect(vi.getTimerCount()).toBe(0);
    view.resume();
    expect(vi.getTimerCount()).toBe(1);
    view.onRecord(r('run:end', { status: 'succeeded', durationMs: 40 }, 40));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('writes nothing when the run ended before its first record (done() from a finally)', () => {
    const { stream, writes } = fakeStream();
    const view = ttyProgress(stream, { color: false });
    view.done();
    view.done();
    expect(writes).toHaveLength(0);
  });

  it('lets no secret through: records masked by the audit log, lines by the run’s masked logger', async () => {
    const secret = 'hunter2-very-secret';
    const masker = new SecretMasker([secret]);
    const { stream, writes } = fakeStream();
    const view = ttyProgress(stream, { color: true, now: () => Date.now() });
    // As run-runbook.ts wires it: the view is a sink of the audit log, its logger behind the masker.
    const audit = createAuditLog({
      runId: 'run-1',
      runbook: 'db-failover',
      planHash: 'a'.repeat(64),
      actor: 'alice',
      masker,
      sinks: [{ name: 'progress', write: async (rs) => rs.forEach((x) => view.onRecord(x)) }],
    });
    const inner = view.logger('check');
    const logger = {
      stdout: (l: string) => inner.stdout(masker.mask(l)),
      stderr: (l: string) => inner.stderr(masker.mask(l)),
      info: (m: string) => inner.info(masker.mask(m)),
    };
    await audit.emit('run:start', { ...runStart, inputs: { password: secret } });
    await audit.emit('phase:start', { phaseId: 'assess' });
    await audit.emit('step:start', start('check'));
    logger.stdout(`PGPASSWORD=${secret} psql`);
    logger.stderr(`auth failed for ${secret}`);
    await audit.emit('step:retry', { stepId: 'check', attempt: 1, error: `bad password ${secret}`, delayMs: 10 });
    view.note(`stopping`);
    await audit.emit('step:end', {
      stepId: 'check',
      attempt: 2,
      status: 'failed',
      durationMs: 20,
      error: `still ${secret}`,
    });
    await audit.emit('run:end', { status: 'failed', durationMs: 30, error: `failed: check (${secret})` });
    const all = writes.join('');
    expect(all).toContain('***');
    expect(all).not.toContain(secret);
    expect(all).not.toContain('hunter2');
  });
});

import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from '../../../ir/canonical-json.js';
import { createFileSink, readAuditFile } from '../../../executor/audit/file-sink.js';
import { GENESIS_HASH, hashRecord, type AuditRecord } from '../../../executor/audit/record.js';
import { verifyAudit } from '../../../executor/audit/verify.js';
import { emitSampleRun, newLog, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
let path: string;
let lines: string[];

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  path = join(dir, 'run-1', 'audit.jsonl');
  const log = newLog([createFileSink({ path })]);
  await emitSampleRun(log);
  await log.close();
  lines = readFileSync(path, 'utf8').split('\n').slice(0, -1);
});
afterEach(() => cleanup());

const rewrite = (ls: string[]) => writeFileSync(path, ls.map((l) => l + '\n').join(''));

describe('hash chain', () => {
  it('round-trips: 13 records, chained from the genesis hash, verified ok and complete', async () => {
    const { records, problems } = await readAuditFile(path);
    expect(problems).toEqual([]);
    expect(records.map((r) => r.seq)).toEqual([...Array(13).keys()].map((i) => i + 1));
    expect(records[0].prevHash).toBe(GENESIS_HASH);
    records.forEach((r, i) => {
      const { hash, ...rest } = r;
      expect(hash).toBe(sha256(canonicalJson(rest)));
      if (i > 0) expect(r.prevHash).toBe(records[i - 1].hash);
    });
    expect(records[2]).toMatchObject({
      type: 'step:start',
      stepId: 'check',
      attempt: 1,
      runId: 'run-1',
      commit: 'abc1234',
      actor: 'alice',
    });
    const v = await verifyAudit(path, { requireComplete: true });
    expect(v).toMatchObject({ ok: true, count: 13, complete: true, findings: [] });
    expect(v.tail).toEqual({ seq: 13, hash: records[12].hash });
  });

  it('detects one changed byte at that record (hash mismatch)', async () => {
    lines[4] = lines[4].replace('"ts":"2025', '"ts":"2026');
    rewrite(lines);
    const v = await verifyAudit(path);
    expect(v.ok).toBe(false);
    expect(v.firstBad).toMatchObject({ kind: 'hash-mismatch', seq: 5, line: 5 });
    expect(v.findings.filter((f) => f.fatal)).toHaveLength(1);
  });

  it('detects a deleted line as a seq gap at the record after it', async () => {
    rewrite(lines.filter((_, i) => i !== 6));
    const v = await verifyAudit(path);
    expect(v.firstBad).toMatchObject({ kind: 'seq-gap', seq: 8, line: 7 });
  });

  it('detects two swapped lines as out of order at the first moved line', async () => {
    [lines[3], lines[4]] = [lines[4], lines[3]];
    rewrite(lines);
    const v = await verifyAudit(path);
    expect(v.firstBad).toMatchObject({ kind: 'out-of-order', seq: 5, line: 4 });
  });

  it('detects a forged line with a recomputed hash, naming the forged line', async () => {
    const before = JSON.parse(lines[5]) as AuditRecord;
    const body = {
      ...before,
      seq: 7,
      prevHash: before.hash,
      type: 'approval:granted',
      stepId: 'promote',
      data: {
        stepId: 'promote',
        count: 1,
        required: 1,
        approval: { approver: 'mallory', source: 'local-prompt', planHash: 'p', at: before.ts },
      },
    };
    const forged = { ...body, hash: hashRecord(body as AuditRecord) };
    lines.splice(6, 0, JSON.stringify(forged));
    rewrite(lines);
    const v = await verifyAudit(path);
    expect(v.firstBad).toMatchObject({ kind: 'inserted', seq: 7, line: 7 });
  });

  it('detects a forged line that does not chain at the forged line itself', async () => {
    const before = JSON.parse(lines[5]) as AuditRecord;
    const body = { ...before, seq: 7, prevHash: 'f'.repeat(64) };
    lines.splice(6, 0, JSON.stringify({ ...body, hash: hashRecord(body) }));
    rewrite(lines);
    expect((await verifyAudit(path)).firstBad).toMatchObject({ kind: 'inserted', seq: 7, line: 7 });
  });

  it('reports a dropped tail as incomplete: non-fatal by default, fatal with requireComplete', async () => {
    rewrite(lines.slice(0, 9));
    const v = await verifyAudit(path);
    expect(v).toMatchObject({ ok: true, complete: false });
    expect(v.findings).toEqual([expect.objectContaining({ kind: 'incomplete', seq: 10, line: 10, fatal: false })]);
    expect(v.findings[0].reason).toContain('no run:end (truncated or interrupted)');
    const strict = await verifyAudit(path, { requireComplete: true });
    expect(strict).toMatchObject({ ok: false, firstBad: { kind: 'incomplete', seq: 10 } });
  });

  it('detects a correctly chained record appended after run:end', async () => {
    const last = JSON.parse(lines[12]) as AuditRecord;
    const body = {
      ...last,
      seq: 14,
      prevHash: last.hash,
      type: 'checklist:item',
      stepId: 'promote',
      data: { stepId: 'promote', text: 'done', confirmedBy: 'mallory' },
    };
    lines.push(JSON.stringify({ ...body, hash: hashRecord(body as AuditRecord) }));
    rewrite(lines);
    expect((await verifyAudit(path)).firstBad).toMatchObject({ kind: 'after-run-end', seq: 14, line: 14 });
  });

  it('detects a dropped head', async () => {
    rewrite(lines.slice(2));
    expect((await verifyAudit(path)).firstBad).toMatchObject({ kind: 'bad-start', seq: 3, line: 1 });
  });

  it('detects a rewritten tail against an anchor', async () => {
    const anchor = { seq: 13, hash: (JSON.parse(lines[12]) as AuditRecord).hash };
    const last = JSON.parse(lines[12]) as AuditRecord;
    const { hash: _h, ...body } = { ...last, data: { status: 'failed', durationMs: 1 } } as AuditRecord;
    lines[12] = JSON.stringify({ ...body, hash: hashRecord(body) });
    rewrite(lines);
    expect((await verifyAudit(path)).ok).toBe(true); // a consistent rewrite of the last record…
    expect((await verifyAudit(path, { anchor })).firstBad).toMatchObject({ kind: 'anchor-mismatch', seq: 13 }); // …is caught by the anchor
  });

  it('reports unparseable damage inside the file at its line', async () => {
    lines[3] = lines[3].slice(0, 20);
    rewrite(lines);
    expect((await verifyAudit(path)).firstBad).toMatchObject({ kind: 'unparseable', line: 4 });
  });
});

describe('torn last line', () => {
  it('is reported as truncation by readAuditFile and verify, without throwing', async () => {
    appendFileSync(path, lines[0].slice(0, 37));
    const file = await readAuditFile(path);
    expect(file.records).toHaveLength(13);
    expect(file.problems).toEqual([expect.objectContaining({ kind: 'torn-last-line', line: 14 })]);
    const v = await verifyAudit(path);
    expect(v.ok).toBe(true);
    expect(v.findings).toEqual([expect.objectContaining({ kind: 'torn-last-line', line: 14, fatal: false })]);
    expect((await verifyAudit(path, { requireComplete: true })).firstBad).toMatchObject({
      kind: 'torn-last-line',
      line: 14,
    });
  });

  it('a sink continuing the log after a crash leaves the fragment on its own line; the chain still verifies', async () => {
    rewrite(lines.slice(0, 8));
    appendFileSync(path, lines[8].slice(0, 50)); // record 9 was being written when the process died
    const { records } = await readAuditFile(path);
    const tail = records.at(-1)!;
    const log = newLog([createFileSink({ path })], { continueFrom: { seq: tail.seq, hash: tail.hash } });
    await log.emit('run:resume', { by: 'alice', completed: ['check'], inDoubt: ['promote'] });
    await log.emit('run:end', { status: 'succeeded', durationMs: 20_000 });
    await log.close();
    const v = await verifyAudit(path, { requireComplete: true });
    expect(v).toMatchObject({ ok: true, count: 10, complete: true });
    expect(v.findings).toEqual([expect.objectContaining({ kind: 'torn-line', line: 9, fatal: false })]);
  });
});

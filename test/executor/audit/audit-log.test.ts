import { open } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretMasker } from '../../../executor/core/secrets.js';
import { createFileSink, defaultAuditPath, readAuditFile } from '../../../executor/audit/file-sink.js';
import { AuditWriteError, type AuditSink } from '../../../executor/audit/record.js';
import { verifyAudit } from '../../../executor/audit/verify.js';
import { memorySink, newLog, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const start = (id: string) => ({
  stepId: id,
  attempt: 1,
  uses: 'shell',
  idempotent: true,
  sideEffects: true,
  dryRun: false,
});

describe('createAuditLog + file sink', () => {
  it('chains 100 concurrent emits in one order and group-commits them (fewer fsyncs than records)', async () => {
    const path = join(dir, 'audit.jsonl');
    let datasyncs = 0;
    const sink = createFileSink({
      path,
      // Wrap the real handle: count fdatasync calls, as the disk sees them.
      openFile: async (p, flags) => {
        const fh = await open(p, flags);
        const real = fh.datasync.bind(fh);
        fh.datasync = async () => {
          datasyncs++;
          await new Promise((r) => setTimeout(r, 5)); // a slow disk: writers pile up behind it
          return real();
        };
        return fh;
      },
    });
    const log = newLog([sink]);
    const ids = [...Array(100).keys()].map((i) => `s${i}`);
    await Promise.all(ids.map((id) => log.emit('step:start', start(id))));
    await log.close();

    const { records, problems } = await readAuditFile(path);
    expect(problems).toEqual([]);
    expect(records.map((r) => r.seq)).toEqual(ids.map((_, i) => i + 1));
    expect(records.map((r) => r.stepId)).toEqual(ids);
    expect(datasyncs).toBe(sink.syncs);
    expect(datasyncs).toBeGreaterThan(0);
    expect(datasyncs).toBeLessThan(10);
    expect((await verifyAudit(path)).ok).toBe(true);
  });

  it('keeps group-committing while writes arrive during a sync', async () => {
    const path = join(dir, 'audit.jsonl');
    const sink = createFileSink({ path });
    const log = newLog([sink]);
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      pending.push(log.emit('step:start', start(`s${i}`)));
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(pending);
    await log.close();
    expect((await readAuditFile(path)).records).toHaveLength(50);
    expect(sink.syncs).toBeGreaterThan(1); // later records waited for a sync in flight…
    expect(sink.syncs).toBeLessThan(50); // …and were synced together
  });

  it('resolves emit only after the record is on disk', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = newLog([createFileSink({ path })]);
    await log.emit('step:start', start('a'));
    expect(readFileSync(path, 'utf8')).toContain('"stepId":"a"');
    await log.close();
  });

  it('defaults to .runbook/runs/<run-id>/audit.jsonl, creating the directory', async () => {
    const path = defaultAuditPath('run-7', join(dir, '.runbook', 'runs'));
    expect(path).toBe(join(dir, '.runbook', 'runs', 'run-7', 'audit.jsonl'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const sink = createFileSink({ runId: 'run-7' });
      expect(sink.path).toBe(join('.runbook', 'runs', 'run-7', 'audit.jsonl'));
      const log = newLog([sink]);
      await log.emit('step:start', start('a'));
      await log.close();
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(path)).toBe(true);
  });

  it('masks secrets before hashing: the value never reaches the file, and the chain verifies', async () => {
    const secret = 'hunter2-s3cr3t-value';
    const path = join(dir, 'audit.jsonl');
    const log = newLog([createFileSink({ path })], {
      masker: new SecretMasker([secret, `postgres://app:${secret}@db/x`]),
    });
    await log.emit('step:end', {
      stepId: 'a',
      attempt: 1,
      status: 'failed',
      durationMs: 5,
      error: `connect postgres://app:${encodeURIComponent(secret)}@db/x failed`,
      outputs: { token: secret, [secret]: 'as a key', nested: [{ deep: `x${secret}y` }] },
    });
    await log.close();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(encodeURIComponent(secret));
    expect(text).toContain('***');
    expect((await verifyAudit(path)).ok).toBe(true);
  });

  it('hands every sink the same records in seq order', async () => {
    const a = memorySink();
    const b = memorySink();
    const log = newLog([a, b]);
    await Promise.all(['x', 'y', 'z'].map((id) => log.emit('step:start', start(id))));
    expect(a.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(b.records).toEqual(a.records);
    expect(log.tail).toEqual({ seq: 3, hash: a.records[2].hash });
  });

  it('fails stop: a sink that cannot store a record rejects that emit and every later one', async () => {
    let calls = 0;
    const flaky: AuditSink = {
      name: 'flaky',
      write: async () => {
        if (++calls === 2) throw new Error('disk full');
      },
    };
    const log = newLog([flaky]);
    await log.emit('step:start', start('a'));
    await expect(log.emit('step:start', start('b'))).rejects.toThrow(AuditWriteError);
    await expect(log.emit('step:start', start('c'))).rejects.toThrow(/flaky could not store record 2/);
    expect(calls).toBe(2);
  });

  it('a file sink whose sync fails refuses everything after it', async () => {
    const path = join(dir, 'audit.jsonl');
    const sink = createFileSink({
      path,
      openFile: async (p, flags) => {
        const fh = await open(p, flags);
        fh.datasync = async () => {
          throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        };
        return fh;
      },
    });
    await expect(sink.write([])).rejects.toThrow('EIO');
    await expect(sink.write([])).rejects.toThrow('EIO');
    await sink.close();
  });
});

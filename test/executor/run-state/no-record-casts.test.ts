import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/**
 * Audit records are a union discriminated by `type` (executor/audit/record.ts): narrowing on the
 * type gives the data, so a cast of a record or of its data is a bug waiting for the event map to
 * change. The two records made from untyped values are allowed by line: the one place records are
 * built (a generic event type TypeScript cannot correlate with the union) and the database read.
 */
const allowed = [
  'executor/audit/record.ts: const p = deliver(build(type, data) as AuditRecord);',
  "executor/audit/pg-sink.ts: return typeof wrapped?.$json === 'string' ? (JSON.parse(wrapped.$json) as AuditRecord) : (value as AuditRecord);",
];

describe('audit records', () => {
  it('are never cast in the compiler, the executor or the CLI', () => {
    const casts = ['compiler', 'executor', 'cli'].flatMap((dir) =>
      sources(join(root, dir)).flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => /\bas (RunEvents\[|Data<|AuditRecord\b|AuditRecordOf\b|AnyAuditRecord\b)/.test(line))
          .map((line) => `${relative(root, file)}: ${line.trim()}`),
      ),
    );
    expect(casts.filter((c) => !allowed.includes(c))).toEqual([]);
  });
});

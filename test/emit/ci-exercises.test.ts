import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFiles, compileTree } from '../../compiler/compile.js';
import { ciExercisesFile, type CiExercise } from '../../compiler/load/ci-exercises.js';
import { claimProblems } from '../support/ci-claims.js';

/**
 * Issue 15, item 4: the Library page's "Exercised in CI" column is true. Every claim of
 * drills/ci-exercises.json names a procedure of the library and is backed by the test files it
 * names (test/support/ci-claims.ts says what backs each mode).
 */
const repo = join(import.meta.dirname, '..', '..');
const result = compileTree(repo);
const claims = result.ciExercises ?? [];

describe('drills/ci-exercises.json', () => {
  it('is read by the compile, without findings', () => {
    expect(result.diagnostics.filter((d) => d.file === ciExercisesFile)).toEqual([]);
    expect(claims.length).toBeGreaterThan(5);
    expect(new Set(claims.map((c) => c.mode))).toEqual(new Set(['real', 'emulated', 'dry-run']));
  });

  it('claims only procedures of the library', () => {
    const graphs = new Set(result.graphs.map((g) => `${g.origin.kind}/${g.name}`));
    expect(claims.map((c) => `${c.kind}/${c.name}`).filter((k) => !graphs.has(k))).toEqual([]);
  });

  it.each(claims.map((c) => [`${c.kind}/${c.name} (${c.mode})`, c] as const))(
    '%s is backed by its tests',
    (_, claim) => {
      expect(claimProblems(repo, claim)).toEqual([]);
    },
  );
});

describe('the claim check can fail', () => {
  const claim = (o: Partial<CiExercise>): CiExercise => ({
    kind: 'Runbook',
    name: 'redis-restore',
    mode: 'real',
    tests: ['test/executor/redis/redis-backup-e2e.test.ts'],
    ...o,
  });

  it('refuses a real claim backed only by a dry run, and a dry-run claim backed only by real runs', () => {
    const dry = 'test/executor/integration/library-cli-dry-run.test.ts';
    expect(claimProblems(repo, claim({ name: 'database-corruption-recovery', tests: [dry] }))).toHaveLength(1);
    expect(claimProblems(repo, claim({ mode: 'dry-run' }))).toHaveLength(1);
  });

  it('refuses an emulator run claimed real, and a real run claimed emulated', () => {
    const moto = 'test/executor/integration/library-moto/quarterly-dr-drill.test.ts';
    expect(claimProblems(repo, claim({ name: 'quarterly-dr-drill', tests: [moto] }))).toHaveLength(1);
    expect(claimProblems(repo, claim({ mode: 'emulated' }))).toHaveLength(1);
  });

  it("refuses stand-in commands claimed real, but not PostgreSQL's own programs first on PATH", () => {
    const stubs = 'test/library/platform-stub-tools.test.ts';
    expect(claimProblems(repo, claim({ name: 'platform-config-backup', tests: [stubs] }))).toHaveLength(1);
    expect(claimProblems(repo, claim({ name: 'platform-config-backup', mode: 'emulated', tests: [stubs] }))).toEqual(
      [],
    );
    const pgBin = 'test/executor/pg/pg-dump-restore-e2e.test.ts';
    expect(claimProblems(repo, claim({ name: 'postgres-dump-restore', tests: [pgBin] }))).toEqual([]);
  });

  it('takes a file that dry-runs a runbook in one test and runs it for real in another as real', () => {
    const mixed = 'test/executor/pg/postgres-loss-scenarios.test.ts';
    expect(claimProblems(repo, claim({ name: 'postgres-recent-data-loss', tests: [mixed] }))).toEqual([]);
    expect(claimProblems(repo, claim({ name: 'postgres-recent-data-loss', mode: 'dry-run', tests: [mixed] }))).toEqual(
      [],
    );
  });

  it('refuses a file that does not name the runbook, and a file that does not exist', () => {
    expect(claimProblems(repo, claim({ name: 'redis-backup-nightly' }))[0]).toMatch(/does not name/);
    expect(claimProblems(repo, claim({ tests: ['test/nowhere.test.ts'] }))[0]).toMatch(/does not exist/);
  });
});

describe('a malformed file is an error at the offending entry', () => {
  const compile = (text: string) =>
    compileFiles([], { drills: { records: [], reports: [], ci: { path: ciExercisesFile, text } } });

  it.each([
    ['not an object', '[]'],
    ['an unknown mode', '{"exercises":[{"kind":"Runbook","name":"a","mode":"sometimes","tests":["x.test.ts"]}]}'],
    ['no tests', '{"exercises":[{"kind":"Runbook","name":"a","mode":"real","tests":[]}]}'],
    [
      'a runbook listed twice',
      '{"exercises":[{"kind":"Runbook","name":"a","mode":"real","tests":["x"]},{"kind":"Runbook","name":"a","mode":"dry-run","tests":["y"]}]}',
    ],
  ])('%s', (_, text) => {
    const r = compile(text);
    expect(r.diagnostics.map((d) => `${d.code} ${d.severity} ${d.file}`)).toEqual([
      `ci-exercises-invalid error ${ciExercisesFile}`,
    ]);
    expect(r.ciExercises).toEqual([]);
  });

  it('without the file, the compile knows no claims (the page says "—")', () => {
    expect(compileFiles([]).ciExercises).toBeUndefined();
  });
});

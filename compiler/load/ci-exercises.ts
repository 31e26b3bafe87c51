import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { loadYaml } from './load-yaml.js';
import type { Range, SourceFile } from '../source/source-file.js';

/**
 * `drills/ci-exercises.json`: which runbooks the project's CI runs, and how (issue 15, the wiki's
 * Library page). A claim, kept apart from the runbooks because it is a fact about the repository's
 * tests, not about the procedure: adopters (a repository holding only `runbooks/`) have no such
 * file and the Library page says "—". The project checks its own claims against the test files
 * (test/emit/ci-exercises.test.ts): a claim nobody backs is a failing test, not a wiki page that lies.
 *
 * ```json
 * { "exercises": [ { "kind": "Runbook", "name": "redis-restore", "mode": "real",
 *                    "tests": ["test/executor/redis/redis-backup-e2e.test.ts"] } ] }
 * ```
 * `real`: run end to end (no `--dry-run`) against throwaway local servers (PostgreSQL, Redis);
 * `emulated`: run without `--dry-run` against the AWS emulator and/or with stand-ins for the commands
 * that cannot run on a CI machine (kubectl, aws, velero, ab…); `dry-run`: run with `--dry-run`, the plan checked.
 */
export { ciExercisesFile } from './ci-exercises-path.js';

export const ciModes = ['real', 'emulated', 'dry-run'] as const;
export type CiMode = (typeof ciModes)[number];

export interface CiExercise {
  readonly kind: 'Runbook' | 'BackupPlan';
  readonly name: string;
  readonly mode: CiMode;
  /** Repository paths of the test files that do it. */
  readonly tests: readonly string[];
}

const hint = 'see docs/format-reference.md, "Library page"';

/** The claims of the file, or a `ci-exercises-invalid` diagnostic at the offending value. */
export function parseCiExercises(file: SourceFile): { exercises: CiExercise[]; diagnostics: Diagnostic[] } {
  const fail = (message: string, range: Range) => ({
    exercises: [],
    diagnostics: [
      { code: 'ci-exercises-invalid' as const, severity: 'error' as const, message, file: file.path, range, hint },
    ],
  });
  const loaded = loadYaml(file);
  const value = loaded.documents[0];
  const data = value?.data as { exercises?: unknown } | undefined;
  if (!value || typeof data !== 'object' || data === null || !Array.isArray(data.exercises)) {
    return fail('not a JSON object with an "exercises" list', loaded.diagnostics[0]?.range ?? { start: 0, end: 0 });
  }
  const seen = new Set<string>();
  for (const [i, item] of (data.exercises as unknown[]).entries()) {
    const problem = problemOf(item);
    const key = problem ? '' : `${(item as CiExercise).kind}/${(item as CiExercise).name}`;
    if (problem || seen.has(key)) {
      return fail(`exercises[${i}]: ${problem ?? `${key} is listed twice`}`, value.map.range(`/exercises/${i}`));
    }
    seen.add(key);
  }
  return { exercises: data.exercises as CiExercise[], diagnostics: [] };
}

/** What is wrong with one entry, if anything. */
function problemOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return 'not an object';
  const e = item as Record<string, unknown>;
  const extra = Object.keys(e).filter((k) => !['kind', 'name', 'mode', 'tests'].includes(k));
  if (extra.length) return `unknown field "${extra[0]}"`;
  if (e.kind !== 'Runbook' && e.kind !== 'BackupPlan') return 'kind must be "Runbook" or "BackupPlan"';
  if (typeof e.name !== 'string' || !e.name) return 'name must be a runbook name';
  if (!ciModes.includes(e.mode as CiMode)) return `mode must be one of ${ciModes.map((m) => `"${m}"`).join(', ')}`;
  const tests = e.tests;
  if (!Array.isArray(tests) || !tests.length || tests.some((t) => typeof t !== 'string' || !t)) {
    return 'tests must list the test files that back the claim';
  }
  return undefined;
}

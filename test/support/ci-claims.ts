import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CiExercise } from '../../compiler/load/ci-exercises.js';

/**
 * Checks a claim of drills/ci-exercises.json against the test files it names, by reading them:
 * what each mode needs a test file to contain. Static on purpose: the claim test must not depend
 * on which other test files ran in the same vitest invocation.
 *
 * - every mode: the file exists, is a vitest test file, and names the runbook as a string literal;
 * - `real`: it runs a runbook through the built CLI (`runCliAsync`, `startCli`, `cliSync`) or the
 *   local failover drill (`runLocalFailoverDrill`, the executor's real run), never `--dry-run` /
 *   `dryRun: true`, and not against the AWS emulator;
 * - `emulated`: it runs through the AWS emulator harness (`library-moto`, `startMoto`), never as a dry run;
 * - `dry-run`: it runs through the CLI with `--dry-run`.
 */
export function claimProblems(repo: string, claim: CiExercise): string[] {
  const files = claim.tests.map((path) => ({ path, text: readTest(repo, path) }));
  const problems = files.flatMap(({ path, text }) =>
    text === undefined
      ? [`${path} does not exist or is not a .test.ts file`]
      : named(text, claim.name)
        ? []
        : [`${path} does not name "${claim.name}" as a string`],
  );
  if (problems.length) return problems.map((p) => `${claim.kind}/${claim.name} (${claim.mode}): ${p}`);
  const backed = files.some(({ text }) => backs(text!, claim.mode));
  return backed ? [] : [`${claim.kind}/${claim.name} (${claim.mode}): no file of ${claim.tests.join(', ')} runs it so`];
}

const cliRunner = /\b(runCliAsync|startCli|cliSync)\(/;
const realRunner = /\b(runCliAsync|startCli|cliSync|runLocalFailoverDrill)\(/;
const dryRun = /['"`]--dry-run['"`]|\bdryRun:\s*true\b/;
const emulator = /\bstartMoto\(|\/library-moto\/|from '\.\/harness\.js'|\bstartLibraryWorld\(/;

function backs(text: string, mode: CiExercise['mode']): boolean {
  if (mode === 'dry-run') return cliRunner.test(text) && dryRun.test(text);
  if (dryRun.test(text)) return false;
  if (mode === 'emulated') return emulator.test(text) && /\b(world\.run|runCliAsync)\(/.test(text);
  return realRunner.test(text) && !emulator.test(text);
}

function readTest(repo: string, path: string): string | undefined {
  const abs = join(repo, path);
  return path.endsWith('.test.ts') && existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
}

function named(text: string, name: string): boolean {
  return [`'${name}'`, `"${name}"`, `\`${name}\``].some((q) => text.includes(q));
}

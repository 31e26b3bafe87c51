import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CiExercise } from '../../compiler/load/ci-exercises.js';

/**
 * Checks a claim of drills/ci-exercises.json against the test files it names, by reading them:
 * what each mode needs a test file to contain. Static on purpose: the claim test must not depend
 * on which other test files ran in the same vitest invocation.
 *
 * - every mode: the file exists, is a vitest test file, and names the runbook as a string literal;
 * - `real`: it runs a runbook through the built CLI (`runCliAsync`, `startCli`, `cliSync`,
 *   `runApproved`) or the local failover drill (`runLocalFailoverDrill`, the executor's real run),
 *   in a call whose arguments hold no `--dry-run` / `dryRun: true`, and not against the AWS emulator
 *   or with stand-in commands;
 * - `emulated`: it runs through the CLI (or the AWS emulator harness: `library-moto`, `startMoto`) with
 *   the AWS emulator or stand-in commands first on `PATH` (a `PATH:` override in the run's env), never
 *   as a dry run; a `real` claim must have neither;
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

const cliRunner = /\b(runCliAsync|startCli|cliSync|runApproved)\(|\[bin,/;
const realRunner = /\b(runCliAsync|startCli|cliSync|runApproved|runLocalFailoverDrill|world\.run)\(/g;
const dryRun = /['"`]--dry-run['"`]|\bdryRun:\s*true\b/;
const emulator = /\bstartMoto\(|\/library-moto\/|from '\.\/harness\.js'|\bstartLibraryWorld\(/;
// Stand-in commands (aws, kubectl, ab…) put first on PATH for the run: the commands are not real.
// PostgreSQL's own bin directory first on PATH (pg_dump as new as the server) is the real thing.
const standIns = /\bPATH:\s*(?![`'"]\$\{pgBinDir\})[`'"]/;

function backs(text: string, mode: CiExercise['mode']): boolean {
  if (mode === 'dry-run') return cliRunner.test(text) && dryRun.test(text);
  // A file may dry-run a runbook in one test and run it for real in another: one run call whose
  // arguments hold no dry-run flag is what a real or emulated claim needs.
  const liveCall = callsOf(text).some((call) => !dryRun.test(call));
  if (mode === 'emulated') return (emulator.test(text) || standIns.test(text)) && liveCall;
  return liveCall && !emulator.test(text) && !standIns.test(text);
}

/** The text of each runner call: from its name to the parenthesis that closes it. */
function callsOf(text: string): string[] {
  return [...text.matchAll(realRunner)].map((m) => {
    let depth = 0;
    for (let i = m.index + m[0].length - 1; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) return text.slice(m.index, i + 1);
    }
    return text.slice(m.index);
  });
}

function readTest(repo: string, path: string): string | undefined {
  const abs = join(repo, path);
  return path.endsWith('.test.ts') && existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
}

function named(text: string, name: string): boolean {
  return [`'${name}'`, `"${name}"`, `\`${name}\``].some((q) => text.includes(q));
}

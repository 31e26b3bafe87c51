import { spawnSync } from 'node:child_process';
import { spawnAsync } from './spawn-async.js';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAuditText } from '../../executor/audit/file-sink.js';

/** The built CLI (`npm run build` first): tests run it as users do, in a child process. */
export const bin = join(import.meta.dirname, '..', '..', 'bin', 'runbook.js');

/** Variables of the test runner's own environment that would change what a CLI run does. */
const inherited =
  /^(GITHUB_|RUNBOOK_|RUNNER_|ACTIONS_)|^(CI|DATABASE_URL|PR_NUMBER|BASE_SHA|HEAD_SHA|FORCE_COLOR|NO_COLOR)$/;

/**
 * The environment of a CLI child: the runner's, minus what the CLI reads (GitHub Actions
 * variables, RUNBOOK_* settings, an audit database, color switches), so a developer's shell or
 * the CI job cannot change a test's outcome; then CI=true (never prompt) and NO_COLOR, then
 * `extra`. RUNBOOK_PG_BIN is kept: it only says where PostgreSQL is installed.
 * RUNBOOK_ALLOW_LOCAL_LOCK=true: CI=true is here only to never prompt, and a test's runs share one
 * machine, where the lock file does hold; tests of the CI refusal pass RUNBOOK_ALLOW_LOCAL_LOCK: ''.
 */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!inherited.test(k) || k === 'RUNBOOK_PG_BIN') env[k] = v;
  return { ...env, CI: 'true', NO_COLOR: '1', RUNBOOK_ALLOW_LOCAL_LOCK: 'true', ...extra };
}

/** The run id a `runbook run|drill|resume` printed (its one `run id: <id>` line). */
export function runIdOf(stdout: string): string {
  const ids = runIdsOf(stdout);
  if (ids.length !== 1) throw new Error(`expected one "run id:" line, got ${ids.length} in:\n${stdout}`);
  return ids[0];
}

/** Every `run id: <id>` line of a CLI's stdout, in order. */
export function runIdsOf(stdout: string): string[] {
  return [...stdout.matchAll(/^run id: (\S+)$/gm)].map((m) => m[1]);
}

/** `drill record: <path>` from `runbook drill`'s stdout (relative to --root). */
export function drillRecordOf(stdout: string): string {
  const m = /^drill record: (.+)$/m.exec(stdout);
  if (!m) throw new Error(`no "drill record:" line in:\n${stdout}`);
  return m[1];
}

/**
 * The CLI in a child without blocking this process, for tests whose loopback servers must keep
 * answering while it runs (spawnSync would freeze them). Killed after `timeoutMs`. `cwd`: where a
 * runbook's relative paths (`./scripts/…`) resolve; this process's by default.
 */
export function runCliAsync(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  cwd?: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return spawnAsync(process.execPath, [bin, ...args], { env: cliEnv(env), cwd, timeoutMs });
}

/**
 * A temp project root whose `runbooks/` holds `files` (name → text), compiled with the built CLI;
 * throws with the compiler's output when it does not compile. The caller removes it (afterAll).
 */
export function compiledRoot(prefix: string, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(root, 'runbooks'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'runbooks', name), text);
  const c = spawnSync(process.execPath, [bin, 'compile', '--root', root], { encoding: 'utf8', env: cliEnv() });
  if (c.status !== 0) throw new Error(`compile failed (${c.status}):\n${c.stdout}${c.stderr}`);
  return root;
}

/** A step's last step:end data in a run's journal. */
export interface StepEnd {
  status: string;
  error?: string;
  /** The action error code (executor/core/action-error-codes.ts). */
  code?: string;
  outputs?: Record<string, unknown>;
}

/** Each step's last step:end of the run whose id `stdout` printed, in project `root`. */
export function stepEndsOf(root: string, stdout: string): Record<string, StepEnd> {
  const text = readFileSync(join(root, '.runbook', 'runs', runIdOf(stdout), 'audit.jsonl'), 'utf8');
  const out: Record<string, StepEnd> = {};
  for (const r of parseAuditText(text).records)
    if (r.type === 'step:end' && r.stepId) out[r.stepId] = r.data as StepEnd;
  return out;
}

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compileTree, type CompileResult } from '../../compiler/compile.js';
import { diagnosticCodes } from '../../compiler/diagnostics/codes.js';
import { bin, cliEnv } from '../support/cli.js';
import type { MalformedCase } from './cases.js';

/** A fresh, empty project root in the OS temp dir; remove it with `rmSync(dir, { recursive: true })`. */
export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'runbook-malformed-'));
}

/** Writes the case as `<root>/runbooks/<file>` plus its companions, replacing the previous tree. */
export function writeCase(root: string, c: MalformedCase): void {
  const runbooks = join(root, 'runbooks');
  rmSync(runbooks, { recursive: true, force: true });
  for (const [file, content] of [[c.file, c.content] as const, ...Object.entries(c.others ?? {})]) {
    mkdirSync(dirname(join(runbooks, file)), { recursive: true });
    writeFileSync(join(runbooks, file), content);
  }
}

/** Writes the case (see writeCase) and compiles the tree in-process. */
export function compileCase(root: string, c: MalformedCase): CompileResult {
  writeCase(root, c);
  return compileTree(root);
}

/**
 * What is wrong with a compile result for a malformed case, as readable strings (empty = fine):
 * no error reported (unless `allowClean`), a code outside the closed set, a finding about a file
 * the case did not write, or a range outside the file's text.
 */
export function violations(c: MalformedCase, result: CompileResult, allowClean = false): string[] {
  const written = new Map([
    [`runbooks/${c.file}`, c.content],
    ...Object.entries(c.others ?? {}).map(([f, t]) => [`runbooks/${f}`, t] as const),
  ]);
  const out: string[] = [];
  if (!allowClean && !result.diagnostics.some((d) => d.severity === 'error')) out.push('no error reported');
  for (const d of result.diagnostics) {
    const where = `${d.code} [${d.range.start}, ${d.range.end})`;
    if (!Object.hasOwn(diagnosticCodes, d.code)) out.push(`unknown code ${d.code}`);
    const content = written.get(d.file);
    if (content === undefined) {
      out.push(`${where} reported on ${d.file}, which is not a file of the case`);
      continue;
    }
    // The compiler's own decoding of the file; binary files it refused have no text, so use ours.
    const text =
      result.project.files.get(d.file)?.text ??
      new TextDecoder().decode(typeof content === 'string' ? Buffer.from(content) : content);
    const { start, end } = d.range;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > text.length) {
      out.push(`${where} outside the file (length ${text.length})`);
    }
  }
  return out;
}

/** Result of one CLI run: what spawnSync saw, plus the wall time. */
export interface CliRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: Error;
  readonly ms: number;
}

/**
 * `runbook validate --root <root> --format json` in a child with a small heap and a deadline: a
 * hang shows up as a timeout (SIGTERM), an unbounded allocation as an OOM crash, not as a slow suite.
 * The deadline is for hangs, so it is far above what a loaded machine needs (a few seconds).
 */
export function runCli(root: string, timeoutMs = 90_000, heapMb = 512): CliRun {
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, bin, 'validate', '--root', root, '--format', 'json'],
    {
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 256 * 1024 * 1024,
      env: cliEnv(),
    },
  );
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr,
    error: r.error,
    ms: Date.now() - t0,
  };
}

import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { CommonOptions, OutputFormat } from '../compile-for-cli.js';

/** Receives a command's exit code (main returns it). */
export type SetExit = (code: number) => void;

/** The global options (--root, --format, --verbose) as every command sees them. */
export function common(cmd: Command): CommonOptions {
  const o = cmd.optsWithGlobals<{ root?: string; format?: OutputFormat; verbose?: boolean }>();
  return { root: resolve(o.root ?? process.cwd()), format: o.format ?? 'terminal', verbose: o.verbose };
}

export const formatOption = () =>
  new Option('-f, --format <format>', 'output format').choices(['terminal', 'github', 'json']).default('terminal');

/** Accumulates a repeatable option's values. */
export const collect = (v: string, prev: string[]) => [...prev, v];

/** The options every command that runs a runbook shares (run, drill, resume, run-request). */
export function runOptions(c: Command): Command {
  return c
    .option('--as <handle>', 'who starts the run (default: GITHUB_ACTOR, else the OS user)')
    .option('--approvals <file>', 'approvals file for non-interactive runs (or RUNBOOK_APPROVALS)')
    .option('--confirm-as <handle>', 'confirm manual steps and checklist items as this person (non-interactive drills)')
    .option(
      '--audit-db <url>',
      'journal the run in PostgreSQL, its journal of record (resumable on any machine), and lock there (or RUNBOOK_AUDIT_DB; DATABASE_URL is never used)',
    )
    .option(
      '--allow-owner-role',
      'let the run use an audit database role that could alter runbook_audit, even under CI (local development; or RUNBOOK_ALLOW_OWNER_ROLE=true)',
    )
    .option(
      '--allow-local-lock',
      'under CI without an audit database, run on a lock file only this runner sees (or RUNBOOK_ALLOW_LOCAL_LOCK=true)',
    )
    .option('--environment <name>', "the environment the run acts on, recorded with it (default: the runbook's)")
    .option('--concurrency <n>', 'most steps running at once (default 8)')
    .option('--json', 'stream audit events as JSON lines on stdout');
}

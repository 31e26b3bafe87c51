/** Exit codes of the `runbook` command, documented in the README and `runbook --help`. */
export const ExitCode = {
  Ok: 0,
  /** Runbooks have errors, or `compile --check` found stale generated files. */
  Problems: 1,
  /** Bad command line: unknown option, unknown runbook name, missing argument. */
  Usage: 2,
  /** A bug or an environment failure (cannot write files…); the message says which. */
  Internal: 3,
} as const;

export const exitCodeHelp = `Exit codes:
  0  success
  1  problems found: errors in runbooks, or stale generated files (--check)
  2  usage error: bad option or argument, unknown runbook
  3  internal error`;

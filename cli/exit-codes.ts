/** Exit codes of the `runbook` command, documented in the README and `runbook --help`. */
export const ExitCode = {
  Ok: 0,
  /**
   * The run parked at an approval gate (a database journal of record): it is not over, the job
   * ends green, and an approval resumes it (`runbook gate-event`, or `runbook resume RUN_ID`).
   */
  Parked: 0,
  /** Runbooks have errors, or `compile --check` found stale generated files. */
  Problems: 1,
  /** Bad command line: unknown option, unknown runbook name, missing argument. */
  Usage: 2,
  /** A bug or an environment failure (cannot write files…); the message says which. */
  Internal: 3,
  /** The run failed (a step failed and the failure policy stopped it). */
  RunFailed: 4,
  /** The run failed and was rolled back. */
  RolledBack: 5,
  /** The run was refused before any step: bad inputs, missing secrets, lock held, refused approval file, tampered journal. */
  Refused: 6,
  /**
   * The run failed and its rollback stopped before undoing every completed reversible step (at an
   * irreversible step, or a compensation failed): the output and the journal's rollback:end name them.
   */
  RollbackIncomplete: 7,
  /** Interrupted by SIGINT/SIGTERM; resume it with `runbook resume RUN_ID`. */
  Interrupted: 130,
} as const;

export const exitCodeHelp = `Exit codes:
  0  success, or parked at an approval gate (an approval resumes it)
  1  problems found: errors in runbooks, or stale generated files (--check)
  2  usage error: bad option or argument, unknown runbook
  3  internal error
  4  run failed            5  run failed and was rolled back
  6  run refused before any step (inputs, secrets, lock, journal)
  7  run failed and its rollback is incomplete (steps left in place, named in the output)
  130  interrupted (SIGINT/SIGTERM); continue with runbook resume RUN_ID`;

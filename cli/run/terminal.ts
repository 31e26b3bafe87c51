import { runProgress, type RunProgress } from '../../executor/facade/index.js';
import { ExitCode } from '../exit-codes.js';

/** What a run shows on the terminal, and how Ctrl-C stops it. */
export interface RunTerminal {
  readonly progress: RunProgress;
  /** Aborted by the first SIGINT or SIGTERM; a second one exits at once. */
  readonly signal: AbortSignal;
  /** A warning or notice: kept in the live frame, else a line on stderr. */
  note(line: string): void;
  /** The run is journaled: announce its id (after the live frame ends, when there is one). */
  started(): void;
  /** Ends the live frame, announces the id if due, stops listening for signals. */
  close(): void;
}

/**
 * Prints `run id: <id>` on stdout once the run is journaled (also when it is then refused, as a
 * run request can be), so scripts and tests name the run they started rather than guessing it
 * from `.runbook/runs/`; with a live terminal display, after the display ends. `--json` streams
 * records that carry the id instead.
 */
export function openRunTerminal(o: { json?: boolean; interactive: boolean }, runId: string): RunTerminal {
  const progress = runProgress(o);
  const { tty } = progress;
  let journaled = false;
  const announce = () => {
    if (!o.json) process.stdout.write(`run id: ${runId}\n`);
  };
  const ctrl = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) process.exit(ExitCode.Interrupted);
    const notice = `${sig}: stopping — running steps are aborted and journaled (again to force)`;
    if (tty) tty.note(notice);
    else process.stderr.write(`\n${notice}\n`);
    ctrl.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    progress,
    signal: ctrl.signal,
    note: (line) => (tty ? tty.note(line) : process.stderr.write(line + '\n')),
    started() {
      if (journaled) return;
      journaled = true;
      if (!tty) announce();
    },
    close() {
      tty?.done();
      if (tty && journaled) announce();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

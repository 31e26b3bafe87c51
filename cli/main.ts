import { CommanderError } from 'commander';
import { RunRefused } from '../executor/facade/errors.js';
import { ExitCode } from './exit-codes.js';
import { buildProgram } from './program/build-program.js';

export { buildProgram };

/** Entry point: one top-level catch, documented exit codes. */
export async function main(argv: string[]): Promise<number> {
  let code: number = ExitCode.Ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    return exitCodeOf(e);
  }
}

/** Maps what escaped a command to its documented exit code, telling the user why on stderr. */
function exitCodeOf(e: unknown): number {
  if (e instanceof CommanderError) {
    return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version'
      ? ExitCode.Ok
      : ExitCode.Usage;
  }
  if (e instanceof RunRefused) {
    process.stderr.write(`runbook: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
    return ExitCode.Refused;
  }
  const err = e as Error;
  process.stderr.write(`runbook: internal error: ${err.message}\n${process.env.RUNBOOK_DEBUG ? err.stack + '\n' : ''}`);
  return ExitCode.Internal;
}

import { Command } from 'commander';
import { exitCodeHelp } from '../exit-codes.js';
import { registerAudit } from './audit.js';
import { registerAuthoring } from './authoring.js';
import { registerRunRequest, registerRuns } from './runs.js';
import type { SetExit } from './shared.js';
import { registerApprove, registerDemoAndPrComment, registerGithub, registerWikiExport } from './tools.js';

/**
 * Builds the `runbook` command line. Registering a command costs only its options: each action
 * imports its implementation (cli/commands/*) when it runs, so `runbook --help` and a mistyped
 * option answer without loading the compiler, the executor or their clients. The order of the
 * calls is the order `runbook --help` lists the commands in.
 */
export function buildProgram(setExit: SetExit): Command {
  const program = new Command('runbook')
    .description('Compile, validate and run disaster-recovery runbooks written as code.')
    .option('--root <dir>', 'repository root (default: the current directory)')
    .option('-v, --verbose', 'also show informational findings')
    .addHelpText('after', `\n${exitCodeHelp}`)
    .exitOverride()
    .showHelpAfterError();
  registerAuthoring(program, setExit);
  registerRuns(program, setExit);
  registerApprove(program, setExit);
  registerDemoAndPrComment(program, setExit);
  registerRunRequest(program, setExit);
  registerGithub(program, setExit);
  registerWikiExport(program, setExit);
  registerAudit(program, setExit);
  return program;
}

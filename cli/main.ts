import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { compileCommand } from './commands/compile.js';
import { graphCommand } from './commands/graph.js';
import { validateCommand } from './commands/validate.js';
import type { CommonOptions, OutputFormat } from './compile-for-cli.js';
import { ExitCode, exitCodeHelp } from './exit-codes.js';

function common(cmd: Command): CommonOptions {
  const o = cmd.optsWithGlobals<{ root?: string; format?: OutputFormat; verbose?: boolean }>();
  return { root: resolve(o.root ?? process.cwd()), format: o.format ?? 'terminal', verbose: o.verbose };
}

const formatOption = () => new Option('-f, --format <format>', 'output format').choices(['terminal', 'github', 'json']).default('terminal');

/** Builds the `runbook` command line. Each command is a thin file under cli/commands/. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('runbook')
    .description('Compile, validate and run disaster-recovery runbooks written as code.')
    .option('--root <dir>', 'repository root (default: the current directory)')
    .option('-v, --verbose', 'also show informational findings')
    .addHelpText('after', `\n${exitCodeHelp}`)
    .exitOverride()
    .showHelpAfterError();
  program
    .command('validate')
    .description('check runbooks and report every problem with its position')
    .argument('[paths...]', 'files or folders to report on (default: runbooks/)')
    .addOption(formatOption())
    .action((paths: string[], _o, cmd: Command) => setExit(validateCommand(paths, common(cmd))));
  program
    .command('compile')
    .description('validate, then write generated/ (step graphs and wiki docs)')
    .option('--check', 'write nothing; exit 1 and list stale generated files')
    .addOption(formatOption())
    .action((o: { check?: boolean }, cmd: Command) => setExit(compileCommand({ ...common(cmd), check: o.check })));
  program
    .command('graph')
    .description("print a runbook's step graph as a Mermaid flowchart")
    .argument('<name>', 'runbook name (metadata.name)')
    .option('--json', 'print the IR instead of Mermaid')
    .action((name: string, o: { json?: boolean }, cmd: Command) => setExit(graphCommand(name, { ...common(cmd), json: o.json })));
  return program;
}

/** Entry point: one top-level catch, documented exit codes. */
export async function main(argv: string[]): Promise<number> {
  let code: number = ExitCode.Ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? ExitCode.Ok : ExitCode.Usage;
    }
    const err = e as Error;
    process.stderr.write(`runbook: internal error: ${err.message}\n${process.env.RUNBOOK_DEBUG ? err.stack + '\n' : ''}`);
    return ExitCode.Internal;
  }
}

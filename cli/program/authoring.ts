// Commands that read runbooks without running them. Each action imports its implementation on
// first use (dynamic import), so `runbook --help` loads none of the compiler or the executor.
import type { Command } from 'commander';
import type { InitOptions } from '../commands/init.js';
import { collect, common, formatOption, type SetExit } from './shared.js';

export function registerAuthoring(program: Command, setExit: SetExit): void {
  registerInit(program, setExit);
  registerValidateAndCompile(program, setExit);
  registerGraphAndPlan(program, setExit);
}

function registerInit(program: Command, setExit: SetExit): void {
  program
    .command('init')
    .description(
      'scaffold a repository for your runbooks: package.json pinning this tool, runbooks/ (Directory, template, starter runbook), .gitignore',
    )
    .argument('[dir]', 'the repository folder (default: the current directory)')
    .option(
      '--tool <spec>',
      'how package.json pins the tool: a version, a path to a packed tarball, or any npm spec (default: this version)',
    )
    .option('--force', 'replace files that already exist')
    .action(async (dir: string | undefined, o: InitOptions) => {
      const { initCommand } = await import('../commands/init.js');
      setExit(initCommand(dir, o));
    });
}

function registerValidateAndCompile(program: Command, setExit: SetExit): void {
  program
    .command('validate')
    .description('check runbooks and report every problem with its position')
    .argument('[paths...]', 'files or folders to report on (default: runbooks/)')
    .option('--no-cache', 'compile every file, ignoring and not updating .runbook/cache/')
    .addOption(formatOption())
    .action(async (paths: string[], o: { cache: boolean }, cmd: Command) => {
      const { validateCommand } = await import('../commands/validate.js');
      setExit(await validateCommand(paths, { ...common(cmd), cache: o.cache }));
    });
  program
    .command('compile')
    .description('validate, then write generated/ (step graphs and wiki docs)')
    .option('--check', 'write nothing; exit 1 and list stale generated files')
    .option('--no-cache', 'compile every file, ignoring and not updating .runbook/cache/')
    .addOption(formatOption())
    .action(async (o: { check?: boolean; cache: boolean }, cmd: Command) => {
      const { compileCommand } = await import('../commands/compile.js');
      setExit(compileCommand({ ...common(cmd), check: o.check, cache: o.cache }));
    });
}

interface PlanCliOptions {
  input: string[];
  json?: boolean;
  drill?: boolean;
  dryRun?: boolean;
  auditDb?: string;
}

function registerGraphAndPlan(program: Command, setExit: SetExit): void {
  program
    .command('graph')
    .description("print a runbook's step graph as a Mermaid flowchart")
    .argument('<name>', 'runbook name (metadata.name)')
    .option('--json', 'print the IR instead of Mermaid')
    .action(async (name: string, o: { json?: boolean }, cmd: Command) => {
      const { graphCommand } = await import('../commands/graph.js');
      setExit(graphCommand(name, { ...common(cmd), json: o.json }));
    });
  program
    .command('plan')
    .description('resolve inputs and show what a run would do: order, gates, calls, timeline, plan hash')
    .argument('<name>', 'runbook name')
    .option('-i, --input <name=value>', 'an input (repeatable)', collect, [])
    .option('--drill', 'the plan of a drill (its own plan hash)')
    .option('--dry-run', 'the plan of a dry run (its own plan hash)')
    .option('--json', 'machine-readable plan')
    .option('--audit-db <url>', 'warn if this audit database role could rewrite its trail (or RUNBOOK_AUDIT_DB)')
    .action(async (name: string, o: PlanCliOptions, cmd: Command) => {
      const { planCommand } = await import('../commands/plan.js');
      setExit(await planCommand(name, { ...o, root: common(cmd).root }));
    });
}

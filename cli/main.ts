import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { RunRefused } from '../executor/core/errors.js';
import { approveCommand, type ApproveCliOptions } from './commands/approve.js';
import { auditReportCommand, auditShowCommand, auditVerifyCommand } from './commands/audit.js';
import { auditDbSetupCommand, auditSyncCommand } from './commands/audit-db.js';
import { compileCommand } from './commands/compile.js';
import { demoCommand } from './commands/demo.js';
import { drillCommand } from './commands/drill.js';
import { githubSetupCommand } from './commands/github-setup.js';
import { initCommand, type InitOptions } from './commands/init.js';
import { prCommentCommand } from './commands/pr-comment.js';
import { runRequestCommand } from './commands/run-request.js';
import { planCommand } from './commands/plan.js';
import { resumeCommand } from './commands/resume.js';
import { runCommand, type RunCliOptions } from './commands/run.js';
import { graphCommand } from './commands/graph.js';
import { validateCommand } from './commands/validate.js';
import type { CommonOptions, OutputFormat } from './compile-for-cli.js';
import { ExitCode, exitCodeHelp } from './exit-codes.js';

function common(cmd: Command): CommonOptions {
  const o = cmd.optsWithGlobals<{ root?: string; format?: OutputFormat; verbose?: boolean }>();
  return { root: resolve(o.root ?? process.cwd()), format: o.format ?? 'terminal', verbose: o.verbose };
}

const formatOption = () =>
  new Option('-f, --format <format>', 'output format').choices(['terminal', 'github', 'json']).default('terminal');

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
    .action((dir: string | undefined, o: InitOptions) => setExit(initCommand(dir, o)));
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
    .option('--no-cache', 'compile every file, ignoring and not updating .runbook/cache/')
    .addOption(formatOption())
    .action((o: { check?: boolean; cache: boolean }, cmd: Command) =>
      setExit(compileCommand({ ...common(cmd), check: o.check, cache: o.cache })),
    );
  program
    .command('graph')
    .description("print a runbook's step graph as a Mermaid flowchart")
    .argument('<name>', 'runbook name (metadata.name)')
    .option('--json', 'print the IR instead of Mermaid')
    .action((name: string, o: { json?: boolean }, cmd: Command) =>
      setExit(graphCommand(name, { ...common(cmd), json: o.json })),
    );
  const collect = (v: string, prev: string[]) => [...prev, v];
  program
    .command('plan')
    .description('resolve inputs and show what a run would do: order, gates, calls, timeline, plan hash')
    .argument('<name>', 'runbook name')
    .option('-i, --input <name=value>', 'an input (repeatable)', collect, [])
    .option('--drill', 'the plan of a drill (its own plan hash)')
    .option('--dry-run', 'the plan of a dry run (its own plan hash)')
    .option('--json', 'machine-readable plan')
    .option('--audit-db <url>', 'warn if this audit database role could rewrite its trail (or RUNBOOK_AUDIT_DB)')
    .action(
      async (
        name: string,
        o: { input: string[]; json?: boolean; drill?: boolean; dryRun?: boolean; auditDb?: string },
        cmd: Command,
      ) => setExit(await planCommand(name, { ...o, root: common(cmd).root })),
    );
  const runOptions = (c: Command) =>
    c
      .option('--as <handle>', 'who starts the run (default: GITHUB_ACTOR, else the OS user)')
      .option('--approvals <file>', 'approvals file for non-interactive runs (or RUNBOOK_APPROVALS)')
      .option(
        '--confirm-as <handle>',
        'confirm manual steps and checklist items as this person (non-interactive drills)',
      )
      .option(
        '--audit-db <url>',
        'also write the audit log to PostgreSQL and lock there too (or RUNBOOK_AUDIT_DB; DATABASE_URL is never used)',
      )
      .option(
        '--allow-owner-role',
        'let the run use an audit database role that could alter runbook_audit, even under CI (local development; or RUNBOOK_ALLOW_OWNER_ROLE=true)',
      )
      .option(
        '--allow-local-lock',
        'under CI without an audit database, run on a lock file only this runner sees (or RUNBOOK_ALLOW_LOCAL_LOCK=true)',
      )
      .option('--concurrency <n>', 'most steps running at once (default 8)')
      .option('--json', 'stream audit events as JSON lines on stdout');
  runOptions(
    program
      .command('run')
      .description('run a compiled runbook (journaled, audited, resumable)')
      .argument('<name>', 'runbook name')
      .option('-i, --input <name=value>', 'an input (repeatable)', collect, [])
      .option('--dry-run', "walk the whole graph calling each action's plan instead of its effect")
      .option('--drill', 'mark the run as a drill (notifications say DRILL, never reach customers)')
      .option(
        '--inputs-from-env',
        'read inputs from RUNBOOK_INPUT_<NAME> variables (generated workflows); RUNBOOK_DRY_RUN/RUNBOOK_DRILL=true too',
      ),
  ).action(async (name: string, o: RunCliOptions, cmd: Command) =>
    setExit(await runCommand(name, { ...o, root: common(cmd).root })),
  );
  runOptions(
    program
      .command('drill')
      .description('run a runbook as a drill, with injected faults; writes a drill record and report under drills/')
      .argument('<name>', 'runbook name')
      .option('-i, --input <name=value>', 'an input (repeatable)', collect, [])
      .option('--inject <step=fault>', 'fail | timeout | slow=<duration> | flaky=<n> (repeatable)', collect, [])
      .option('--dry-run', "walk the graph calling each action's plan instead of its effect")
      .option('--record-dir <dir>', 'where records/ and reports/ go (default drills/)')
      .option('--inputs-from-env', 'read inputs from RUNBOOK_INPUT_<NAME> variables (the drill schedule workflow)')
      .option(
        '--drill-notify-customers',
        'let this drill reach external audiences and customer-facing templates (messages still say [DRILL])',
      ),
  ).action(async (name: string, o: RunCliOptions & { inject: string[]; recordDir?: string }, cmd: Command) =>
    setExit(await drillCommand(name, { ...o, root: common(cmd).root })),
  );
  runOptions(
    program
      .command('resume')
      .description('continue an interrupted or killed run from its journal')
      .argument('<run-id>', 'the run id (see .runbook/runs/)')
      .option(
        '--decide <step=rerun|skip|abort>',
        'decision for an in-doubt, non-idempotent step (repeatable)',
        collect,
        [],
      ),
  ).action(async (id: string, o: RunCliOptions & { decide: string[] }, cmd: Command) =>
    setExit(await resumeCommand(id, { ...o, input: [], root: common(cmd).root })),
  );
  program
    .command('approve')
    .description('sign an approval with your SSH key (ssh-keygen -Y sign) and append it to an approvals file')
    .requiredOption(
      '--plan <hash>',
      'the plan hash to approve (from `runbook plan`, with --drill or --dry-run for those modes)',
    )
    .requiredOption('--step <id>', 'the approval step (or * for every gate of this plan)')
    .requiredOption('--as <handle>', 'your GitHub handle; the Directory must list the key for this person')
    .requiredOption('--key <file>', 'your SSH private key, or its .pub when the key is in ssh-agent')
    .requiredOption('--approvals <file>', 'the approvals file to append to (created when missing)')
    .addOption(
      new Option('--mode <mode>', 'the mode of the run approved').choices(['live', 'drill', 'dry-run']).default('live'),
    )
    .action(async (o: ApproveCliOptions) => setExit(await approveCommand(o)));
  program
    .command('demo')
    .description('drill: run the PostgreSQL failover runbook against a throwaway local primary + standby')
    .action(async (_o, cmd: Command) => setExit(await demoCommand({ root: common(cmd).root })));
  program
    .command('pr-comment')
    .description("post (or edit) the pull request's plan comment: steps, gates, RTO before/after, plan hashes")
    .option('--base-ref <sha>', 'the base commit (or BASE_SHA)')
    .option('--pr <number>', 'pull request number (or PR_NUMBER / the event payload)')
    .option('--print', 'print the comment instead of posting it')
    .action(async (o: { baseRef?: string; pr?: string; print?: boolean }, cmd: Command) =>
      setExit(await prCommentCommand({ ...o, root: common(cmd).root })),
    );
  runOptions(
    program
      .command('run-request')
      .description("run merged run requests (runs/*.yaml) after verifying their pull request's approvals")
      .argument('[files...]', 'run request files')
      .option('--changed <sha...>', 'BEFORE AFTER: run the requests added by this push')
      .option(
        '--runbook <name>',
        'only the requests for this runbook (repeatable; the run-request workflow has a job per concurrency group)',
        collect,
        [],
      ),
  ).action(async (files: string[], o: RunCliOptions & { changed?: string[]; runbook?: string[] }, cmd: Command) =>
    setExit(await runRequestCommand(files, { ...o, input: [], root: common(cmd).root })),
  );
  const github = program.command('github').description('set up and use GitHub as the control plane');
  github
    .command('setup')
    .description(
      "create the runbooks' environments with required reviewers and branch protection requiring CODEOWNERS review",
    )
    .option('--dry-run', 'print the API calls, make none')
    .option('--branch <name>', 'protected branch', 'main')
    .option('--json', 'the calls as JSON')
    .action(async (o: { dryRun?: boolean; branch?: string; json?: boolean }, cmd: Command) =>
      setExit(await githubSetupCommand({ ...o, root: common(cmd).root })),
    );
  const audit = program.command('audit').description('verify and show audit logs');
  audit
    .command('verify')
    .description('check the hash chain; exit 1 naming the first bad record')
    .argument('[file-or-run]', 'audit file or run id')
    .option('--db <url>', 'verify the copy in the audit database')
    .option('--run <id>', 'run id (with --db)')
    .option('--allow-incomplete', 'accept a log without run:end or with a torn last line (a run still running)')
    .option(
      '--anchor <seq:hash|hash>',
      'a chain head published elsewhere (job summary, tracking issue): the log must contain it',
    )
    .option(
      '--anchors-from <github|db>',
      'compare with every head the run published on its tracking issue (GITHUB_TOKEN, GITHUB_REPOSITORY) or in the audit database (--db or RUNBOOK_AUDIT_DB); both: github,db',
    )
    .option('--issue <number>', 'the tracking issue or pull request holding the heads (default: the one the log names)')
    .option(
      '--key <file>',
      'audit key file (HMAC secret hmac:<base64>, or ed25519 public key PEM): every record must be signed by it (default RUNBOOK_AUDIT_PUBKEY, else RUNBOOK_AUDIT_KEY)',
    )
    .option('--require-complete', 'the default; kept for scripts written before it was')
    .action(
      async (
        ref: string | undefined,
        o: {
          db?: string;
          run?: string;
          allowIncomplete?: boolean;
          anchor?: string;
          anchorsFrom?: string;
          issue?: string;
          key?: string;
        },
        cmd: Command,
      ) => setExit(await auditVerifyCommand(ref, { ...o, root: common(cmd).root })),
    );
  audit
    .command('show')
    .description('who initiated, inputs, steps, approvals, outcome, time per phase against budgets')
    .argument('<file-or-run>', 'audit file or run id')
    .option('--db <url>', 'read from the audit database')
    .option('--json', 'the summary as JSON')
    .action(async (ref: string, o: { db?: string; json?: boolean }, cmd: Command) =>
      setExit(await auditShowCommand(ref, { ...o, root: common(cmd).root })),
    );
  audit
    .command('report')
    .description(
      "write the run's report page for the wiki (objectives met or missed, Gantt chart, approvals, lessons learned)",
    )
    .argument('<file-or-run>', 'audit file or run id')
    .option('--out <path>', 'where to write it (default: next to its drill record, else drills/reports/<run-id>.md)')
    .action(async (ref: string, o: { out?: string }, cmd: Command) =>
      setExit(await auditReportCommand(ref, { ...o, root: common(cmd).root })),
    );
  audit
    .command('db-setup')
    .description(
      'as a database administrator: create runbook_audit, its trigger, an owner role and a writer role (INSERT, SELECT); idempotent',
    )
    .option('--audit-db <url>', 'an administrator connection (or RUNBOOK_AUDIT_DB)')
    .option('--owner-role <name>', 'the NOLOGIN role owning the table', 'runbook_audit_owner')
    .option('--writer-role <name>', 'the role runs log in through', 'runbook_audit_writer')
    .action(async (o: { auditDb?: string; ownerRole?: string; writerRole?: string }) =>
      setExit(await auditDbSetupCommand(o)),
    );
  audit
    .command('sync')
    .description('back-fill the audit database with the records of a run it missed (an outage), from the file journal')
    .argument('<file-or-run>', 'audit file or run id')
    .option('--audit-db <url>', 'the audit database (or RUNBOOK_AUDIT_DB)')
    .action(async (ref: string, o: { auditDb?: string }, cmd: Command) =>
      setExit(await auditSyncCommand(ref, { ...o, root: common(cmd).root })),
    );
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
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version'
        ? ExitCode.Ok
        : ExitCode.Usage;
    }
    if (e instanceof RunRefused) {
      process.stderr.write(`runbook: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
      return ExitCode.Refused;
    }
    const err = e as Error;
    process.stderr.write(
      `runbook: internal error: ${err.message}\n${process.env.RUNBOOK_DEBUG ? err.stack + '\n' : ''}`,
    );
    return ExitCode.Internal;
  }
}

// Commands that run a runbook: run, drill, resume, run-request. Their implementations (and the
// executor with its AWS, GitHub and PostgreSQL clients) load only when one of them runs.
import type { Command } from 'commander';
import type { RunCliOptions } from '../commands/run.js';
import { collect, common, runOptions, type SetExit } from './shared.js';

export function registerRuns(program: Command, setExit: SetExit): void {
  registerRun(program, setExit);
  registerDrill(program, setExit);
  registerResume(program, setExit);
  registerGateEvent(program, setExit);
  registerRunsList(program, setExit);
}

function registerRunsList(program: Command, setExit: SetExit): void {
  program
    .command('runs')
    .description(
      'list runs from the audit database: id, runbook, state (running, parked, finished, stale), started, by, step',
    )
    .option('--audit-db <url>', 'the audit database (or RUNBOOK_AUDIT_DB)')
    .option('--stale', 'only runs left mid-flight with nothing holding them (resume them)')
    .option('--json', 'print the runs as JSON')
    .action(async (o: { auditDb?: string; stale?: boolean; json?: boolean }) => {
      const { runsCommand } = await import('../commands/runs.js');
      setExit(await runsCommand(o));
    });
}

function registerRun(program: Command, setExit: SetExit): void {
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
  ).action(async (name: string, o: RunCliOptions, cmd: Command) => {
    const { runCommand } = await import('../commands/run.js');
    setExit(await runCommand(name, { ...o, root: common(cmd).root }));
  });
}

function registerDrill(program: Command, setExit: SetExit): void {
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
  ).action(async (name: string, o: RunCliOptions & { inject: string[]; recordDir?: string }, cmd: Command) => {
    const { drillCommand } = await import('../commands/drill.js');
    setExit(await drillCommand(name, { ...o, root: common(cmd).root }));
  });
}

function registerResume(program: Command, setExit: SetExit): void {
  runOptions(
    program
      .command('resume')
      .description('continue an interrupted or killed run from its journal')
      .argument('<run-id>', 'the run id (see .runbook/runs/, or `runbook runs --audit-db URL`)')
      .option(
        '--decide <step=rerun|skip|abort>',
        'decision for an in-doubt, non-idempotent step, or rollback:<step> for a compensation in doubt (repeatable)',
        collect,
        [],
      )
      .option('--runbook <name>', 'refuse unless the run is a run of this runbook (the resume workflow)'),
  ).action(async (id: string, o: RunCliOptions & { decide: string[]; runbook?: string }, cmd: Command) => {
    const { resumeCommand } = await import('../commands/resume.js');
    setExit(await resumeCommand(id, { ...o, input: [], root: common(cmd).root }));
  });
}

function registerGateEvent(program: Command, setExit: SetExit): void {
  runOptions(
    program
      .command('gate-event')
      .description('resume the run parked on an issue when a comment answers its approval gate (the approval workflow)')
      .option('--event <file>', 'the GitHub event payload (default: GITHUB_EVENT_PATH)')
      .option('--route', "only write the parked run's runbook and id to GITHUB_OUTPUT; resume nothing")
      .option('--runbook <name>', 'only resume a parked run of this runbook'),
  ).action(async (o: RunCliOptions & { event?: string; route?: boolean; runbook?: string }, cmd: Command) => {
    const { gateEventCommand } = await import('../commands/gate-event.js');
    setExit(await gateEventCommand({ ...o, input: [], root: common(cmd).root }));
  });
}

/** Registered after pr-comment, where `runbook --help` has always listed it. */
export function registerRunRequest(program: Command, setExit: SetExit): void {
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
  ).action(async (files: string[], o: RunCliOptions & { changed?: string[]; runbook?: string[] }, cmd: Command) => {
    const { runRequestCommand } = await import('../commands/run-request.js');
    setExit(await runRequestCommand(files, { ...o, input: [], root: common(cmd).root }));
  });
}

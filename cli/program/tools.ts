// approve, demo, pr-comment and github setup: each loads its implementation on first use.
import { Option, type Command } from 'commander';
import type { ApproveCliOptions } from '../commands/approve.js';
import { common, type SetExit } from './shared.js';

export function registerApprove(program: Command, setExit: SetExit): void {
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
    .action(async (o: ApproveCliOptions) => {
      const { approveCommand } = await import('../commands/approve.js');
      setExit(await approveCommand(o));
    });
}

export function registerDemoAndPrComment(program: Command, setExit: SetExit): void {
  program
    .command('demo')
    .description('drill: run the PostgreSQL failover runbook against a throwaway local primary + standby')
    .action(async (_o, cmd: Command) => {
      const { demoCommand } = await import('../commands/demo.js');
      setExit(await demoCommand({ root: common(cmd).root }));
    });
  program
    .command('pr-comment')
    .description("post (or edit) the pull request's plan comment: steps, gates, RTO before/after, plan hashes")
    .option('--base-ref <sha>', 'the base commit (or BASE_SHA)')
    .option('--pr <number>', 'pull request number (or PR_NUMBER / the event payload)')
    .option('--print', 'print the comment instead of posting it')
    .action(async (o: { baseRef?: string; pr?: string; print?: boolean }, cmd: Command) => {
      const { prCommentCommand } = await import('../commands/pr-comment.js');
      setExit(await prCommentCommand({ ...o, root: common(cmd).root }));
    });
}

export function registerGithub(program: Command, setExit: SetExit): void {
  const github = program.command('github').description('set up and use GitHub as the control plane');
  github
    .command('setup')
    .description(
      "create the runbooks' environments with required reviewers and branch protection requiring CODEOWNERS review",
    )
    .option('--dry-run', 'print the API calls, make none')
    .option('--branch <name>', 'protected branch', 'main')
    .option('--json', 'the calls as JSON')
    .action(async (o: { dryRun?: boolean; branch?: string; json?: boolean }, cmd: Command) => {
      const { githubSetupCommand } = await import('../commands/github-setup.js');
      setExit(await githubSetupCommand({ ...o, root: common(cmd).root }));
    });
}

export function registerWikiExport(program: Command, setExit: SetExit): void {
  program
    .command('wiki-export')
    .description(
      'write generated/docs into a clone of the GitHub wiki, links rewritten to work on every wiki page (the publishing workflow runs it)',
    )
    .argument(
      '<dir>',
      "the wiki's clone (OWNER/REPO.wiki.git); stale generated pages in it are removed, an Audit.md in it is linked from Home and the sidebar",
    )
    .option('--repository <owner/repo>', 'the repository the links point into (or GITHUB_REPOSITORY)')
    .option('--branch <name>', 'the branch repository files are linked at (or GITHUB_REF_NAME, else main)')
    .option('--from <dir>', 'the pages to export (default generated/docs)')
    .action(async (dir: string, o: { repository?: string; branch?: string; from?: string }, cmd: Command) => {
      const { wikiExportCommand } = await import('../commands/wiki-export.js');
      setExit(wikiExportCommand(dir, { ...o, root: common(cmd).root }));
    });
}

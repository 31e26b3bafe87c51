/**
 * Which token permission each GitHub REST operation the project calls needs: the fake GitHub
 * refuses a call its token lacks (403 "Resource not accessible by integration", as GitHub answers
 * an Actions GITHUB_TOKEN or an app installation token), and the least-privilege test of the
 * generated workflows maps each job's calls through it.
 *
 * Sources: GitHub docs, "Permissions required for fine-grained personal access tokens" and
 * "Permissions required for GitHub Apps" (docs.github.com/en/rest/authentication/…), and each
 * endpoint's "Fine-grained access tokens" section; the `permissions:` keys are those of
 * "Assigning permissions to jobs" (docs.github.com/en/actions/using-jobs/assigning-permissions-to-jobs).
 * - Issue comments (list/create/update/delete) work with "Issues" or "Pull requests" (read/write).
 *   GitHub checks the one of the target: on a pull request's conversation it is `pull-requests`
 *   (a job with `issues: write` and `pull-requests: read` cannot comment on its PR, issue 11).
 * - Pulls and reviews: "Pull requests" (read). Commits → pulls: "Contents" (read) and, for the
 *   pull requests listed, "Pull requests" (read).
 * - Issues create/update: "Issues" (write); get: "Issues" (read).
 * - Environments PUT, branch protection GET/PUT: "Administration" (write / read / write).
 * - Org teams and team membership: organization "Members" (read). No `permissions:` key of a job
 *   grants it, so a GITHUB_TOKEN never has it; GitHub answers such calls 404, not 403.
 * - GET /repos/{o}/{r}/collaborators/{u}/permission: "Metadata" (read), which every token with
 *   access to the repository has; so is a job's GITHUB_TOKEN, whatever its `permissions:`.
 * - GET /repos/{o}/{r}/issues: "Issues" (read).
 * - GET /users/{u}: public metadata, any token. GET /user: refused to installation tokens whatever
 *   their permissions (the fake's `userEndpoint` option).
 * - POST /repos/{o}/{r}/pulls (`gh pr create`): "Pull requests" (write). A workflow run's artifacts
 *   (list, download: `gh run download`): "Actions" (read).
 * - `git push` over HTTPS with the job's token (a branch, or the wiki's `OWNER/REPO.wiki.git`):
 *   "Contents" (write), a git operation rather than a REST one, written here as `git/push`.
 */

export type Scope =
  | 'actions'
  | 'checks'
  | 'contents'
  | 'deployments'
  | 'issues'
  | 'pull-requests'
  | 'statuses'
  | 'administration'
  | 'members';
export type Level = 'read' | 'write';
/** A token's permissions, as a job's `permissions:` block (absent = none). */
export type Grant = Partial<Record<Scope, Level | 'none'>>;
/** What one call needs: every entry (scope at least at level). */
export type Need = readonly (readonly [Scope, Level])[];

/**
 * Every repository scope at write: what a test gets unless it says which permissions its token
 * has. No `members`: an organization permission no job's GITHUB_TOKEN can be granted (the fake's
 * `membersToken` stands for a token that has it).
 */
export const writeAll: Grant = {
  actions: 'write',
  checks: 'write',
  contents: 'write',
  deployments: 'write',
  issues: 'write',
  'pull-requests': 'write',
  statuses: 'write',
  administration: 'write',
};

/** A call's operation and whether its issue number is a pull request (issue endpoints only). */
export interface Call {
  readonly operationId: string;
  readonly onPull?: boolean;
}

const issueOrPull = (c: Call, level: Level): Need => [[c.onPull ? 'pull-requests' : 'issues', level]];

const table: Record<string, (c: Call) => Need> = {
  'issues/list-comments': (c) => issueOrPull(c, 'read'),
  'issues/create-comment': (c) => issueOrPull(c, 'write'),
  'issues/update-comment': (c) => issueOrPull(c, 'write'),
  'issues/delete-comment': (c) => issueOrPull(c, 'write'),
  'issues/get-comment': (c) => issueOrPull(c, 'read'),
  'issues/create': () => [['issues', 'write']],
  'issues/update': (c) => issueOrPull(c, 'write'),
  'issues/get': (c) => issueOrPull(c, 'read'),
  'pulls/get': () => [['pull-requests', 'read']],
  'pulls/list-reviews': () => [['pull-requests', 'read']],
  'repos/list-pull-requests-associated-with-commit': () => [
    ['contents', 'read'],
    ['pull-requests', 'read'],
  ],
  'repos/create-or-update-environment': () => [['administration', 'write']],
  'repos/get-branch-protection': () => [['administration', 'read']],
  'repos/update-branch-protection': () => [['administration', 'write']],
  'teams/get-by-name': () => [['members', 'read']],
  'teams/get-membership-for-user-in-org': () => [['members', 'read']],
  // "Metadata" (read), which every GITHUB_TOKEN and installation token has (no `permissions:` key).
  'repos/get-collaborator-permission-level': () => [],
  // Issues (read): the BackupPlan's one tracking issue is found by its label.
  'issues/list-for-repo': () => [['issues', 'read']],
  'users/get-by-username': () => [],
  'users/get-authenticated': () => [],
  'pulls/create': () => [['pull-requests', 'write']],
  'actions/list-workflow-run-artifacts': () => [['actions', 'read']],
  'actions/download-artifact': () => [['actions', 'read']],
  'git/push': () => [['contents', 'write']],
};

/** What `call` needs; throws for an operation the table does not know (add it, with its source). */
export function permissionsFor(call: Call): Need {
  const need = table[call.operationId];
  if (!need) throw new Error(`github-permissions: no permission recorded for ${call.operationId}`);
  return need(call);
}

/** The entries of `need` that `grant` lacks (empty when allowed). */
export function missing(grant: Grant, need: Need): Need {
  return need.filter(([scope, level]) => {
    const has = grant[scope] ?? 'none';
    return has === 'none' || (level === 'write' && has !== 'write');
  });
}

/** The least grant covering every need: for each scope, write if any call writes, else read. */
export function leastGrant(needs: readonly Need[]): Grant {
  const out: Grant = {};
  for (const [scope, level] of needs.flat()) if (out[scope] !== 'write') out[scope] = level;
  return out;
}

/** Org-level scopes GitHub hides behind a 404 rather than a 403 (team endpoints). */
export const deniedAsNotFound: ReadonlySet<Scope> = new Set(['members']);

import { httpStatus, type GithubApi, type RepoRef } from './client.js';

/**
 * What decided that someone is (or is not) an approver: the policy naming them, GitHub's live
 * team membership (read with a members-read token), or the Directory's compiled membership.
 * Recorded on every grant and refusal, so an audit says which source was trusted.
 */
export type MembershipSource = 'policy' | 'github' | 'directory';

/** Whether a GitHub user may approve, and through which allowed entry. */
export type ApproverVerdict =
  | { readonly allowed: true; readonly via: string; readonly source: MembershipSource }
  | {
      readonly allowed: false;
      readonly reason: string;
      readonly source?: MembershipSource;
      readonly code: 'not-allowed' | 'no-write-access';
    };

/** What `approverChecker` needs: the client, the policy entries, compile-time members. */
export interface ApproverCheckOptions {
  /** The job's client (GITHUB_TOKEN): reads repository permissions. */
  readonly octokit: GithubApi;
  /** Policy entries: `@user` or `@org/team` (the leading `@` optional). Empty: anyone. */
  readonly approvers: readonly string[];
  /**
   * Team members resolved at compile time from the Directory (graph.resources.approvers): they
   * decide team membership when no members-read client is given. The Directory is code-owned and
   * reviewed, and the list is part of the plan hash.
   */
  readonly members?: Readonly<Record<string, readonly string[]>>;
  /**
   * A client whose token can read org team membership (RUNBOOK_GITHUB_MEMBERS_TOKEN, e.g. a GitHub
   * App token with the organization permission Members: read). With it, live membership decides.
   */
  readonly membersOctokit?: GithubApi;
  /** The repository approved for: an approver needs write access to it (checked when given). */
  readonly repo?: RepoRef;
}

/** `@Dana-Lee` / `dana-lee` → `dana-lee`: GitHub logins compare case-insensitively. */
export const normLogin = (handle: string): string => handle.trim().replace(/^@/, '').toLowerCase();

/**
 * Returns a checker that decides, per login, whether the user is a listed approver or a member
 * of a listed team, and has write access to the repository. Team membership is asked live only
 * with a members-read client: the Actions GITHUB_TOKEN cannot read org teams, and GitHub then
 * answers 404 for members too, so a 404 under it means "unknown", never "no"; without that
 * client the Directory's compiled membership decides. Answers are cached for the checker's
 * lifetime (one verification or one gate). Errors other than a clear answer propagate: an
 * unanswered question is not a "no".
 */
export function approverChecker(o: ApproverCheckOptions): (login: string) => Promise<ApproverVerdict> {
  const cache = new Map<string, Promise<ApproverVerdict>>();
  return (login) => {
    const who = normLogin(login);
    let answer = cache.get(who);
    if (!answer) {
      answer = decide(o, who).then((v) => (v.allowed && o.repo ? writeAccess(o.octokit, o.repo, who, v) : v));
      cache.set(who, answer);
      // A transient failure must not be remembered as the answer.
      answer.catch(() => cache.delete(who));
    }
    return answer;
  };
}

async function decide(o: ApproverCheckOptions, who: string): Promise<ApproverVerdict> {
  if (o.approvers.length === 0) return { allowed: true, via: 'anyone (no approvers listed)', source: 'policy' };
  const unverifiable: string[] = [];
  let source: MembershipSource = 'policy';
  for (const entry of o.approvers) {
    const [org, team, extra] = normLogin(entry).split('/');
    if (extra !== undefined) continue;
    if (team === undefined) {
      if (org === who) return { allowed: true, via: `@${org}`, source: 'policy' };
      continue;
    }
    const live = o.membersOctokit ? await teamMembership(o.membersOctokit, org, team, who) : 'unknown';
    if (live === 'active') return { allowed: true, via: `@${org}/${team}`, source: 'github' };
    if (live !== 'unknown') {
      source = 'github';
      continue;
    }
    const compiled = compiledMembers(o.members, entry, `@${org}/${team}`);
    if (compiled?.some((m) => normLogin(m) === who))
      return { allowed: true, via: `@${org}/${team} (Directory membership)`, source: 'directory' };
    if (compiled) source = source === 'github' ? source : 'directory';
    else unverifiable.push(`@${org}/${team}`);
  }
  const list = o.approvers.join(', ');
  const note = unverifiable.length
    ? `; membership of ${unverifiable.join(', ')} is unknown (the Directory does not list the team and no RUNBOOK_GITHUB_MEMBERS_TOKEN can read it)`
    : '';
  return {
    allowed: false,
    code: 'not-allowed',
    source,
    reason: `@${who} is not among the allowed approvers (${list})${note}`,
  };
}

/** The Directory's members of a team entry; undefined when the Directory does not list the team (compiled as the entry itself). */
function compiledMembers(members: ApproverCheckOptions['members'], ...keys: string[]): readonly string[] | undefined {
  for (const key of keys) {
    const list = members?.[key];
    if (list && !(list.length === 1 && normLogin(list[0]) === normLogin(key))) return list;
  }
  return undefined;
}

/**
 * Live membership through a members-read token. With such a token a 404 is an answer ("not a
 * member", or a team it cannot see); 401/403 mean the token cannot read it after all: unknown,
 * and the Directory decides. A 403 after exhausted rate-limit retries is not an answer: it throws.
 */
async function teamMembership(
  octokit: GithubApi,
  org: string,
  team: string,
  who: string,
): Promise<'active' | 'pending' | 'none' | 'unknown'> {
  try {
    const { data } = await octokit.teams.getMembershipForUserInOrg({ org, team_slug: team, username: who });
    return data.state === 'active' ? 'active' : 'pending';
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404) return 'none';
    const limited =
      (error as { response?: { headers?: Record<string, string> } }).response?.headers?.['x-ratelimit-remaining'] ===
      '0';
    if ((status === 401 || status === 403) && !limited) return 'unknown';
    throw error;
  }
}

/**
 * An approver must be able to change the repository themselves: GET
 * /repos/{owner}/{repo}/collaborators/{username}/permission answers the legacy base role in
 * `permission` (`admin`, `write`, `read`, `none`; maintain maps to write, triage to read) and
 * needs only the Metadata read permission every GITHUB_TOKEN has
 * (https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user).
 * A 404 (no such user) is a refusal; other errors propagate.
 */
async function writeAccess(
  octokit: GithubApi,
  repo: RepoRef,
  who: string,
  v: ApproverVerdict & { allowed: true },
): Promise<ApproverVerdict> {
  let permission: string;
  try {
    permission = (await octokit.repos.getCollaboratorPermissionLevel({ ...repo, username: who })).data.permission;
  } catch (error) {
    if (httpStatus(error) !== 404) throw error;
    permission = 'none';
  }
  if (permission === 'admin' || permission === 'write') return v;
  const reason = `@${who} has ${permission} access to ${repo.owner}/${repo.repo}; approving needs write access (admitted by ${v.via})`;
  return { allowed: false, code: 'no-write-access', source: v.source, reason };
}

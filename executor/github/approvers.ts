import { httpStatus, type GithubApi } from './client.js';

/** Whether a GitHub user may approve, and through which allowed entry. */
export type ApproverVerdict =
  | { readonly allowed: true; readonly via: string }
  | { readonly allowed: false; readonly reason: string };

/** What `approverChecker` needs: the client, the policy entries, compile-time members. */
export interface ApproverCheckOptions {
  readonly octokit: GithubApi;
  /** Policy entries: `@user` or `@org/team` (the leading `@` optional). Empty: anyone. */
  readonly approvers: readonly string[];
  /**
   * Team members resolved at compile time (graph.resources.approvers). Used only when GitHub
   * refuses to tell (401/403: the Actions GITHUB_TOKEN cannot read org teams), because that list
   * is part of the reviewed plan hash; a live answer always wins.
   */
  readonly members?: Readonly<Record<string, readonly string[]>>;
}

/** `@Dana-Lee` / `dana-lee` → `dana-lee`: GitHub logins compare case-insensitively. */
export const normLogin = (handle: string): string => handle.trim().replace(/^@/, '').toLowerCase();

/**
 * Returns a checker that decides, per login, whether the user is a listed approver or an active
 * member of a listed team. Team membership is asked live (GET
 * /orgs/{org}/teams/{team_slug}/memberships/{username}): someone who left the team since the
 * runbook was compiled no longer approves. Answers are cached for the checker's lifetime (one
 * verification or one gate), so a poll loop does not re-ask GitHub every round. Errors other
 * than 404/401/403 propagate: an unanswered question is not a "no".
 */
export function approverChecker(o: ApproverCheckOptions): (login: string) => Promise<ApproverVerdict> {
  const cache = new Map<string, Promise<ApproverVerdict>>();
  return (login) => {
    const who = normLogin(login);
    let answer = cache.get(who);
    if (!answer) {
      answer = decide(o, who);
      cache.set(who, answer);
      // A transient failure must not be remembered as the answer.
      answer.catch(() => cache.delete(who));
    }
    return answer;
  };
}

async function decide(o: ApproverCheckOptions, who: string): Promise<ApproverVerdict> {
  if (o.approvers.length === 0) return { allowed: true, via: 'anyone (no approvers listed)' };
  const unverifiable: string[] = [];
  for (const entry of o.approvers) {
    const [org, team, extra] = normLogin(entry).split('/');
    if (extra !== undefined) continue;
    if (team === undefined) {
      if (org === who) return { allowed: true, via: `@${org}` };
      continue;
    }
    const live = await teamMembership(o.octokit, org, team, who);
    if (live === 'active') return { allowed: true, via: `@${org}/${team}` };
    if (live === 'forbidden') {
      const compiled = o.members?.[entry] ?? o.members?.[`@${org}/${team}`];
      if (compiled?.some((m) => normLogin(m) === who)) return { allowed: true, via: `@${org}/${team} (compiled membership)` };
      if (!compiled) unverifiable.push(`@${org}/${team}`);
    }
  }
  const list = o.approvers.join(', ');
  const note = unverifiable.length ? `; membership of ${unverifiable.join(', ')} could not be checked (token lacks org read access)` : '';
  return { allowed: false, reason: `@${who} is not among the allowed approvers (${list})${note}` };
}

async function teamMembership(octokit: GithubApi, org: string, team: string, who: string): Promise<'active' | 'pending' | 'none' | 'forbidden'> {
  try {
    const { data } = await octokit.teams.getMembershipForUserInOrg({ org, team_slug: team, username: who });
    return data.state === 'active' ? 'active' : 'pending';
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404) return 'none';
    // A 403 after exhausted rate-limit retries is not a permission answer.
    const limited = (error as { response?: { headers?: Record<string, string> } }).response?.headers?.['x-ratelimit-remaining'] === '0';
    if ((status === 401 || status === 403) && !limited) return 'forbidden';
    throw error;
  }
}
